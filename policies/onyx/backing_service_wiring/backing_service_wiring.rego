# METADATA
# title: Backing service wiring
# description: |
#   Every process reaches the Redis, Postgres, Vespa (app and config server), S3/MinIO, API and web
#   server it needs, through a rendered Service that selects exactly that workload at a served port.
#   Edges: data.catalog.edges from the v1.9.0 fact sheet §4 "What each process needs" and the nginx /
#   web rows of §1a; failure modes §7.
# entrypoint: true
package onyx.backing_service_wiring

import data.onyx.lib.reach

_backing_service_miswired := {"id": "ONYX-WIRING-002", "severity": "error", "title": "Backing service not reached"}

# Owned by model_server_wiring.
_model_server_addresses := {"inference_model_server", "indexing_model_server"}

# METADATA
# title: Backing service not reached
# description: |
#   An endpoint of a process points at localhost, at nothing, at a Service that is not rendered, at a
#   Service that selects another workload, on a port the Service does not expose, or through a
#   targetPort no container serves. Consequences per edge: §7 (app_base.py:237-318,514-521;
#   setup.py:163-164; RDF:921,1182; run-nginx.sh:20-35).
# scope: rule
# custom:
#   id: ONYX-WIRING-002
#   severity: error
deny contains finding if {
	problems := reach.problems
	some problem in problems
	edge := data.catalog.edges[problem.edge]
	not edge.address in _model_server_addresses
	finding := object.union(_backing_service_miswired, reach.describe(problem, edge, data.catalog.addresses[edge.address]))
}
