# The README's two commands: `make demo` and `make test`. Each bootstraps .venv on first run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: test demo demo-down demo-releases demo-rollback lint bench clean

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

demo-releases: $(STAMP)
	$(BIN)/inv demo-releases

demo-rollback: $(STAMP)
	$(BIN)/inv demo-rollback

demo-down: $(STAMP)
	$(BIN)/inv local.down

BENCH_STAMP := $(VENV)/.bench-stamp
BENCH := $(BIN)/python benchmarks/publish_bench.py

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[local,dev,bench]'
	touch $(BENCH_STAMP)

# moto, then SeaweedFS with no added delay and with 30 ms a request (about 12 minutes on an
# idle 2-core machine), on SeaweedFS with the release stage too (no change and rebuild only:
# about 30 s more each);
# rclone comes from Debian: apt-get update && apt-get install rclone
BENCH_TOOLS := ours,ours-releases,aws,s3cmd,rclone
bench: $(BENCH_STAMP)
	$(BENCH) --server moto
	$(BENCH) --server seaweedfs --latency-ms 0 --tools $(BENCH_TOOLS)
	$(BENCH) --server seaweedfs --latency-ms 30 --tools $(BENCH_TOOLS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache dist build
