# qcert: the two commands of the quick start, and a few more.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo test bench lint format

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

demo: $(BIN)/.installed  ## install, build the demo store, serve it on 127.0.0.1:$(PORT) (make demo PORT=8001)
	$(BIN)/qcert demo --port $(PORT)

test: $(BIN)/.installed  ## install, then run lint and the whole test suite
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python -m pytest

bench: $(BIN)/.installed  ## benchmarks (not part of the tests)
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/commands.py
	$(BIN)/python bench/verify.py
	$(BIN)/python bench/spacetime.py
	$(BIN)/python bench/spc.py
	$(BIN)/python bench/examination.py
	$(BIN)/python bench/tep.py
	$(BIN)/python bench/tep_rootcause.py
	$(BIN)/python bench/streaming.py
	$(BIN)/python bench/stream_watch.py
	$(BIN)/python bench/supervision.py
	$(BIN)/python bench/ingest.py --writer-process
	$(BIN)/python bench/intake_stages.py
	$(BIN)/python bench/cli_start.py

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench

format: $(BIN)/.installed
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench
