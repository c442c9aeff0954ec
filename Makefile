# The two commands a newcomer needs: `make run` and `make test`.
# Everything installs into .venv from PyPI; nothing is downloaded at run time.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install system-deps lint format bench eval docs clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "starcoach needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q src > /dev/null  # as a wheel install would: faster cold starts
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## install, then start the web app on http://127.0.0.1:8000 (starcoach serve)
	$(BIN)/starcoach serve

test: $(STAMP) system-deps  ## install what the tests need, lint, and run every test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

system-deps:  ## system packages the tests need (PostgreSQL for the storage tests), when missing
	sh scripts/install-system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)  ## latency figures, written to docs/benchmarks.md
	$(BIN)/python benchmarks/run.py --write docs/benchmarks.md

eval: $(STAMP)  ## accuracy figures, written to docs/evaluation.md
	$(BIN)/python scripts/write_evaluation.py docs/evaluation.md

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-output
