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

# Installs come from the locks (README "Dependencies"), through uv, pinned here and kept in its
# own environment so that .venv holds exactly what a lock lists.
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
RUN_LOCK := backend/requirements.lock
DEV_LOCK := backend/requirements-dev.lock
# The dev lock: runtime + every provider extra + dev tools + bench; the run lock: runtime only,
# constrained by the dev lock so the two agree version for version.
LOCK_EXTRAS := dev ibm braket ionq azure rigetti bench
# Linux x86_64 wheels; 2.35 is the oldest glibc qdk (azure extra) ships wheels for.
LOCK_PLATFORM := x86_64-manylinux_2_35
LOCK_DIR ?= backend
LOCK_ARGS = --python $(PYTHON) --python-version 3.12 --python-platform $(LOCK_PLATFORM) \
	--generate-hashes --custom-compile-command 'make lock' --quiet

.PHONY: run test lint lock upgrade lock-check install install-dev clean alert-check load-test

$(UV):
	@if [ -z "$(PYTHON)" ]; then echo "No Python 3.12 found: install it or pass PYTHON=/path/to/python3.12" >&2; exit 1; fi
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VPY): | $(UV)
	$(UV) venv --quiet --python $(PYTHON) $(VENV)

# Sync makes .venv exactly the lock (installing, upgrading and removing), then the package
# itself goes in editable, without dependencies.
$(VENV)/.installed-run: $(RUN_LOCK) backend/pyproject.toml | $(VPY)
	$(UV) pip sync --quiet --python $(VPY) --require-hashes $(RUN_LOCK)
	$(UV) pip install --quiet --python $(VPY) --no-deps -e backend
	rm -f $(VENV)/.installed-dev
	touch $@

$(VENV)/.installed-dev: $(DEV_LOCK) backend/pyproject.toml | $(VPY)
	$(UV) pip sync --quiet --python $(VPY) --require-hashes $(DEV_LOCK)
	$(UV) pip install --quiet --python $(VPY) --no-deps -e backend
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

run: install
	$(VBIN)/synqc serve --host $(HOST) --port $(PORT)

# Regenerate both locks from backend/pyproject.toml, keeping every pin that still fits;
# `make upgrade` moves every pin to the newest release instead.
lock: | $(UV)
	cd backend && $(abspath $(UV)) pip compile pyproject.toml $(LOCK_EXTRAS:%=--extra %) $(LOCK_ARGS) \
		$(UPGRADE) -o $(abspath $(LOCK_DIR))/requirements-dev.lock
	cd backend && $(abspath $(UV)) pip compile pyproject.toml $(LOCK_ARGS) $(UPGRADE) \
		-c $(abspath $(LOCK_DIR))/requirements-dev.lock -o $(abspath $(LOCK_DIR))/requirements.lock

upgrade: UPGRADE := --upgrade
upgrade: lock

# The locks agree with pyproject.toml when locking again from them changes no pin or hash.
lock-check: | $(UV)
	@scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && \
	cp $(RUN_LOCK) $(DEV_LOCK) "$$scratch"/ && \
	if ! $(MAKE) --no-print-directory lock LOCK_DIR="$$scratch" >/dev/null; then \
		echo "backend/pyproject.toml does not lock (above): fix it, then run 'make lock'." >&2; \
		exit 1; \
	fi && \
	for lock in $(RUN_LOCK) $(DEV_LOCK); do \
		if ! diff -q <(grep -v '^ *#' "$$lock") <(grep -v '^ *#' "$$scratch/$$(basename "$$lock")") >/dev/null; then \
			echo "$$lock does not match backend/pyproject.toml: run 'make lock' and commit the lock." >&2; \
			exit 1; \
		fi; \
	done

lint: lock-check install-dev
	cd backend && $(VBIN)/ruff check . && $(VBIN)/ruff format --check . && $(VBIN)/mypy && $(VBIN)/lint-imports

# axe-core for the console's accessibility tests, pinned in backend/tests/http/web/package-lock.json.
AXE := backend/tests/http/web/node_modules/axe-core/axe.min.js

$(AXE): backend/tests/http/web/package-lock.json
	npm ci --prefix backend/tests/http/web --no-audit --no-fund --silent
	touch $@

# The suite runs on every core (TEST_JOBS=1 for one process), a test file per process at a
# time so that a file's module fixtures start once.
TEST_JOBS ?= auto

test: lint $(AXE)
	cd backend && $(VBIN)/pytest -n $(TEST_JOBS) --dist loadfile

# Operations (README "Operations"). `make test` runs these checks too (backend/tests/ops).
# alert-check: 2 API + 2 worker processes on a throwaway Redis and PostgreSQL database, then
# backend/scripts/alert_check.sh (Prometheus, Alertmanager, webhook sink) against them.
alert-check: install-dev
	cd backend && $(VBIN)/pytest tests/ops/test_alert_check.py -q

# load-test: a running service; e.g. make load-test LOAD_TEST_ARGS='--runs 60 --concurrency 15'
load-test: install
	cd backend && $(VBIN)/python scripts/load_test.py $(LOAD_TEST_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS)
