# METADATA
# title: Production probes and graceful stop
# description: |
#   In the prod profile every server and worker container has a readiness and a liveness probe
#   (data.hardening.probes.required); servers probe the endpoint they really answer on
#   (data.hardening.probes.endpoints) and Celery pods run celery_k8s_probe.py on the file their worker
#   touches (data.hardening.probes.celery, v1.9.0 fact sheet §2 "Helm probes"); and the Celery apps that must
#   finish their work before they stop get a long enough terminationGracePeriodSeconds
#   (data.hardening.graceful_stop).
# entrypoint: true
package onyx.prod_probes

_probe_missing_meta := {"id": "ONYX-PROD-020", "severity": "error", "title": "Readiness or liveness probe missing"}

_wrong_meta := {"id": "ONYX-PROD-021", "severity": "error", "title": "Probe not on the real endpoint"}

_grace_meta := {"id": "ONYX-PROD-022", "severity": "error", "title": "Grace period too short to stop gracefully"}

# regal ignore:unresolved-reference
_hardening := data.hardening

_probes := _hardening.probes

_prod if data.profiles.overlays[input.overlay] == _hardening.profile

# What a missing probe breaks (Kubernetes probe semantics).
_without := {
	"readiness": concat("", [
		"without readiness the Service sends requests to the pod before Onyx is up and a rollout replaces ready pods ",
		"with ones that are not",
	]),
	"liveness": "without liveness a hung process (a wedged server, a stuck Celery worker) keeps its pod forever",
	"startup": "",
}

# What a probe on the wrong endpoint breaks.
_wrong := {
	"readiness": concat("", [
		"it does not test what serves Onyx: a healthy pod may never become Ready (rollouts stall, the Service has ",
		"no endpoints) or a broken one receives traffic",
	]),
	"liveness": "it does not test what serves Onyx: the kubelet restarts a healthy pod in a loop, or never a hung one",
}

# What a Celery probe on the wrong file breaks: workers touch readiness on worker_ready
# (CEL/apps/app_base.py:354-364) and liveness every 15 s (app_base.py:525-548); beat likewise
# (CEL/apps/beat.py:31,60-68,246-247). Nobody touches another file.
_wrong_celery := {
	"readiness": concat("", [
		"the worker only touches its own file (CEL/apps/app_base.py:354-364), so the pod never becomes Ready and ",
		"every rollout stalls",
	]),
	"liveness": concat("", [
		"the worker only refreshes its own file every 15 s (app_base.py:525-548), so the kubelet kills a healthy ",
		"worker over and over",
	]),
}

# METADATA
# title: Readiness or liveness probe missing
# description: |
#   A prod container (every server, datastore and Celery pod) lacks a readiness or liveness probe
#   (data.hardening.probes.required). v1.9.0's chart has none for api, web and model servers (fact sheet §1b);
#   the bases add them on the real endpoints.
# scope: rule
# custom:
#   id: ONYX-PROD-020
#   severity: error
deny contains finding if {
	_prod
	required := _probes.required
	workloads := input.workloads
	some w in workloads
	some i, c in w.containers
	missing := [kind | some kind in required; not c.probes[kind]]
	count(missing) > 0
	what := concat("", ["container ", c.name, " has no ", concat(" or ", missing), " probe"])
	why := concat("; ", [text | some kind in missing; text := _without[kind]])
	field := concat("", ["spec.template.spec.containers[", format_int(i, 10), "]"])
	finding := _probe_finding(_probe_missing_meta, w, field, what, why)
}

# METADATA
# title: Probe not on the real endpoint
# description: |
#   A prod server's readiness or liveness probe uses none of the handlers its process really answers on
#   (data.hardening.probes.endpoints: api /health on 8080, model servers /api/health on 9000, web / on 3000,
#   Vespa's config server /state/v1/health on 19071, …; fact sheet §1a).
# scope: rule
# custom:
#   id: ONYX-PROD-021
#   severity: error
deny contains finding if {
	_prod
	endpoints := _probes.endpoints
	workloads := input.workloads
	some w in workloads
	accepted := endpoints[w.name]
	some i, c in w.containers
	c.name == w.name
	some kind in ["readiness", "liveness"]
	probe := c.probes[kind]
	not _matches_any(probe, accepted[kind], c)
	what := concat("", [
		"the ", kind, " probe of ", w.name, " checks ", _describe(probe, c), ", not ",
		concat(" or ", [text | some a in accepted[kind]; text := _describe_accepted(a)]),
	])
	finding := _probe_finding(_wrong_meta, w, _probe_field(i, kind), what, _wrong[kind])
}

# METADATA
# title: Probe not on the real endpoint
# description: |
#   A prod Celery container's readiness or liveness probe does not run celery_k8s_probe.py for that probe
#   kind on the file its worker touches: /tmp/onyx_k8s_<name>_<kind>.txt, <name> from the worker's hostname
#   (data.hardening.probes.celery; fact sheet §2 "Helm probes", CEL/celery_utils.py:150-164).
# scope: rule
# custom:
#   id: ONYX-PROD-021
#   severity: error
deny contains finding if {
	_prod
	celery := _probes.celery
	workloads := input.workloads
	some w in workloads
	some i, c in w.containers
	names := celery.names[c.celery.app]
	some kind in ["readiness", "liveness"]
	probe := c.probes[kind]
	not _runs_celery_probe(probe, kind, names, celery.program)
	files := [file | some name in names; file := _probe_file(name, kind)]
	what := concat("", [
		"the ", kind, " probe of ", w.name, " checks ", _describe(probe, c), ", not `", celery.program, " --probe ", kind,
		" --filename ", concat(" | ", files), "`",
	])
	finding := _probe_finding(_wrong_meta, w, _probe_field(i, kind), what, _wrong_celery[kind])
}

# METADATA
# title: Grace period too short to stop gracefully
# description: |
#   A prod pod runs a Celery app that must finish its current work before it exits
#   (data.hardening.graceful_stop: docfetching, docprocessing) with a terminationGracePeriodSeconds below the
#   minimum: the kubelet SIGKILLs it during every rollout, scale-in and node drain.
# scope: rule
# custom:
#   id: ONYX-PROD-022
#   severity: error
deny contains finding if {
	_prod
	graceful := _hardening.graceful_stop
	workloads := input.workloads
	some w in workloads
	apps := {c.celery.app | some c in w.containers; graceful[c.celery.app]}
	some app in apps
	minimum := graceful[app].min_seconds
	w.termination_grace_period_seconds < minimum
	what := concat("", [
		w.name, " (Celery app ", app, ") gets terminationGracePeriodSeconds ",
		format_int(w.termination_grace_period_seconds, 10), ", less than the ", format_int(minimum, 10),
		" s it needs to stop gracefully",
	])
	finding := _probe_finding(_grace_meta, w, _grace_field, what, graceful[app].consequence)
}

_grace_field := "spec.template.spec.terminationGracePeriodSeconds"

_matches_any(probe, accepted, c) if {
	some a in accepted
	_matches(probe, a, c)
}

_matches(probe, accepted, c) if {
	probe.httpGet.path == accepted.http_get.path
	_port(probe.httpGet.port, c) == accepted.http_get.port
}

_matches(probe, accepted, c) if {
	_port(probe.tcpSocket.port, c) == accepted.tcp_socket.port
}

_matches(probe, accepted, _) if {
	contains(concat(" ", probe.exec.command), accepted.exec.contains)
}

_runs_celery_probe(probe, kind, names, program) if {
	command := concat(" ", probe.exec.command)
	contains(command, program)
	contains(command, concat("", ["--probe ", kind]))
	some name in names
	contains(command, concat("", ["--filename ", _probe_file(name, kind)]))
}

_probe_file(name, kind) := concat("", ["/tmp/onyx_k8s_", name, "_", kind, ".txt"])

# A probe port is a number or the name of a container port.
_port(port, _) := port if is_number(port)

_port(port, c) := p.port if {
	is_string(port)
	some p in c.ports
	p.name == port
}

_describe(probe, c) := concat("", ["HTTP GET ", probe.httpGet.path, " on ", _port_text(probe.httpGet.port, c)]) if {
	probe.httpGet
}

_describe(probe, c) := concat("", ["TCP ", _port_text(probe.tcpSocket.port, c)]) if probe.tcpSocket

_describe(probe, _) := concat("", ["`", concat(" ", probe.exec.command), "`"]) if probe.exec

_describe(probe, c) := concat("", ["gRPC ", _port_text(probe.grpc.port, c)]) if probe.grpc

# "http (8080)" for a named port, the number otherwise.
_port_text(port, c) := concat("", [port, " (", format_int(_port(port, c), 10), ")"]) if {
	is_string(port)
	_port(port, c)
} else := _number_text(port)

_describe_accepted(a) := concat("", ["HTTP GET ", a.http_get.path, " on ", _number_text(a.http_get.port)]) if a.http_get

_describe_accepted(a) := concat("", ["TCP ", _number_text(a.tcp_socket.port)]) if a.tcp_socket

_describe_accepted(a) := concat("", ["a command running ", a.exec.contains]) if a.exec

_number_text(value) := value if is_string(value)

_number_text(value) := format_int(value, 10) if is_number(value)

_probe_field(i, kind) := concat("", ["spec.template.spec.containers[", format_int(i, 10), "].", kind, "Probe"])

_probe_finding(meta, w, field, what, why) := object.union(meta, {
	"kind": w.kind,
	"name": w.name,
	"field": field,
	"file": w.file,
	"message": concat("", [what, " — ", why, " (", w.kind, " ", w.name, " ", field, ")"]),
})
