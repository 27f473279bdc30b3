"""onyx_gate: renders an Onyx overlay, validates it and judges it with the Rego policies in policies/."""
