# METADATA
# title: Reachability of the wiring edges (library)
# description: |
#   Follows every catalog wiring edge (data.catalog.edges, v1.9.0 fact sheet §4 "What each process
#   needs") from the source container's endpoint (docs/model.md `endpoints`) through the rendered Service
#   to the target workload's container port. Shared by model_server_wiring, backing_service_wiring and
#   network_reachability; judges nothing itself.
package onyx.lib.reach

_edges := data.catalog.edges

# Performance (policies/README.md "Engine subset and performance"): regopy copies every object it binds
# or passes to a function, so the large input objects (a workload, a container and its env) are read
# once into small rows, and only rows that fail the fast path below get a full diagnosis.

# Every container as small facts.
_containers := [{
	"wi": wi, "ci": ci, "workload": w.name, "kind": w.kind, "file": w.file, "namespace": w.namespace,
	"container_name": c.name, "app": object.get(c, ["celery", "app"], ""),
} |
	some wi
	w := input.workloads[wi]
	some ci
	c := w.containers[ci]
]

# TCP container ports of every workload, flat.
_container_ports := [{"workload": w.name, "name": p.name, "port": p.port} |
	some w in input.workloads
	some c in w.containers
	some p in c.ports
	p.protocol == "TCP"
]

# Rendered Services by "<namespace>/<name>" (unique in a rendered overlay), summarised.
_services := {concat("/", [s.namespace, s.name]): summary |
	some s in input.services
	summary := {
		"name": s.name, "namespace": s.namespace, "file": s.file, "selected_workloads": s.selected_workloads,
		"ports": [{"port": p.port, "target_port": object.get(p, "target_port", p.port), "protocol": p.protocol} |
			some p in s.ports
		],
	}
}

# Fast path: "<target>|<namespace>|<service>|<port>" for every Service port that selects exactly one
# workload and whose targetPort that workload serves, with the container ports it reaches.
_served := {key: entry |
	some s in input.services
	count(s.selected_workloads) == 1
	target := s.selected_workloads[0]
	some p in s.ports
	p.protocol == "TCP"
	target_port := object.get(p, "target_port", p.port)
	ports := {cp.port | some cp in _container_ports; cp.workload == target; _port_matches(cp, target_port)}
	count(ports) > 0
	key := concat("|", [target, s.namespace, s.name, format_int(p.port, 10)])
	entry := {
		"namespace": s.namespace, "ports": ports,
		"port_names": {cp.name | some cp in _container_ports; cp.workload == target; cp.port in ports},
	}
}

# Edge indices per source workload name and per source Celery app (from data only: cheap).
_source_workloads := {name | some edge in _edges; some name in edge.from_workloads}

_source_apps := {app | some edge in _edges; some app in edge.from_celery_apps}

_edges_by_workload := {name: indices |
	some name in _source_workloads
	indices := {i | some i; edge := _edges[i]; name in edge.from_workloads}
}

_edges_by_app := {app: indices |
	some app in _source_apps
	indices := {i | some i; edge := _edges[i]; app in edge.from_celery_apps}
}

# One row per (edge, source workload, judged container): a named source workload is judged on its
# first (main) container and on any other container with a value for the address; a Celery app on
# every container running it.
_judged := array.concat(
	[{"edge": index, "fact": f} |
		some f in _containers
		some index in _edges_by_workload[f.workload]
		_is_judged_container(f, _edges[index].address)
	],
	[{"edge": index, "fact": f} |
		some f in _containers
		some index in _edges_by_app[f.app]
	],
)

_is_judged_container(fact, _) if fact.ci == 0

_is_judged_container(fact, address) if {
	fact.ci > 0
	input.workloads[fact.wi].containers[fact.ci].endpoints[address]
}

_rows := [object.union(j.fact, {
	"edge": j.edge,
	"endpoint": endpoint,
	"key": _served_key(_edges[j.edge].to, endpoint),
}) |
	some j in _judged
	endpoint := object.get(input.workloads[j.fact.wi].containers[j.fact.ci].endpoints, _edges[j.edge].address, null)
]

_served_key(_, null) := ""

_served_key(to, endpoint) := concat("|", [
	to, endpoint.service_namespace, endpoint.service, format_int(endpoint.port, 10),
]) if {
	endpoint != null
	_resolvable(endpoint)
}

_served_key(_, endpoint) := "" if {
	endpoint != null
	not _resolvable(endpoint)
}

_resolvable(endpoint) if {
	is_string(endpoint.service)
	is_number(endpoint.port)
}

# METADATA
# title: Broken wiring
# description: |
#   One result per (edge, source workload, judged container) whose endpoint does not reach the edge's
#   target workload: {"edge": index into data.catalog.edges, "workload", "kind", "file", "namespace",
#   "container" (index), "container_name", "diagnosis"}.
problems := [object.union(_result(row), {"diagnosis": diagnosis(
	_edges[row.edge],
	row.endpoint,
	object.get(_services, _service_key(row.endpoint), null),
	[cp | some cp in _container_ports; cp.workload == _edges[row.edge].to],
)}) |
	some row in _rows
	not _served[row.key]
]

_result(row) := {
	"edge": row.edge, "workload": row.workload, "kind": row.kind, "file": row.file,
	"namespace": row.namespace, "container": row.ci, "container_name": row.container_name,
}

# METADATA
# title: Resolved links
# description: |
#   Source workload → target workload at a target container port, for every correctly wired edge:
#   {"edge", "from", "from_namespace", "to", "to_namespace", "port", "port_names"}.
links := [link |
	some row in _rows
	served := _served[row.key]
	some port in served.ports
	link := {
		"edge": row.edge,
		"from": row.workload,
		"from_namespace": row.namespace,
		"to": _edges[row.edge].to,
		"to_namespace": served.namespace,
		"port": port,
		"port_names": served.port_names,
	}
]

# METADATA
# title: Edge sources
# description: Names of the workloads that are the source of at least one wiring edge.
sources := {j.fact.workload | some j in _judged}

_service_key(null) := ""

_service_key(endpoint) := concat("/", [endpoint.service_namespace, endpoint.service]) if {
	endpoint != null
	is_string(endpoint.service)
}

_service_key(endpoint) := "" if {
	endpoint != null
	endpoint.service == null
}

# METADATA
# title: Diagnosis of one endpoint
# description: |
#   The first failing step, as {"code": …}: missing (no value, no code default), unresolved (localhost,
#   an IP or an external name), no_service, wrong_server (the Service does not select exactly the
#   target), port_mismatch, target_port_not_served; or ok with the target container ports.
#   endpoint: the container's endpoint for the edge's address or null; service: the summary of the
#   Service it names or null; target_ports: the TCP container ports of the edge's target.
# scope: document
diagnosis(_, null, _, _) := {"code": "missing"}

diagnosis(_, endpoint, _, _) := {"code": "unresolved", "endpoint": endpoint} if {
	endpoint != null
	endpoint.service == null
}

diagnosis(_, endpoint, null, _) := {"code": "no_service", "endpoint": endpoint} if {
	endpoint != null
	endpoint.service != null
}

diagnosis(edge, endpoint, service, target_ports) := d if {
	endpoint != null
	endpoint.service != null
	service != null
	d := _service_diagnosis(edge, endpoint, service, target_ports)
}

_service_diagnosis(edge, endpoint, service, target_ports) := d if {
	service.selected_workloads != [edge.to]
	d := {"code": "wrong_server", "endpoint": endpoint, "service": service}
} else := d if {
	not _service_port_index(service, endpoint.port)
	d := {"code": "port_mismatch", "endpoint": endpoint, "service": service}
} else := d if {
	j := _service_port_index(service, endpoint.port)
	target_port := service.ports[j].target_port
	ports := {p.port | some p in target_ports; _port_matches(p, target_port)}
	d := {
		"code": _ok_or_not_served(count(ports)), "endpoint": endpoint, "service": service,
		"port_index": j, "target_port": target_port, "ports": ports,
		"declared": {p.port | some p in target_ports},
	}
}

_ok_or_not_served(0) := "target_port_not_served"

_ok_or_not_served(n) := "ok" if n > 0

_service_port_index(service, port) := j if {
	some j
	service.ports[j].port == port
	service.ports[j].protocol == "TCP"
}

_port_matches(p, target_port) if p.port == target_port

_port_matches(p, target_port) if {
	is_string(target_port)
	p.name == target_port
}

# METADATA
# title: Finding fields for a broken wiring result
# description: |
#   {"kind", "name", "field", "file", "message"} for a result of `problems`: the message is
#   "<what is wrong> — <edge consequence> (<where>)"; a targetPort nobody serves is reported on the
#   Service, every other failure on the source container's env.
# scope: document
describe(result, edge, address) := fields if {
	result.diagnosis.code != "target_port_not_served"
	fields := {
		"kind": result.kind,
		"name": result.workload,
		"field": concat("", ["spec.template.spec.containers[", format_int(result.container, 10), "].env"]),
		"file": result.file,
		"message": concat("", [
			_diagnosis_text(result.diagnosis, result.workload, edge.to, _variable(address)), " — ",
			edge.consequence, " (", _location_text(result), ")",
		]),
	}
}

describe(result, edge, _) := fields if {
	result.diagnosis.code == "target_port_not_served"
	d := result.diagnosis
	what := concat("", [
		"Service ", d.service.name, " sends port ", _text(d.endpoint.port), " to targetPort ",
		_text(d.target_port), ", which no container of ", edge.to, " serves",
	])
	where := concat("", [
		result.workload, " reaches it through ", d.endpoint.var, "=", d.endpoint.value, "; ", edge.to,
		" declares TCP ports ", _text(d.declared),
	])
	fields := {
		"kind": "Service",
		"name": d.service.name,
		"field": concat("", ["spec.ports[", format_int(d.port_index, 10), "].targetPort"]),
		"file": d.service.file,
		"message": concat("", [what, " — ", edge.consequence, " (", where, ")"]),
	}
}

_diagnosis_text(d, source, target, var) := concat("", [
	source, " sets no ", var, ", so it points at nothing instead of ", target,
]) if {
	d.code == "missing"
}

_diagnosis_text(d, source, target, _) := concat("", [
	source, " reaches ", target, " through ", d.endpoint.var, "=", d.endpoint.value,
	", which points at localhost",
]) if {
	d.code == "unresolved"
	_is_loopback(d.endpoint.host)
}

_diagnosis_text(d, source, target, _) := concat("", [
	source, " reaches ", target, " through ", d.endpoint.var, "=", d.endpoint.value,
	", which names no Service of the cluster",
]) if {
	d.code == "unresolved"
	not _is_loopback(d.endpoint.host)
}

_diagnosis_text(d, source, _, _) := concat("", [
	source, " points ", d.endpoint.var, " at Service ", d.endpoint.service,
	", which is not rendered in namespace ", d.endpoint.service_namespace,
]) if {
	d.code == "no_service"
}

_diagnosis_text(d, source, target, _) := concat("", [
	source, " points ", d.endpoint.var, " at the wrong server: Service ", d.service.name, " selects ",
	_selected_text(d.service.selected_workloads), ", not ", target,
]) if {
	d.code == "wrong_server"
}

_diagnosis_text(d, source, _, _) := concat("", [
	source, " reaches Service ", d.service.name, " on port ", _text(d.endpoint.port), ", which ",
	concat("", ["the Service does not expose (it has ", _text([p.port | some p in d.service.ports]), ")"]),
]) if {
	d.code == "port_mismatch"
}

_location_text(result) := concat("", [
	"container ", result.container_name, " of ", result.kind, " ", result.workload,
	"; no value and no Onyx code default",
]) if {
	result.diagnosis.code == "missing"
}

_location_text(result) := concat("", [
	"container ", result.container_name, " of ", result.kind, " ", result.workload, "; ",
	result.diagnosis.endpoint.var, " from ", _source(result.diagnosis.endpoint.source),
]) if {
	result.diagnosis.code != "missing"
}

_variable(address) := object.get(address, "url_var", object.get(address, "host_var", ""))

_source("default") := "the Onyx code default"

_source(source) := source if source != "default"

_selected_text([]) := "no workload"

_selected_text(names) := concat(", ", names) if count(names) > 0

_is_loopback(host) if host in {"localhost", "::1", "[::1]"}

_is_loopback(host) if startswith(host, "127.")

# Text of a port, a port name or a list of them. Messages are built with concat, never sprintf: regopy
# 1.5.2 formats a computed string given to sprintf's %s or %v as a quoted JSON string (README "Engine
# subset").
_text(x) := format_int(x, 10) if is_number(x)

_text(x) := x if is_string(x)

_text(x) := "(none)" if is_null(x)

_text(x) := concat(", ", [_scalar_text(e) | some e in x]) if is_array(x)

_text(x) := concat(", ", [_scalar_text(e) | some e in x]) if is_set(x)

_scalar_text(x) := format_int(x, 10) if is_number(x)

_scalar_text(x) := x if is_string(x)
