package onyx.backing_service_wiring_test

import data.onyx.backing_service_wiring
import data.onyx.lib.fixtures_test as fx

_localhost := {"value": "localhost", "host": "localhost", "service": null, "service_namespace": null, "source": "default"}

_message(findings) := concat("\n", [f.message | some f in findings])

test_helm_wiring_passes if {
	count(backing_service_wiring.deny) == 0 with input as fx.prod
	count(backing_service_wiring.deny) == 0 with input as fx.minimal
}

test_nginx_without_api_host if {
	findings := backing_service_wiring.deny with input as fx.drop_endpoint(fx.prod, "nginx", "nginx_api")
	count(findings) == 1
	some f in findings
	f.id == "ONYX-WIRING-002"
	f.kind == "Deployment"
	f.name == "nginx"
	contains(f.message, "nginx sets no ONYX_BACKEND_API_HOST, so it points at nothing instead of api-server — nginx cannot proxy /api")
}

test_worker_redis_on_the_wrong_server if {
	wrong := {"value": "postgres", "host": "postgres", "service": "postgres"}
	findings := backing_service_wiring.deny with input as fx.patch_endpoint(fx.prod, "celery-worker-light", "redis", wrong)
	contains(_message(findings), "celery-worker-light points REDIS_HOST at the wrong server: Service postgres selects postgres, not redis — ")
	contains(_message(findings), "Redis: Readiness probe did not succeed")
}

test_beat_redis_on_localhost if {
	findings := backing_service_wiring.deny with input as fx.patch_endpoint(fx.prod, "celery-beat", "redis", _localhost)
	fx.names(findings, "ONYX-WIRING-002") == {"celery-beat"}
}

test_beat_needs_no_postgres if {
	count(backing_service_wiring.deny) == 0 with input as fx.patch_endpoint(fx.prod, "celery-beat", "postgres", _localhost)
}

test_web_internal_url_default if {
	default_url := {"value": "http://127.0.0.1:8080", "host": "127.0.0.1", "service": null, "service_namespace": null, "source": "default"}
	findings := backing_service_wiring.deny with input as fx.patch_endpoint(fx.prod, "web-server", "api_internal", default_url)
	contains(_message(findings), "web-server reaches api-server through INTERNAL_URL=http://127.0.0.1:8080, which points at localhost")
}

test_service_selecting_nothing if {
	findings := backing_service_wiring.deny with input as fx.patch_service(fx.prod, "vespa", {"selected_workloads": []})
	contains(_message(findings), "points VESPA_HOST at the wrong server: Service vespa selects no workload, not vespa")
	contains(_message(findings), "VESPA_CONFIG_SERVER_HOST")
}

test_vespa_config_port if {
	findings := backing_service_wiring.deny with input as fx.patch_endpoint(fx.prod, "api-server", "vespa_config", {"port": 19072})
	contains(_message(findings), "api-server reaches Service vespa on port 19072, which the Service does not expose (it has 8081, 19071)")
	contains(_message(findings), "the Vespa application package")
}

test_numeric_target_ports if {
	served := [{"name": "redis", "port": 6379, "target_port": 6379, "protocol": "TCP"}]
	count(backing_service_wiring.deny) == 0 with input as fx.patch_service(fx.prod, "redis", {"ports": served})
	unserved := [{"name": "redis", "port": 6379, "target_port": 6380, "protocol": "TCP"}]
	findings := backing_service_wiring.deny with input as fx.patch_service(fx.prod, "redis", {"ports": unserved})
	fx.names(findings, "ONYX-WIRING-002") == {"redis"}
}

test_s3_unset_means_aws if {
	findings := backing_service_wiring.deny with input as fx.drop_endpoint(fx.prod, "celery-worker-docfetching", "s3")
	contains(_message(findings), "celery-worker-docfetching sets no S3_ENDPOINT_URL, so it points at nothing instead of minio")
}

test_model_servers_are_not_this_policys if {
	count(backing_service_wiring.deny) == 0 with input as fx.patch_endpoint(fx.prod, "api-server", "inference_model_server", _localhost)
}
