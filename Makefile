# The README's two commands: `make demo` and `make test`. Each bootstraps .venv on first run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: test demo demo-down lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[local,dev]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/inv lint

demo: $(STAMP)
	$(BIN)/inv demo

demo-down: $(STAMP)
	$(BIN)/inv local.down

bench: $(STAMP)
	$(BIN)/python benchmarks/publish_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache dist build
