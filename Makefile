# kojin: two commands from a fresh clone.
#   make run   install kojin (runtime dependencies only) into .venv and run it on the embedded defaults
#   make test  add the test tools and the optional engines (GiNZA, PySpark), then run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.installed-runtime
TEST_STAMP    := $(VENV)/.installed-test
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: run test install install-test lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e .
	touch $(RUNTIME_STAMP)

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e '.[dev,ner,spark]'
	touch $(RUNTIME_STAMP) $(TEST_STAMP)

install: $(RUNTIME_STAMP)

install-test: $(TEST_STAMP)

run: $(RUNTIME_STAMP)
	$(BIN)/kojin run

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

typecheck: $(TEST_STAMP)
	$(BIN)/mypy
	$(BIN)/mypy benchmarks tests/conftest.py
	@for d in tests/*/; do MYPYPATH=tests $(BIN)/mypy $$d || exit 1; done

unit: $(TEST_STAMP)
	$(BIN)/pytest -m "not slow or spark or postgres" --durations=30

test: lint typecheck unit

BENCHMARKS := startup decide http_decisions registry_decisions scan anonymize spark fulfilment mynumber

bench: $(TEST_STAMP)
	@for b in $(BENCHMARKS); do echo "== benchmarks/$$b.py"; $(BIN)/python benchmarks/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
