# The two quick-start commands: `make run` and `make test` (README). Everything else is detail.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# `make run` listens on this machine only; `make run HOST=0.0.0.0` serves the network too
HOST ?= 127.0.0.1
# `make test` runs the tests in this many processes (0: in this process; `auto`: one a core,
# about 11 minutes instead of 18 on 2 cores, but a 50-connection race beside the other
# process's tests once passed PostgreSQL's 100 connections, so it is not the default yet)
TEST_WORKERS ?= 0
export FLASK_APP := wsgi

.PHONY: run test install install-test services browser lint bench-quick screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Re-install only when pyproject.toml changed since the last install.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Serve the app with the demo data on SQLite (instance/sparelog.db), on $PORT.
run: export SPARELOG_ENV ?= development
run: export PUBLIC_BASE_URL ?= http://localhost:$(PORT)
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask run --host $(HOST) --port $(PORT) --with-threads

services:
	scripts/ensure-services

browser:
	scripts/ensure-browser

## The whole suite: lint and types first (so CI fails on them), then unit, SQLite +
## PostgreSQL, Redis jobs, API, browser.
test: lint services browser
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

## Regenerate the README's screenshots (docs/screenshots/) from the browser journeys.
screenshots: services browser install-test
	SPARELOG_SCREENSHOTS=docs $(BIN)/python -m pytest tests/browser -q

## ruff (lint and format) on the code and tests; mypy on inventory/, logistics/, app/ and models/ ([tool.mypy] in pyproject.toml).
lint: install-test
	$(BIN)/ruff check app inventory logistics models bench tests migrations
	$(BIN)/ruff format --check app inventory logistics models bench tests migrations wsgi.py
	$(BIN)/mypy
