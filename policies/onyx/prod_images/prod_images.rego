# METADATA
# title: Production images are pinned
# description: |
#   In the prod profile every container and init container names a fixed build: a digest, or a tag that is
#   not floating (data.hardening.images.floating_tags); and the Onyx images are the v1.9.0 release
#   (v1.9.0 fact sheet §0 "Release image tags") unless pinned by digest.
# entrypoint: true
package onyx.prod_images

_unpinned := {"id": "ONYX-PROD-001", "severity": "error", "title": "Image not pinned"}

_not_release := {"id": "ONYX-PROD-002", "severity": "error", "title": "Onyx image is not the v1.9.0 release"}

# regal ignore:unresolved-reference
_hardening := data.hardening

_images := _hardening.images

# Prod-only rules apply when the overlay's registered profile is the hardening profile (data.profiles).
_prod if data.profiles.overlays[input.overlay] == _hardening.profile

# METADATA
# title: Image not pinned
# description: |
#   A prod container image has no tag (so `latest`) or a floating tag, and no digest: v1.9.0's compose and
#   Helm default to `latest` (fact sheet §0 "Image tags", DC:3, V:7), which the docker-tag-latest workflow
#   re-points (docker-tag-latest.yml:33-37), so restarts and new replicas run an unreviewed build.
# scope: rule
# custom:
#   id: ONYX-PROD-001
#   severity: error
deny contains finding if {
	_prod
	workloads := input.workloads
	some w in workloads
	some entry in _image_containers(w)
	image := entry.container.image
	not _has_digest(image)
	what := _unpinned_what(entry.container.name, image, _tag(image))
	finding := _image_finding(_unpinned, w, concat("", [entry.path, ".image"]), what, _unpinned_why)
}

# METADATA
# title: Onyx image is not the v1.9.0 release
# description: |
#   A prod container runs an Onyx image (data.hardening.images.release_repositories) at a fixed tag other
#   than the release tag (v1.9.0), e.g. another version or a -cloud build: the manifests, the catalog and
#   every policy here describe v1.9.0 (fact sheet §0).
# scope: rule
# custom:
#   id: ONYX-PROD-002
#   severity: error
deny contains finding if {
	_prod
	workloads := input.workloads
	some w in workloads
	some entry in _image_containers(w)
	image := entry.container.image
	not _has_digest(image)
	_repository(image) in _images.release_repositories
	tag := _tag(image)
	not tag in _images.floating_tags
	tag != _images.release_tag
	what := concat("", [
		"container ", entry.container.name, " runs ", image, ", not the ", _images.release_tag, " release",
	])
	finding := _image_finding(_not_release, w, concat("", [entry.path, ".image"]), what, _not_release_why)
}

_unpinned_why := concat("", [
	"every pod start pulls whatever the registry points that name at, so replicas, restarts and rollbacks ",
	"run builds nobody reviewed (v1.9.0 §0: `latest` is re-pointed by docker-tag-latest.yml:33-37)",
])

_not_release_why := concat("", [
	"the Celery queues, wiring, probes and secrets of these manifests and of the gate's catalog are those ",
	"of ", _images.release_tag, " (v1.9.0 §0), so a different build runs unjudged and may not start or index",
])

_unpinned_what(container, image, "") := concat("", [
	"container ", container, " runs image ", image, " without a tag or digest, i.e. `latest`",
])

_unpinned_what(container, image, tag) := concat("", [
	"container ", container, " runs image ", image, ", whose tag ", tag, " floats",
]) if {
	tag in _images.floating_tags
}

# Containers and init containers with their field path. `some i; x[i]`, not `some i, c in x`: regopy
# cannot parse the key-value form inside a comprehension.
_image_containers(w) := array.concat(
	[entry |
		some i

		# regal ignore:prefer-some-in-iteration
		c := w.containers[i]
		entry := {"path": concat("", ["spec.template.spec.containers[", format_int(i, 10), "]"]), "container": c}
	],
	[entry |
		inits := object.get(w, "init_containers", [])
		some i
		c := inits[i]
		entry := {"path": concat("", ["spec.template.spec.initContainers[", format_int(i, 10), "]"]), "container": c}
	],
)

_has_digest(image) if contains(image, "@")

# The tag of "registry:5000/repo:tag" is after the last ":" of the last path segment; "" when untagged.
_tag(image) := tag if {
	segments := split(image, "/")
	last := segments[count(segments) - 1]
	contains(last, ":")
	parts := split(last, ":")
	tag := parts[count(parts) - 1]
} else := ""

# "docker.io/onyxdotapp/onyx-backend:v1.9.0" → "onyxdotapp/onyx-backend" (as model.py's image families).
_repository(image) := repository if {
	tag := _tag(image)
	untagged := _strip_tag(image, tag)
	repository := trim_prefix(trim_prefix(trim_prefix(untagged, "docker.io/"), "index.docker.io/"), "library/")
}

_strip_tag(image, "") := image

_strip_tag(image, tag) := substring(image, 0, (count(image) - count(tag)) - 1) if tag != ""

_image_finding(meta, w, field, what, why) := object.union(meta, {
	"kind": w.kind,
	"name": w.name,
	"field": field,
	"file": w.file,
	"message": concat("", [what, " — ", why, " (", w.kind, " ", w.name, " ", field, ")"]),
})
