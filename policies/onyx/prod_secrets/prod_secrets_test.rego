package onyx.prod_secrets_test

import data.onyx.prod_secrets

# Evaluated with the real policy data (opa test policies/onyx policies/data): data.hardening, data.profiles.

_config := {"name": "onyx-config", "file": "base/config/config-map.yaml", "data": {
	"POSTGRES_HOST": "postgres", "S3_ENDPOINT_URL": "http://minio:9000", "AUTH_TYPE": "disabled",
	"GEN_AI_API_KEY": "", "S3_FILE_STORE_BUCKET_NAME": "onyx-file-store-bucket",
}}

_reference(key) := {"kind": "Secret", "name": "onyx-secrets", "key": key, "optional": false, "via": "env X"}

_api := {
	"kind": "Deployment", "name": "api-server", "file": "base/api-server/deployment.yaml",
	"containers": [{"name": "api-server", "missing_references": [_reference("postgres_password"), _reference("redis_password")]}],
}

_external_secret := {
	"api_version": "external-secrets.io/v1", "kind": "ExternalSecret", "name": "onyx-secrets",
	"namespace": "onyx-prod", "file": "components/prod-external-secrets/onyx-secrets-external-secret.yaml", "annotations": {},
}

_model(overlay, secrets, config_maps, objects) := {
	"overlay": overlay, "secrets": secrets, "config_maps": config_maps, "workloads": [_api], "objects": objects,
}

test_prod_with_external_secret_passes if {
	findings := prod_secrets.deny with input as _model("overlays/prod", [], [_config], [_external_secret])
	count(findings) == 0
}

test_secret_with_values_in_any_profile if {
	secret := {"name": "onyx-secrets", "file": "overlays/minimal/secret.yaml", "has_values": true}
	findings := prod_secrets.deny with input as _model("overlays/minimal", [secret], [_config], [])
	count(findings) == 1
	some f in findings
	f.id == "ONYX-PROD-050"
	f.kind == "Secret"
	f.file == "overlays/minimal/secret.yaml"
	contains(f.message, "Secret onyx-secrets carries data or stringData in the manifests — every reader of the repository")
}

test_empty_secret_is_fine if {
	secret := {"name": "placeholder", "file": "s.yaml", "has_values": false}
	findings := prod_secrets.deny with input as _model("overlays/full", [secret], [_config], [])
	count(findings) == 0
}

test_credential_key_in_a_config_map if {
	config := object.union(_config, {"data": {"REDIS_PASSWORD": "hunter2", "OPENAI_API_KEY": "x"}})
	findings := prod_secrets.deny with input as _model("overlays/full", [], [config], [])
	{f.field | some f in findings} == {"data.REDIS_PASSWORD", "data.OPENAI_API_KEY"}
	some f in findings
	f.id == "ONYX-PROD-051"
	contains(f.message, "ConfigMap onyx-config key REDIS_PASSWORD holds a value under a credential name (PASSWORD) —")
	not contains(f.message, "hunter2")
}

test_credential_value_under_an_innocent_key if {
	config := object.union(_config, {"data": {"DATABASE_URL": "postgresql://onyx:hunter2@postgres:5432/onyx"}})
	findings := prod_secrets.deny with input as _model("overlays/prod", [], [config], [_external_secret])
	some f in findings
	f.field == "data.DATABASE_URL"
	contains(f.message, "holds a value that looks like a credential (a private key, token or URL with a password)")
	not contains(f.message, "hunter2")
}

test_blank_and_innocent_values_pass if {
	config := object.union(_config, {"data": {"SMTP_PASS": "  ", "WEB_DOMAIN": "https://onyx.example.com", "camelApiKey": ""}})
	findings := prod_secrets.deny with input as _model("overlays/prod", [], [config], [_external_secret])
	count(findings) == 0
}

test_prod_secret_without_external_secret if {
	findings := prod_secrets.deny with input as _model("overlays/prod", [], [_config], [])
	count(findings) == 1
	some f in findings
	f.id == "ONYX-PROD-052"
	f.field == "spec.template.spec.containers[0].env"
	contains(f.message, "container api-server of api-server reads Secret onyx-secrets (keys postgres_password, redis_password) — nothing in the overlay writes it")
}

test_external_secret_of_another_name_does_not_count if {
	other := object.union(_external_secret, {"name": "onyx-credentials"})
	findings := prod_secrets.deny with input as _model("overlays/prod", [], [_config], [other])
	{f.id | some f in findings} == {"ONYX-PROD-052"}
}

test_env_from_reference_without_key if {
	api := object.union(_api, {"containers": [{"name": "api-server", "missing_references": [
		{"kind": "Secret", "name": "extra", "optional": false, "via": "envFrom"},
		{"kind": "Secret", "name": "optional", "optional": true, "via": "envFrom"},
		{"kind": "ConfigMap", "name": "absent", "optional": false, "via": "envFrom"},
	]}]})
	model := object.union(_model("overlays/prod", [], [_config], [_external_secret]), {"workloads": [api]})
	findings := prod_secrets.deny with input as model
	count(findings) == 1
	some f in findings
	contains(f.message, "reads Secret extra — nothing in the overlay writes it")
}

test_other_profiles_may_create_the_secret_by_hand if {
	findings := prod_secrets.deny with input as _model("overlays/minimal", [], [_config], [])
	count(findings) == 0
}
