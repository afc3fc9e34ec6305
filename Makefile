# One task runner for people and CI.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test eval test-all lint typecheck check bench bench-scale llm-server test-llm bench-llm clean

$(BIN)/segue: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	@touch $(BIN)/segue

install: $(BIN)/segue

demo: install  ## first playlist, offline
	$(BIN)/segue generate "rainy Sunday coffee, mellow indie, no explicit, about 40 minutes"

test: install  ## the CI test command: the core eval suite as a gate, then unit/integration tests
	$(BIN)/segue eval run evals/suites/core.yaml --provider offline --out eval-out
	$(BIN)/python -m pytest

eval: install
	$(BIN)/segue eval run evals/suites/core.yaml --prompts v1 --prompts v2 --out eval-out

test-all: install
	$(BIN)/python -m pytest -m "slow or not slow"

llm-server: install  ## a stock llama-server with the pinned 1.5B model on 127.0.0.1:8088 (built and cached on first use)
	nice -n 19 $(BIN)/python -m bench.llm_server serve --port 8088

test-llm: install  ## the real-model tier: starts llama-server itself (or set SEGUE_TEST_LLM_URL)
	nice -n 19 $(BIN)/python -m pytest -m llm tests/llm

bench-llm: install  ## mocked and real-model planner budget over 40 core.yaml cases
	nice -n 19 $(BIN)/python -m bench.llm --real --cases 40 --out eval-out/llm-real.json

lint: install
	$(BIN)/ruff check agent tools evals tests bench app.py

typecheck: install
	$(BIN)/mypy

check: lint typecheck test

bench: install
	$(BIN)/python -m bench.run

bench-scale: install
	$(BIN)/python -m bench.scale

clean:
	rm -rf $(VENV) .segue
