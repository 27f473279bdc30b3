package onyx.overlay_registry_test

import data.onyx.lib.fixtures_test as fx
import data.onyx.overlay_registry

test_registered_overlays_pass if {
	count(overlay_registry.deny) == 0 with input as fx.prod
	count(overlay_registry.deny) == 0 with input as fx.minimal
}

test_unregistered_overlay_is_refused if {
	findings := overlay_registry.deny with input as object.union(fx.prod, {"overlay": "overlays/dev"})
	some f in findings
	f.id == "ONYX-OVERLAY-001"
	f.name == "overlays/dev"
	f.file == ""
	contains(f.message, "overlay \"overlays/dev\" is not registered")
	contains(f.message, "overlays/full, overlays/minimal, overlays/prod")
}

test_missing_registry_refuses_every_overlay if {
	findings := overlay_registry.deny with input as fx.prod with data.profiles as {}
	count(findings) == 1
}
