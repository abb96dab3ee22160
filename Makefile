# SynQc TDS: `make run` serves the API and console, `make test` runs lint and every test.
SHELL := /bin/bash

# A Python 3.12 interpreter: PYTHON=... overrides; else python3.12 on PATH; else pyenv's 3.12.
PYTHON ?= $(shell for c in python3.12 $$(pyenv root 2>/dev/null)/versions/3.12*/bin/python3.12 \
	$$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	if "$$c" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1; then echo "$$c"; break; fi; done)

VENV := .venv
VPY := $(VENV)/bin/python
VBIN := $(abspath $(VENV)/bin)
HOST ?= 127.0.0.1
PORT ?= 8001

.PHONY: run test lint install install-dev clean alert-check load-test

$(VPY):
	@if [ -z "$(PYTHON)" ]; then echo "No Python 3.12 found: install it or pass PYTHON=/path/to/python3.12" >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: backend/pyproject.toml | $(VPY)
	$(VPY) -m pip install --quiet -e backend
	touch $@

$(VENV)/.installed-dev: backend/pyproject.toml | $(VPY)
	$(VPY) -m pip install --quiet -e 'backend[dev,ibm,braket,ionq,azure,rigetti]'
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

run: install
	$(VBIN)/synqc serve --host $(HOST) --port $(PORT)

lint: install-dev
	cd backend && $(VBIN)/ruff check . && $(VBIN)/ruff format --check . && $(VBIN)/mypy && $(VBIN)/lint-imports

# axe-core for the console's accessibility tests, pinned in backend/tests/web/package-lock.json.
AXE := backend/tests/web/node_modules/axe-core/axe.min.js

$(AXE): backend/tests/web/package-lock.json
	npm ci --prefix backend/tests/web --no-audit --no-fund --silent
	touch $@

test: lint $(AXE)
	cd backend && $(VBIN)/pytest

# Operations (README "Operations"). `make test` runs these checks too (backend/tests/ops).
# alert-check: 2 API + 2 worker processes on a throwaway Redis and PostgreSQL database, then
# backend/scripts/alert_check.sh (Prometheus, Alertmanager, webhook sink) against them.
alert-check: install-dev
	cd backend && $(VBIN)/pytest tests/ops/test_alert_check.py -q

# load-test: a running service; e.g. make load-test LOAD_TEST_ARGS='--runs 60 --concurrency 15'
load-test: install
	cd backend && $(VBIN)/python scripts/load_test.py $(LOAD_TEST_ARGS)

clean:
	rm -rf $(VENV)
