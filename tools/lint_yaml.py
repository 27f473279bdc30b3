#!/usr/bin/env python3
"""YAML lint for this repository (pre-commit hook `yaml-lint`): `python tools/lint_yaml.py FILE…`."""

from onyx_gate.yaml_lint import main

if __name__ == "__main__":
    raise SystemExit(main())
