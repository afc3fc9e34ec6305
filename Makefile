# One task runner for people and CI.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test eval test-all lint typecheck check bench bench-scale clean

$(BIN)/segue: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	@touch $(BIN)/segue

install: $(BIN)/segue

demo: install  ## first playlist, offline
	$(BIN)/segue generate "rainy Sunday coffee, mellow indie, no explicit, about 40 minutes"

test: install  ## the CI test command: the core, listener and adversarial eval suites as gates, then unit/integration tests
	$(BIN)/segue eval run evals/suites/core.yaml --provider offline --out eval-out
	$(BIN)/segue eval run evals/suites/listener.yaml --provider offline --out eval-out/listener
	$(BIN)/segue eval run evals/suites/adversarial.yaml --provider offline --out eval-out/adversarial
	$(BIN)/python -m pytest

eval: install
	$(BIN)/segue eval run evals/suites/core.yaml --prompts v1 --prompts v2 --out eval-out

test-all: install
	$(BIN)/python -m pytest -m "slow or not slow"

lint: install
	$(BIN)/ruff check core agent tools evals tests bench app.py

typecheck: install
	$(BIN)/mypy

check: lint typecheck test

bench: install
	$(BIN)/python -m bench.run

bench-scale: install
	$(BIN)/python -m bench.scale

clean:
	rm -rf $(VENV) .segue
