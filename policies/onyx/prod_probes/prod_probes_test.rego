package onyx.prod_probes_test

import data.onyx.prod_probes

# Evaluated with the real policy data (opa test policies/onyx policies/data): data.hardening, data.profiles.

_http(path, port) := {"httpGet": {"path": path, "port": port}, "periodSeconds": 10}

_celery_probe(name, kind) := {"exec": {"command": [
	"/bin/bash", "-c",
	concat("", [
		"python onyx/background/celery/celery_k8s_probe.py --probe ", kind,
		" --filename /tmp/onyx_k8s_", name, "_", kind, ".txt",
	]),
]}}

_api := {
	"kind": "Deployment", "name": "api-server", "file": "base/api-server/deployment.yaml",
	"termination_grace_period_seconds": 30,
	"containers": [{
		"name": "api-server", "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}], "celery": null,
		"probes": {"readiness": _http("/health", "http"), "liveness": _http("/health", 8080)},
	}],
}

_web := {
	"kind": "Deployment", "name": "web-server", "file": "base/web-server/deployment.yaml",
	"termination_grace_period_seconds": 30,
	"containers": [{
		"name": "web-server", "ports": [{"name": "http", "port": 3000, "protocol": "TCP"}], "celery": null,
		"probes": {"readiness": _http("/", "http"), "liveness": {"tcpSocket": {"port": "http"}}},
	}],
}

_postgres := {
	"kind": "StatefulSet", "name": "postgres", "file": "base/postgres/stateful-set.yaml",
	"termination_grace_period_seconds": 30,
	"containers": [{
		"name": "postgres", "ports": [], "celery": null,
		"probes": {
			"readiness": {"exec": {"command": ["pg_isready", "-U", "postgres"]}},
			"liveness": {"exec": {"command": ["pg_isready", "-U", "postgres"]}},
		},
	}],
}

_worker(name, app, probe_name, grace) := {
	"kind": "Deployment", "name": name, "file": concat("", ["base/", name, "/deployment.yaml"]),
	"termination_grace_period_seconds": grace,
	"containers": [{
		"name": name, "ports": [], "celery": {"app": app, "role": "worker", "queues": []},
		"probes": {"readiness": _celery_probe(probe_name, "readiness"), "liveness": _celery_probe(probe_name, "liveness")},
	}],
}

_healthy := [
	_api, _web, _postgres,
	_worker("celery-worker-docfetching", "docfetching", "docfetching", 3600),
	_worker("celery-worker-user-files-indexing", "docfetching", "userfilesindexing", 3600),
	_worker("celery-worker-docprocessing", "docprocessing", "docprocessing", 600),
	_worker("celery-worker-primary", "primary", "primary", 30),
]

_model(overlay, workloads) := {"overlay": overlay, "workloads": workloads}

_replace(workload) := [_pick(w, workload) | some w in _healthy]

_pick(w, new) := new if w.name == new.name

_pick(w, new) := w if w.name != new.name

# object.union merges nested objects: drop the old probes first.
_with_probes(w, probes) := object.union(w, {"containers": [object.union(object.remove(w.containers[0], ["probes"]), {"probes": probes})]})

test_real_endpoints_pass if {
	findings := prod_probes.deny with input as _model("overlays/prod", _healthy)
	count(findings) == 0
}

test_missing_liveness if {
	web := _with_probes(_web, {"readiness": _http("/", 3000)})
	findings := prod_probes.deny with input as _model("overlays/prod", _replace(web))
	count(findings) == 1
	some f in findings
	f.id == "ONYX-PROD-020"
	f.field == "spec.template.spec.containers[0]"
	contains(f.message, "container web-server has no liveness probe — without liveness a hung process")
}

test_no_probe_at_all if {
	api := _with_probes(_api, {})
	findings := prod_probes.deny with input as _model("overlays/prod", _replace(api))
	some f in findings
	contains(f.message, "container api-server has no readiness or liveness probe — without readiness the Service")
}

test_wrong_http_path if {
	api := _with_probes(_api, {"readiness": _http("/healthz", "http"), "liveness": _http("/health", 8080)})
	findings := prod_probes.deny with input as _model("overlays/prod", _replace(api))
	count(findings) == 1
	some f in findings
	f.id == "ONYX-PROD-021"
	f.field == "spec.template.spec.containers[0].readinessProbe"
	contains(f.message, "the readiness probe of api-server checks HTTP GET /healthz on http (8080), not HTTP GET /health on 8080 —")
}

test_wrong_port if {
	api := _with_probes(_api, {"readiness": _http("/health", 9000), "liveness": _http("/health", 8080)})
	findings := prod_probes.deny with input as _model("overlays/prod", _replace(api))
	some f in findings
	contains(f.message, "checks HTTP GET /health on 9000, not HTTP GET /health on 8080")
}

test_wrong_handler_kind if {
	postgres := _with_probes(_postgres, {
		"readiness": {"tcpSocket": {"port": 5432}},
		"liveness": {"grpc": {"port": 5432}},
	})
	findings := prod_probes.deny with input as _model("overlays/prod", _replace(postgres))
	{f.field | some f in findings} == {
		"spec.template.spec.containers[0].readinessProbe",
		"spec.template.spec.containers[0].livenessProbe",
	}
	some f in findings
	contains(f.message, "the liveness probe of postgres checks gRPC 5432, not a command running pg_isready — it does not test what serves Onyx: the kubelet restarts")
}

test_tcp_liveness_is_accepted_for_web_only if {
	api := _with_probes(_api, {"readiness": _http("/health", 8080), "liveness": {"tcpSocket": {"port": 8080}}})
	findings := prod_probes.deny with input as _model("overlays/prod", _replace(api))
	some f in findings
	contains(f.message, "the liveness probe of api-server checks TCP 8080, not HTTP GET /health on 8080")
}

test_celery_probe_on_another_workers_file if {
	broken := _worker("celery-worker-docfetching", "docfetching", "primary", 3600)
	findings := prod_probes.deny with input as _model("overlays/prod", _replace(broken))
	count(findings) == 2
	some f in findings
	f.field == "spec.template.spec.containers[0].readinessProbe"
	contains(f.message, "--filename /tmp/onyx_k8s_docfetching_readiness.txt | /tmp/onyx_k8s_userfilesindexing_readiness.txt`")
	contains(f.message, "so the pod never becomes Ready and every rollout stalls")
}

test_celery_probe_of_the_wrong_kind if {
	w := _worker("celery-worker-primary", "primary", "primary", 30)
	broken := _with_probes(w, {"readiness": _celery_probe("primary", "readiness"), "liveness": _celery_probe("primary", "readiness")})
	findings := prod_probes.deny with input as _model("overlays/prod", _replace(broken))
	some f in findings
	f.field == "spec.template.spec.containers[0].livenessProbe"
	contains(f.message, "the kubelet kills a healthy worker over and over")
}

test_docfetching_with_the_default_grace_period if {
	short := _worker("celery-worker-docfetching", "docfetching", "docfetching", 30)
	findings := prod_probes.deny with input as _model("overlays/prod", _replace(short))
	count(findings) == 1
	some f in findings
	f.id == "ONYX-PROD-022"
	f.field == "spec.template.spec.terminationGracePeriodSeconds"
	contains(f.message, "celery-worker-docfetching (Celery app docfetching) gets terminationGracePeriodSeconds 30, less than the 3600 s")
	contains(f.message, "block every new attempt of their connector for 3–6 h")
}

test_renamed_docfetching_app_worker_is_judged_by_its_command if {
	renamed := object.union(_worker("celery-worker-user-files-indexing", "docfetching", "userfilesindexing", 60), {})
	findings := prod_probes.deny with input as _model("overlays/prod", _replace(renamed))
	{f.name | some f in findings} == {"celery-worker-user-files-indexing"}
}

test_docprocessing_grace_period if {
	short := _worker("celery-worker-docprocessing", "docprocessing", "docprocessing", 120)
	findings := prod_probes.deny with input as _model("overlays/prod", _replace(short))
	some f in findings
	contains(f.message, "less than the 600 s it needs")
}

test_other_profiles_are_not_judged if {
	findings := prod_probes.deny with input as _model("overlays/full", [_with_probes(_api, {})])
	count(findings) == 0
}
