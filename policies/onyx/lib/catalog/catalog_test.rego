# METADATA
# title: Policy data integrity
# description: |
#   The catalog (policies/data/catalog) and the profiles (policies/data/profiles) are consistent: a
#   typo in data would otherwise make a rule silently skip what it should judge.
package onyx.lib.catalog_test

_catalog := data.catalog

_workload_names := object.keys(_catalog.workloads)

_apps := {"beat", "primary", "light", "heavy", "docfetching", "docprocessing", "monitoring", "kg_processing"}

test_eighteen_workloads_with_kind_group_and_consequence if {
	count(_workload_names) == 18
	every _, w in _catalog.workloads {
		w.kind in {"Deployment", "StatefulSet"}
		w.group in {"server", "datastore", "celery"}
		_sentence(w.consequence)
	}
}

# 16 OnyxCeleryQueues (v1.9.0 §3, K:324-355) + periodic_tasks.
test_seventeen_queues if {
	count(_catalog.queues) == 17
	every _, q in _catalog.queues {
		count(q.task_apps) > 0
		every app in q.task_apps {
			app in _apps
		}
		q.expected_consumer in _workload_names
		is_boolean(q.on_indexing_path)
		_sentence(q.consequence)
		every producer in q.producers {
			_valid_producer(producer)
		}
	}
}

# v1.9.0 §3a: the upload → index → search path.
test_indexing_path if {
	{name | some name, q in _catalog.queues; q.on_indexing_path} == {
		"celery", "connector_doc_fetching", "docprocessing", "user_files_indexing",
	}
}

test_edges_name_known_addresses_and_workloads if {
	every edge in _catalog.edges {
		_catalog.addresses[edge.address]
		edge.to in _workload_names
		count(edge.from_workloads) + count(edge.from_celery_apps) > 0
		every name in edge.from_workloads {
			name in _workload_names
		}
		every app in edge.from_celery_apps {
			app in _apps
		}
		_sentence(edge.consequence)
	}
}

test_addresses_have_the_shape_python_reads if {
	every _, address in _catalog.addresses {
		_address_shape(address)
	}
}

test_env_defaults_have_the_shape_python_reads if {
	every _, family in _catalog.env_defaults {
		every _, entry in family {
			count(entry) == 1
			_default_shape(entry)
		}
	}
	every _, family in _catalog.image_families {
		_catalog.env_defaults[family]
	}
}

test_profiles_name_known_workloads if {
	every _, profile in data.profiles.overlays {
		data.profiles.profiles[profile]
	}
	every _, profile in data.profiles.profiles {
		every name in profile.required_workloads {
			name in _workload_names
		}
		profile.queue_scope in {"all", "indexing_path"}
		is_boolean(profile.require_automated_sync)
	}
}

# v1.9.0 §3a "Minimal worker Deployments for the File-connector path".
test_minimal_profile_has_the_file_connector_path if {
	required := {name | some name in data.profiles.profiles.minimal.required_workloads}
	{"celery-beat", "celery-worker-primary", "celery-worker-docfetching", "celery-worker-docprocessing"} & required == {
		"celery-beat", "celery-worker-primary", "celery-worker-docfetching", "celery-worker-docprocessing",
	}
	count({name | some name in _workload_names; _catalog.workloads[name].group == "celery"} & required) == 4
}

test_full_and_prod_require_everything if {
	every profile in ["full", "prod"] {
		{name | some name in data.profiles.profiles[profile].required_workloads} == {name | some name in _workload_names}
	}
}

_sentence(text) if {
	is_string(text)
	count(text) > 20
	not endswith(text, ".")
	not contains(text, "\n")
}

_valid_producer(producer) if {
	count(object.keys(producer) & {"workload", "celery_app", "celery_beat"}) == 1
	_valid_condition(object.get(producer, "condition", {}))
	_valid_source(producer)
}

_valid_source(producer) if producer.workload in _workload_names

_valid_source(producer) if producer.celery_app in _apps

_valid_source(producer) if producer.celery_beat == true

_valid_condition(condition) if count(condition) == 0

_valid_condition(condition) if condition.test in {"equals_true", "non_empty"}

_valid_condition(condition) if condition.feature == "kg"

_address_shape(address) if object.keys(address) == {"host_var", "port_var"}

_address_shape(address) if object.keys(address) == {"url_var"}

_address_shape(address) if {
	object.keys(address) == {"host_var", "port"}
	is_number(address.port)
}

_default_shape(entry) if is_string(entry.default)

_default_shape(entry) if is_string(entry.fallback)
