# METADATA
# title: Secrets never in Git
# description: |
#   In every profile no rendered Secret carries data or stringData, and no ConfigMap holds a credential
#   (a non-empty value under a key named like one, data.hardening.secrets.credential_words, or a value that
#   matches a credential pattern). In the prod profile every Secret a pod references comes from an
#   ExternalSecret of the same name rendered in the overlay (onyx-secrets: v1.9.0 V:612-620, fact sheet §6).
# entrypoint: true
package onyx.prod_secrets

_valued_meta := {"id": "ONYX-PROD-050", "severity": "error", "title": "Secret with values in Git"}

_config_meta := {"id": "ONYX-PROD-051", "severity": "error", "title": "Credential in a ConfigMap"}

_unsourced_meta := {"id": "ONYX-PROD-052", "severity": "error", "title": "Secret without an ExternalSecret"}

# regal ignore:unresolved-reference
_hardening := data.hardening

_secrets := _hardening.secrets

_prod if data.profiles.overlays[input.overlay] == _hardening.profile

_in_git_why := concat("", [
	"every reader of the repository, its forks and Argo CD's repository cache holds the credential, and ",
	"rotating it means rewriting Git history; write the Secret from a secret manager instead ",
	"(prod: ExternalSecret, docs/production.md; other overlays: kubectl create secret, docs/deployment.md)",
])

_unsourced_why := concat("", [
	"nothing in the overlay writes it: on a fresh cluster the pod waits in CreateContainerConfigError, and prod's ",
	"credentials would come from a hand-made Secret nobody reviews or rotates (docs/production.md \"Secrets\")",
])

# METADATA
# title: Secret with values in Git
# description: |
#   Any overlay (every profile) renders a Secret with data or stringData: its values are in Git.
# scope: rule
# custom:
#   id: ONYX-PROD-050
#   severity: error
deny contains finding if {
	secrets := input.secrets
	some s in secrets
	s.has_values
	what := concat("", ["Secret ", s.name, " carries data or stringData in the manifests"])
	finding := {
		"id": _valued_meta.id,
		"severity": _valued_meta.severity,
		"title": _valued_meta.title,
		"kind": "Secret",
		"name": s.name,
		"field": "data",
		"file": s.file,
		"message": concat("", [what, " — ", _in_git_why, " (Secret ", s.name, " data/stringData)"]),
	}
}

# METADATA
# title: Credential in a ConfigMap
# description: |
#   Any overlay (every profile) renders a ConfigMap key whose name has a credential word
#   (data.hardening.secrets.credential_words, e.g. POSTGRES_PASSWORD, GEN_AI_API_KEY) with a non-empty value,
#   or whose value matches data.hardening.secrets.credential_value_patterns (private keys, cloud and SaaS
#   tokens, URLs with a password). The value is never repeated in the finding.
# scope: rule
# custom:
#   id: ONYX-PROD-051
#   severity: error
deny contains finding if {
	config_maps := input.config_maps
	some cm in config_maps
	some key, value in cm.data
	trim_space(value) != ""
	why := _credential_reason(key, value)
	what := concat("", ["ConfigMap ", cm.name, " key ", key, " holds a value ", why])
	field := concat("", ["data.", key])
	finding := {
		"id": _config_meta.id,
		"severity": _config_meta.severity,
		"title": _config_meta.title,
		"kind": "ConfigMap",
		"name": cm.name,
		"field": field,
		"file": cm.file,
		"message": concat("", [what, " — ", _in_git_why, " (ConfigMap ", cm.name, " ", field, ")"]),
	}
}

# METADATA
# title: Secret without an ExternalSecret
# description: |
#   A prod container references a Secret (secretKeyRef or envFrom, not optional) that the overlay neither
#   renders nor produces through an ExternalSecret of the same name (data.hardening.secrets.external_secret_kind).
#   The ExternalSecret's target name and keys are not in the gate's model: name it after its Secret.
# scope: rule
# custom:
#   id: ONYX-PROD-052
#   severity: error
deny contains finding if {
	_prod
	objects := input.objects
	produced := {o.name | some o in objects; o.kind == _secrets.external_secret_kind}
	workloads := input.workloads
	some w in workloads
	some i, c in w.containers
	references := [r |
		some r in object.get(c, "missing_references", [])
		r.kind == "Secret"
		not r.optional
		not r.name in produced
	]
	some name in {r.name | some r in references}

	# an array before sort(): regopy's sort() of a set returns a set
	keys := sort([key | some key in {r.key | some r in references; r.name == name; r.key}])
	what := concat("", ["container ", c.name, " of ", w.name, " reads Secret ", name, _keys_text(keys)])
	field := concat("", ["spec.template.spec.containers[", format_int(i, 10), "].env"])
	finding := object.union(_unsourced_meta, {
		"kind": w.kind,
		"name": w.name,
		"field": field,
		"file": w.file,
		"message": concat("", [what, " — ", _unsourced_why, " (", w.kind, " ", w.name, " ", field, ")"]),
	})
}

# Why a ConfigMap value is a credential: its key's words, else its value's shape.
_credential_reason(key, value) := concat("", ["under a credential name (", concat(", ", words), ")"]) if {
	not key in _secrets.non_credential_keys
	words := [word | some word in regex.split(`[^A-Z0-9]+`, upper(key)); word in _secrets.credential_words]
	count(words) > 0
} else := "that looks like a credential (a private key, token or URL with a password)" if {
	some pattern in _secrets.credential_value_patterns
	regex.match(pattern, value)
}

_keys_text(keys) := "" if count(keys) == 0

_keys_text(keys) := concat("", [" (keys ", concat(", ", keys), ")"]) if count(keys) > 0
