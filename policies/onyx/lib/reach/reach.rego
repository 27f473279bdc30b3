# METADATA
# title: Reachability of the wiring edges (library)
# description: |
#   Follows every catalog wiring edge (data.catalog.edges, v1.9.0 fact sheet §4 "What each process
#   needs") from the source container's endpoint (docs/model.md `endpoints`) through the rendered Service
#   to the target workload's container port. Shared by model_server_wiring, backing_service_wiring and
#   network_reachability; judges nothing itself.
package onyx.lib.reach

_edges := data.catalog.edges

# Indexes, built once per query (regopy is slow at nested scans: policies/README.md "Performance").
# Edge indices per source workload name and per source Celery app.
_by_workload := {name: indices |
	some edge in _edges
	some name in edge.from_workloads
	indices := {i | some i; other := _edges[i]; name in other.from_workloads}
}

_by_app := {app: indices |
	some edge in _edges
	some app in edge.from_celery_apps
	indices := {i | some i; other := _edges[i]; app in other.from_celery_apps}
}

# Rendered Services by "<namespace>/<name>" (unique in a rendered overlay).
_services := {concat("/", [s.namespace, s.name]): s | some s in input.services}

# TCP container ports of every edge target, by target workload name.
_target_ports := {edge.to: ports |
	some edge in _edges
	ports := [p |
		some w in input.workloads
		w.name == edge.to
		some c in w.containers
		some p in c.ports
		object.get(p, "protocol", "TCP") == "TCP"
	]
}

# METADATA
# title: Wiring results
# description: |
#   One result per (edge, source workload, judged container): {"edge": index into data.catalog.edges,
#   "workload", "kind", "file", "namespace", "container" (index), "container_name", "diagnosis"}.
#   A named source workload is judged on its first (main) container and on any container with a value
#   for the address; a Celery app on every container running it.
# scope: document
results contains result if {
	workloads := input.workloads
	some w in workloads
	some index in _by_workload[w.name]
	some i, c in w.containers
	_judged(_edges[index].address, i, c)
	result := _result(index, w, i, c)
}

results contains result if {
	workloads := input.workloads
	some w in workloads
	some i, c in w.containers
	some index in _by_app[c.celery.app]
	result := _result(index, w, i, c)
}

# METADATA
# title: Broken wiring
# description: Results whose endpoint does not reach the edge's target workload.
problems contains result if {
	found := results
	some result in found
	result.diagnosis.code != "ok"
}

# METADATA
# title: Resolved links
# description: |
#   Source workload → target workload at a target container port, for every correctly wired edge:
#   {"edge", "from", "from_namespace", "to", "to_namespace", "port", "port_names"}.
links contains link if {
	found := results
	some result in found
	result.diagnosis.code == "ok"
	some port in result.diagnosis.ports
	link := {
		"edge": result.edge,
		"from": result.workload,
		"from_namespace": result.namespace,
		"to": _edges[result.edge].to,
		"to_namespace": result.diagnosis.service.namespace,
		"port": port,
		"port_names": result.diagnosis.port_names,
	}
}

# METADATA
# title: Edge sources
# description: Names of the workloads that are the source of at least one wiring edge.
sources := {result.workload | some result in results}

_judged(_, 0, _)

_judged(address, _, c) if c.endpoints[address]

_result(index, w, i, c) := {
	"edge": index,
	"workload": w.name,
	"kind": w.kind,
	"file": w.file,
	"namespace": w.namespace,
	"container": i,
	"container_name": c.name,
	"diagnosis": diagnosis(_edges[index], object.get(c, "endpoints", {}), _services, _target_ports),
}

# METADATA
# title: Diagnosis of one endpoint
# description: |
#   The first failing step, as {"code": …}: missing (no value, no code default), unresolved (localhost,
#   an IP or an external name), no_service, wrong_server (the Service does not select exactly the
#   target), port_mismatch, target_port_not_served; or ok with the target container ports.
#   services: Services by "<namespace>/<name>"; target_ports: TCP container ports by workload name.
diagnosis(edge, endpoints, services, target_ports) := {"code": "missing"} if {
	not endpoints[edge.address]
} else := {"code": "unresolved", "endpoint": endpoints[edge.address]} if {
	endpoints[edge.address].service == null
} else := d if {
	endpoint := endpoints[edge.address]
	service := services[concat("/", [endpoint.service_namespace, endpoint.service])]
	d := _service_diagnosis(edge, endpoint, service, target_ports)
} else := {"code": "no_service", "endpoint": endpoints[edge.address]}

_service_diagnosis(edge, endpoint, service, target_ports) := d if {
	service.selected_workloads != [edge.to]
	d := {"code": "wrong_server", "endpoint": endpoint, "service": _service_summary(service)}
} else := d if {
	not _service_port_index(service, endpoint.port)
	d := {"code": "port_mismatch", "endpoint": endpoint, "service": _service_summary(service)}
} else := d if {
	j := _service_port_index(service, endpoint.port)
	target_port := object.get(service.ports[j], "target_port", service.ports[j].port)
	candidates := object.get(target_ports, edge.to, [])
	ports := {p.port | some p in candidates; _port_matches(p, target_port)}
	names := {p.name | some p in candidates; p.port in ports}
	d := {
		"code": _ok_or_not_served(count(ports)), "endpoint": endpoint, "service": _service_summary(service),
		"port_index": j, "target_port": target_port, "ports": ports, "port_names": names,
		"declared": {p.port | some p in candidates},
	}
}

_ok_or_not_served(0) := "target_port_not_served"

_ok_or_not_served(n) := "ok" if n > 0

_service_summary(service) := {
	"name": service.name,
	"namespace": service.namespace,
	"file": service.file,
	"selected_workloads": service.selected_workloads,
	"ports": [p.port | some p in service.ports],
}

_service_port_index(service, port) := j if {
	some j
	service.ports[j].port == port
	object.get(service.ports[j], "protocol", "TCP") == "TCP"
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
		"message": concat("", [_diagnosis_text(result.diagnosis, result.workload, edge.to, _variable(address)), " — ", edge.consequence, " (", _location_text(result), ")"]),
	}
}

describe(result, edge, _) := fields if {
	result.diagnosis.code == "target_port_not_served"
	d := result.diagnosis
	what := concat("", ["Service ", d.service.name, " sends port ", _text(d.endpoint.port), " to targetPort ", _text(d.target_port), ", which no container of ", edge.to, " serves"])
	where := concat("", [result.workload, " reaches it through ", d.endpoint.var, "=", d.endpoint.value, "; ", edge.to, " declares TCP ports ", _text(d.declared)])
	fields := {
		"kind": "Service",
		"name": d.service.name,
		"field": concat("", ["spec.ports[", format_int(d.port_index, 10), "].targetPort"]),
		"file": d.service.file,
		"message": concat("", [what, " — ", edge.consequence, " (", where, ")"]),
	}
}

_diagnosis_text(d, source, target, var) := concat("", [source, " sets no ", var, ", so it points at nothing instead of ", target]) if {
	d.code == "missing"
}

_diagnosis_text(d, source, target, _) := concat("", [source, " reaches ", target, " through ", d.endpoint.var, "=", d.endpoint.value, ", which points at localhost"]) if {
	d.code == "unresolved"
	_is_loopback(d.endpoint.host)
}

_diagnosis_text(d, source, target, _) := concat("", [source, " reaches ", target, " through ", d.endpoint.var, "=", d.endpoint.value, ", which names no Service of the cluster"]) if {
	d.code == "unresolved"
	not _is_loopback(d.endpoint.host)
}

_diagnosis_text(d, source, _, _) := concat("", [source, " points ", d.endpoint.var, " at Service ", d.endpoint.service, ", which is not rendered in namespace ", d.endpoint.service_namespace]) if {
	d.code == "no_service"
}

_diagnosis_text(d, source, target, _) := concat("", [source, " points ", d.endpoint.var, " at the wrong server: Service ", d.service.name, " selects ", _selected_text(d.service.selected_workloads), ", not ", target]) if {
	d.code == "wrong_server"
}

_diagnosis_text(d, source, _, _) := concat("", [source, " reaches Service ", d.service.name, " on port ", _text(d.endpoint.port), ", which ", concat("", ["the Service does not expose (it has ", _text(d.service.ports), ")"])]) if {
	d.code == "port_mismatch"
}

_location_text(result) := concat("", ["container ", result.container_name, " of ", result.kind, " ", result.workload, "; no value and no Onyx code default"]) if {
	result.diagnosis.code == "missing"
}

_location_text(result) := concat("", ["container ", result.container_name, " of ", result.kind, " ", result.workload, "; ", result.diagnosis.endpoint.var, " from ", _source(result.diagnosis.endpoint.source)]) if {
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
