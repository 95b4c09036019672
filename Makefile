# One task runner, the same commands locally and in CI.
#   make serve   build and serve this repository's notes on http://127.0.0.1:8000
#   make test    lint, type-check and run the whole test suite (browser tests included)
#   make check   lint, type-check and the fast tests (no browser, nothing marked slow,
#                fewer trials in the stress tests: pytest --quick)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: serve build test check lint typecheck pytest pytest-fast chromium bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.site-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@ $(VENV)/.site-installed

serve: $(VENV)/.site-installed
	$(BIN)/kbtool serve --dev-addr 127.0.0.1:8000

build: $(VENV)/.site-installed
	$(BIN)/kbtool build

lint: $(VENV)/.test-installed
	$(BIN)/ruff check kbtool tests benchmarks scripts
	$(BIN)/ruff format --check kbtool tests benchmarks scripts
	$(BIN)/lint-imports  # the layers in pyproject.toml
	$(BIN)/deptry kbtool  # no unused or undeclared dependencies
	$(BIN)/vulture  # no dead code (settings in pyproject.toml)

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

chromium:
	scripts/ensure-chromium

pytest: $(VENV)/.test-installed chromium
	$(BIN)/pytest

pytest-fast: $(VENV)/.test-installed
	$(BIN)/pytest -m "not slow and not browser" --quick

test: lint typecheck pytest

check: lint typecheck pytest-fast

bench: $(VENV)/.test-installed chromium
	for bench in benchmarks/bench_*.py; do $(BIN)/python $$bench || exit 1; done

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache
