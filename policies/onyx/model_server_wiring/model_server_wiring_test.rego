package onyx.model_server_wiring_test

import data.onyx.lib.fixtures_test as fx
import data.onyx.model_server_wiring

_localhost := {"value": "localhost", "host": "localhost", "service": null, "service_namespace": null, "source": "default"}

_message(findings) := concat("\n", [f.message | some f in findings])

test_helm_wiring_passes if {
	count(model_server_wiring.deny) == 0 with input as fx.prod
	count(model_server_wiring.deny) == 0 with input as fx.minimal
}

test_api_on_the_localhost_default if {
	findings := model_server_wiring.deny with input as fx.patch_endpoint(fx.prod, "api-server", "inference_model_server", _localhost)
	count(findings) == 1
	some f in findings
	f.id == "ONYX-WIRING-001"
	f.name == "api-server"
	f.field == "spec.template.spec.containers[0].env"
	contains(f.message, "api-server reaches inference-model-server through MODEL_SERVER_HOST=localhost, which points at localhost — ")
	contains(f.message, "search and chat retrieval error out")
	contains(f.message, "MODEL_SERVER_HOST from the Onyx code default")
}

test_loopback_ip if {
	ip := object.union(_localhost, {"value": "127.0.0.1", "host": "127.0.0.1"})
	findings := model_server_wiring.deny with input as fx.patch_endpoint(fx.prod, "celery-worker-kg-processing", "inference_model_server", ip)
	contains(_message(findings), "which points at localhost")
}

# INDEXING_MODEL_SERVER_HOST unset falls back to MODEL_SERVER_HOST (SC:14-16): the inference server.
test_docprocessing_on_the_inference_server if {
	fallback := {"var": "MODEL_SERVER_HOST", "value": "inference-model-server", "host": "inference-model-server", "service": "inference-model-server"}
	findings := model_server_wiring.deny with input as fx.patch_endpoint(fx.prod, "celery-worker-docprocessing", "indexing_model_server", fallback)
	some f in findings
	contains(f.message, "points MODEL_SERVER_HOST at the wrong server: Service inference-model-server selects inference-model-server, not indexing-model-server — ")
	contains(f.message, "fetched documents are never indexed")
}

test_missing_endpoint_points_at_nothing if {
	findings := model_server_wiring.deny with input as fx.drop_endpoint(fx.prod, "celery-worker-docprocessing", "indexing_model_server")
	contains(_message(findings), "celery-worker-docprocessing sets no INDEXING_MODEL_SERVER_HOST, so it points at nothing instead of indexing-model-server")
	contains(_message(findings), "no value and no Onyx code default")
}

test_service_not_rendered if {
	other := {"value": "inference", "host": "inference", "service": "inference"}
	findings := model_server_wiring.deny with input as fx.patch_endpoint(fx.prod, "celery-worker-kg-processing", "inference_model_server", other)
	contains(_message(findings), "points MODEL_SERVER_HOST at Service inference, which is not rendered in namespace onyx — KG embeddings fail")
}

test_external_name if {
	external := {"value": "models.example.com", "host": "models.example.com", "service": null, "service_namespace": null}
	findings := model_server_wiring.deny with input as fx.patch_endpoint(fx.prod, "api-server", "indexing_model_server", external)
	contains(_message(findings), "which names no Service of the cluster")
	contains(_message(findings), "GPU probe")
}

test_port_mismatch if {
	findings := model_server_wiring.deny with input as fx.patch_endpoint(fx.prod, "api-server", "inference_model_server", {"port": 9001})
	contains(_message(findings), "api-server reaches Service inference-model-server on port 9001, which the Service does not expose (it has 9000)")
}

test_target_port_not_served if {
	ports := [{"name": "http", "port": 9000, "target_port": "grpc", "protocol": "TCP"}]
	findings := model_server_wiring.deny with input as fx.patch_service(fx.prod, "indexing-model-server", {"ports": ports})
	count(findings) == 3
	some f in findings
	f.kind == "Service"
	f.name == "indexing-model-server"
	f.field == "spec.ports[0].targetPort"
	f.file == "base/indexing-model-server/service.yaml"
	contains(f.message, "Service indexing-model-server sends port 9000 to targetPort grpc, which no container of indexing-model-server serves")
	contains(f.message, "indexing-model-server declares TCP ports 9000")
}

test_absent_source_is_not_judged if {
	model := fx.without(fx.prod, {"celery-worker-kg-processing"})
	count(model_server_wiring.deny) == 0 with input as fx.patch_endpoint(model, "api-server", "redis", _localhost)
}

test_backing_services_are_not_this_policys if {
	count(model_server_wiring.deny) == 0 with input as fx.patch_endpoint(fx.prod, "api-server", "redis", _localhost)
}

# A sidecar without model-server settings is not judged; a second container with one is.
test_sidecars if {
	api := [w | some w in fx.workloads; w.name == "api-server"][0]
	sidecar := fx.container("log-shipper", {"image": "fluent-bit:3"})
	model := fx.patch_workload(fx.prod, "api-server", {"containers": array.concat(api.containers, [sidecar])})
	count(model_server_wiring.deny) == 0 with input as model
	wired := fx.container("helper", {"endpoints": {"inference_model_server": fx.endpoint("MODEL_SERVER_HOST", "localhost", "localhost", 9000)}})
	broken := fx.patch_workload(fx.prod, "api-server", {"containers": array.concat(api.containers, [wired])})
	findings := model_server_wiring.deny with input as broken
	some f in findings
	f.field == "spec.template.spec.containers[1].env"
}
