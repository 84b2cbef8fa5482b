# pulumi-incident-statuses: every target does its own setup; see CONTRIBUTING.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PYTHON  := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
ENGINE  := $(VENV)/bin/pulumi-language-python
YAML_HOST := $(VENV)/bin/pulumi-language-yaml
NODE_HOST := $(VENV)/bin/pulumi-language-nodejs
GO_HOST := $(VENV)/bin/pulumi-language-go
LANGUAGES := $(VENV)/.languages-primed
PYTHON3 ?= python3
# Engine tests mostly wait on subprocesses and throttled requests: more workers than cores.
TEST_WORKERS ?= 6

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup: $(STAMP) $(ENGINE) $(YAML_HOST) $(NODE_HOST) $(GO_HOST) $(LANGUAGES)  ## virtualenv, package and the Pulumi engine (CLI, language hosts) in .venv/bin
	@$(VENV)/bin/pulumi version >/dev/null
	@command -v node >/dev/null && command -v npm >/dev/null || echo "setup: node or npm is not" \
		"on PATH: install Node.js 20 with npm for TypeScript projects; until then the TypeScript" \
		"tests fail saying so" >&2

# Every version comes from constraints.txt (pip's own included). The three local packages build
# with the venv's own setuptools, not in three throwaway build environments: a quarter of setup's
# time.
$(STAMP): pyproject.toml emulator/pyproject.toml harness/pyproject.toml constraints.txt
	$(PYTHON3) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt pip setuptools
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-build-isolation \
		-c constraints.txt -e '.[test,dev,emulator]' -e './emulator' -e './harness'
	touch $@

# Builds or reuses each piece once (see the script); reruns when the pin changes.
$(ENGINE): scripts/install-pulumi.sh | $(STAMP)
	scripts/install-pulumi.sh

# Pulumi YAML's language host, for projects with `runtime: yaml` (the provider plugin's path).
$(YAML_HOST): scripts/install-pulumi-yaml.sh | $(STAMP)
	scripts/install-pulumi-yaml.sh

# Pulumi's Node.js language host, for TypeScript projects: built from the shared source.
$(NODE_HOST): scripts/install-language-host.sh | $(STAMP)
	scripts/install-language-host.sh nodejs

# Pulumi's Go language host, for Go projects: built from the shared source.
$(GO_HOST): scripts/install-language-host.sh | $(STAMP)
	scripts/install-language-host.sh go

# What TypeScript and Go projects fetch (npm, Go modules), once per user; Go's build cache warmed.
$(LANGUAGES): harness/incident_statuses_harness/languages.py | $(ENGINE) $(NODE_HOST) $(GO_HOST)
	$(PYTHON) -m incident_statuses_harness.languages
	touch $@

demo: setup  ## start the emulator, `pulumi up` the demo stack against it, show the result
	$(PYTHON) scripts/demo.py

test: setup  ## lint, type-check and run the whole suite (real engine, real emulator)
	$(VENV)/bin/ruff check provider emulator harness tests bench scripts examples
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --maxschedchunk 1 -m "not depth"

test-depth: setup  ## the tests marked depth: more seeds of the fault tests than make test runs
	$(VENV)/bin/pytest -n 2 -m depth

lint: setup  ## ruff and mypy only
	$(VENV)/bin/ruff check provider emulator harness tests bench scripts examples
	$(VENV)/bin/mypy

declare: setup  ## write the Python resources' typed classes (declared.py) from their declarations
	$(PYTHON) scripts/declare.py

bench: setup  ## benchmarks against a no-I/O baseline; writes bench/RESULTS.md
	$(PYTHON) bench/run.py

soak: setup  ## concurrent stacks racing for ranks, many rounds; writes bench/SOAK.md
	$(PYTHON) bench/soak.py

dist: setup  ## build the wheel and sdist into dist/ and check them (twine, wheel contents)
	rm -rf dist
	$(PYTHON) -m build --quiet --no-isolation --outdir dist .
	$(VENV)/bin/twine --no-color check --strict dist/*
	$(PYTHON) scripts/check_dist.py dist

test-matrix: dist  ## the built wheel on Python 3.11-3.13 x pulumi SDK floor/newest, and an older CLI
	$(PYTHON) scripts/test_matrix.py --wheel-dir dist

clean:  ## remove local state (keeps the built engine)
	rm -rf .pulumi-state .demo .matrix dist bench/out .pytest_cache .mypy_cache .ruff_cache

.PHONY: help setup demo test test-depth lint declare bench soak dist test-matrix clean
