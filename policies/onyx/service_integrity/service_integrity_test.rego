package onyx.service_integrity_test

import data.onyx.lib.fixtures_test as fx
import data.onyx.service_integrity

test_one_workload_per_service_passes if {
	count(service_integrity.deny) == 0 with input as fx.prod
}

test_service_selecting_nothing if {
	findings := service_integrity.deny with input as fx.patch_service(fx.prod, "redis", {"selected_workloads": []})
	count(findings) == 1
	some f in findings
	f.id == "ONYX-SERVICE-001"
	f.kind == "Service"
	f.name == "redis"
	f.field == "spec.selector"
	f.file == "base/redis/service.yaml"
	contains(f.message, "Service redis selects no workload — ")
	contains(f.message, "(selector app=redis in namespace onyx)")
}

test_service_selecting_two_servers if {
	both := {"selector": {"tier": "model"}, "selected_workloads": ["indexing-model-server", "inference-model-server"]}
	findings := service_integrity.deny with input as fx.patch_service(fx.prod, "inference-model-server", both)
	some f in findings
	contains(f.message, "Service inference-model-server selects 2 workloads (indexing-model-server, inference-model-server) — ")
	contains(f.message, "reaches the wrong one")
}

test_service_without_selector_is_skipped if {
	manual := {"name": "external-s3", "namespace": fx.namespace, "file": "s.yaml", "selector": {}, "ports": [], "selected_workloads": []}
	count(service_integrity.deny) == 0 with input as object.union(fx.prod, {"services": array.concat(fx.services, [manual])})
}
