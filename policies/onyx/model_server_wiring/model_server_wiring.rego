# METADATA
# title: Model server wiring
# description: |
#   Every process that calls a model server reaches the right one: the inference model server for query
#   embedding, reranking and query analysis (api, kg_processing) and the indexing model server for
#   passage embedding (docprocessing, primary warm-up, api ingestion). Edges: data.catalog.edges from
#   the v1.9.0 fact sheet §4 (MODEL_SERVER_HOST / INDEXING_MODEL_SERVER_HOST rows and "What each process
#   needs"); the indexing host falls back to the inference host when unset (SC:14-19).
# entrypoint: true
package onyx.model_server_wiring

import data.onyx.lib.reach

_model_server_miswired := {"id": "ONYX-WIRING-001", "severity": "error", "title": "Model server not reached"}

# The catalog addresses this policy owns; every other address belongs to backing_service_wiring.
_addresses := {"inference_model_server", "indexing_model_server"}

# METADATA
# title: Model server not reached
# description: |
#   A model-server client's endpoint points at localhost, at nothing, at a Service that is not rendered,
#   at a Service that selects another server, on a port the Service does not expose, or through a
#   targetPort no container serves. Consequences per edge: §4, §7 (NLP:617-667,641-650).
# scope: rule
# custom:
#   id: ONYX-WIRING-001
#   severity: error
deny contains finding if {
	problems := reach.problems
	some problem in problems
	edge := data.catalog.edges[problem.edge]
	edge.address in _addresses
	finding := object.union(_model_server_miswired, reach.describe(problem, edge, data.catalog.addresses[edge.address]))
}
