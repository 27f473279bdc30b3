import base64

from onyx_gate.env import ObjectIndex, effective_env

DEFAULTS = {
    "MODEL_SERVER_HOST": {"default": "localhost"},
    "MODEL_SERVER_PORT": {"default": "9000"},
    "INDEXING_MODEL_SERVER_HOST": {"fallback": "MODEL_SERVER_HOST"},
    "INDEXING_MODEL_SERVER_PORT": {"fallback": "MODEL_SERVER_PORT"},
}


def index_with(*objects):
    index = ObjectIndex()
    for obj in objects:
        index.add(obj, "onyx")
    return index


CONFIG = {"kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"A": "from-cm", "MODEL_SERVER_HOST": "inference"}}
SECRET = {"kind": "Secret", "metadata": {"name": "sec"},
          "data": {"PW": base64.b64encode(b"s3cret").decode(), "A": base64.b64encode(b"from-secret").decode()}}


def test_env_overrides_env_from_and_later_env_from_overrides_earlier():
    container = {"envFrom": [{"configMapRef": {"name": "cfg"}}, {"secretRef": {"name": "sec"}}],
                 "env": [{"name": "MODEL_SERVER_HOST", "value": "override"}]}
    env = effective_env(container, "onyx", {}, index_with(CONFIG, SECRET), None)
    assert env.values["A"] == "from-secret"
    assert env.sources["A"] == "Secret/sec"
    assert env.values["MODEL_SERVER_HOST"] == "override"
    assert env.sources["MODEL_SERVER_HOST"] == "env"


def test_value_from_resolves_config_maps_secrets_and_namespace():
    container = {"env": [
        {"name": "H", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "MODEL_SERVER_HOST"}}},
        {"name": "P", "valueFrom": {"secretKeyRef": {"name": "sec", "key": "PW"}}},
        {"name": "NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        {"name": "URL", "value": "http://$(H).$(NS):9000/$(UNKNOWN)"},
    ]}
    env = effective_env(container, "onyx", {}, index_with(CONFIG, SECRET), None)
    assert env.values["H"] == "inference"
    assert env.values["P"] == "s3cret"
    assert env.values["URL"] == "http://inference.onyx:9000/$(UNKNOWN)"


def test_missing_references_are_recorded_not_invented():
    container = {"envFrom": [{"configMapRef": {"name": "absent"}}],
                 "env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "onyx-secrets", "key": "pw"}}}]}
    env = effective_env(container, "onyx", {}, index_with(), None)
    assert "X" not in env.values
    assert [m["name"] for m in env.missing] == ["absent", "onyx-secrets"]


def test_indexing_host_falls_back_to_model_server_host_then_localhost():
    only_model = {"env": [{"name": "MODEL_SERVER_HOST", "value": "inference"}]}
    env = effective_env(only_model, "onyx", {}, index_with(), DEFAULTS)
    assert env.values["INDEXING_MODEL_SERVER_HOST"] == "inference"
    assert env.sources["INDEXING_MODEL_SERVER_HOST"] == "fallback:MODEL_SERVER_HOST"
    assert env.values["INDEXING_MODEL_SERVER_PORT"] == "9000"
    nothing = effective_env({}, "onyx", {}, index_with(), DEFAULTS)
    assert nothing.values["INDEXING_MODEL_SERVER_HOST"] == "localhost"


def test_empty_value_counts_as_unset_as_in_onyx_code():
    container = {"env": [{"name": "MODEL_SERVER_PORT", "value": ""}, {"name": "INDEXING_MODEL_SERVER_HOST",
                                                                       "value": "indexing"}]}
    env = effective_env(container, "onyx", {}, index_with(), DEFAULTS)
    assert env.values["MODEL_SERVER_PORT"] == "9000"
    assert env.values["INDEXING_MODEL_SERVER_HOST"] == "indexing"
    assert env.sources["INDEXING_MODEL_SERVER_HOST"] == "env"
