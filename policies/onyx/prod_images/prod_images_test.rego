package onyx.prod_images_test

import data.onyx.prod_images

# Evaluated with the real policy data (opa test policies/onyx policies/data): data.hardening, data.profiles.

_workload(image, init_image) := {
	"kind": "Deployment", "name": "api-server", "file": "base/api-server/deployment.yaml",
	"containers": [{"name": "api-server", "image": image}],
	"init_containers": [{"name": "init", "image": init_image}],
}

_model(overlay, image, init_image) := {"overlay": overlay, "workloads": [_workload(image, init_image)]}

test_release_tag_and_pinned_datastores_pass if {
	model := _model("overlays/prod", "onyxdotapp/onyx-backend:v1.9.0", "postgres:15.2-alpine")
	findings := prod_images.deny with input as model
	count(findings) == 0
}

test_digest_passes_whatever_the_tag if {
	model := _model("overlays/prod", "docker.io/onyxdotapp/onyx-backend@sha256:0123456789abcdef", "redis:7.4-alpine@sha256:ab")
	findings := prod_images.deny with input as model
	count(findings) == 0
}

test_registry_prefix_and_port_are_not_tags if {
	model := _model("overlays/prod", "docker.io/onyxdotapp/onyx-backend:v1.9.0", "registry:5000/tools/x:1.2")
	findings := prod_images.deny with input as model
	count(findings) == 0
}

test_latest_is_refused if {
	findings := prod_images.deny with input as _model("overlays/prod", "onyxdotapp/onyx-backend:latest", "postgres:15.2-alpine")
	count(findings) == 1
	some f in findings
	f.id == "ONYX-PROD-001"
	f.field == "spec.template.spec.containers[0].image"
	f.file == "base/api-server/deployment.yaml"
	contains(f.message, "container api-server runs image onyxdotapp/onyx-backend:latest, whose tag latest floats — every pod start pulls")
	contains(f.message, "(Deployment api-server spec.template.spec.containers[0].image)")
}

test_missing_tag_on_an_init_container_is_refused if {
	findings := prod_images.deny with input as _model("overlays/prod", "onyxdotapp/onyx-backend:v1.9.0", "registry:5000/busybox")
	some f in findings
	f.id == "ONYX-PROD-001"
	f.field == "spec.template.spec.initContainers[0].image"
	contains(f.message, "container init runs image registry:5000/busybox without a tag or digest, i.e. `latest`")
}

test_other_onyx_version_is_refused if {
	findings := prod_images.deny with input as _model("overlays/prod", "onyxdotapp/onyx-backend:v1.8.3", "postgres:15.2-alpine")
	some f in findings
	f.id == "ONYX-PROD-002"
	contains(f.message, "container api-server runs onyxdotapp/onyx-backend:v1.8.3, not the v1.9.0 release — the Celery queues")
}

test_cloud_build_is_refused if {
	findings := prod_images.deny with input as _model("overlays/prod", "docker.io/onyxdotapp/onyx-model-server:v1.9.0-cloud", "x:1")
	{f.id | some f in findings} == {"ONYX-PROD-002"}
}

test_latest_onyx_image_is_one_finding_not_two if {
	findings := prod_images.deny with input as _model("overlays/prod", "onyxdotapp/onyx-web-server:latest", "x:1")
	{f.id | some f in findings} == {"ONYX-PROD-001"}
}

test_other_profiles_are_not_judged if {
	full := prod_images.deny with input as _model("overlays/full", "onyxdotapp/onyx-backend:latest", "busybox")
	count(full) == 0
	unregistered := prod_images.deny with input as _model("overlays/x", "onyxdotapp/onyx-backend:latest", "busybox")
	count(unregistered) == 0
}

test_workload_without_init_containers if {
	model := {"overlay": "overlays/prod", "workloads": [{
		"kind": "StatefulSet", "name": "vespa", "file": "base/vespa/stateful-set.yaml",
		"containers": [{"name": "vespa", "image": "vespaengine/vespa"}],
	}]}
	findings := prod_images.deny with input as model
	some f in findings
	f.kind == "StatefulSet"
	contains(f.message, "without a tag or digest")
}
