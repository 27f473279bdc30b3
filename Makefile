# Two commands matter (README quick start): `make validate` and `make test`. Both work on a fresh clone:
# they create .venv, install the pinned requirements and build the pinned Go tools themselves.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)

include mk/tools.mk

.PHONY: validate validate-all test test-python test-rego venv clean bench

validate: $(STAMP)
	$(PY) tools/validate.py overlays/prod

validate-all: $(STAMP)
	$(PY) tools/validate.py --all

test: $(STAMP) tools
	$(MAKE) --no-print-directory test-rego
	$(MAKE) --no-print-directory test-python

test-python: $(STAMP)
	PATH="$(CURDIR)/.tools/bin:$$PATH" $(PY) -m pytest -q

test-rego: $(STAMP) tools
	$(OPA) fmt --list --fail policies/
	$(OPA) check --strict policies/onyx policies/data
	$(OPA) test --coverage policies/onyx policies/data > .tools/coverage.json || { $(OPA) test -v policies/onyx policies/data; exit 1; }
	$(PY) tools/check_coverage.py .tools/coverage.json 90
	$(REGAL) lint policies/

venv: $(STAMP)

# pykustomize declares Requires-Python >=3.14 but runs on 3.11 (README "Dependencies"); pip refuses the
# override inside requirements.txt, so it is set here, for this install only.
$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	PIP_IGNORE_REQUIRES_PYTHON=1 $(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

bench: $(STAMP)
	$(PY) bench/bench_validate.py

clean:
	rm -rf $(VENV) .pytest_cache .cache

# actionlint on the GitHub workflows (.github/workflows/validate.yml); part of `make test`.
.PHONY: lint-workflows
test: lint-workflows
lint-workflows: $(ACTIONLINT)
	$(ACTIONLINT) .github/workflows/*.yml
