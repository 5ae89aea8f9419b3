# henshin — two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: demo test install system-deps lint typecheck bench clean serve

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev,deep]'
	touch $(STAMP)

install: $(STAMP)

## Start henshin on SQLite with the sandbox networks and demo data.
demo: install
	$(VENV)/bin/henshin demo

serve: install
	$(VENV)/bin/henshin serve

## Chromium + CJK fonts for the browser tests, PostgreSQL for the storage tests.
system-deps:
	@bash scripts/install_system_deps.sh

## Install everything, start what the tests need (PostgreSQL is started by the test setup), run the suite.
test: install system-deps
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -p no:cacheprovider

lint: install
	$(VENV)/bin/ruff check src tests

typecheck: install
	$(VENV)/bin/mypy src

bench: install
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b; done

clean:
	rm -rf $(VENV) var .pytest_cache
