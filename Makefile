# One task runner for people and CI.
# The first Python 3.11 or newer on the PATH; `make PY=/path/to/python` picks another.
PY_NAMES := python3.13 python3.12 python3.11 python3 python
PY_CHECK := import sys; sys.exit(sys.version_info < (3, 11))
ifeq ($(origin PY),undefined)
PY := $(shell for p in $(PY_NAMES); do $$p -c '$(PY_CHECK)' 2>/dev/null && { echo $$p; break; }; done)
endif
PY_MISSING = $(if $(PY),PY=$(PY) is not Python 3.11 or newer,no Python 3.11 or newer on the PATH (tried $(PY_NAMES)))
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test eval test-all lint typecheck check bench bench-scale llm-server test-llm bench-llm clean

$(BIN)/segue: pyproject.toml
	$(if $(and $(PY),$(shell $(PY) -c '$(PY_CHECK)' 2>/dev/null && echo ok)),,$(error $(PY_MISSING); install one or run make PY=/path/to/python3.11))
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

llm-server: install  ## a stock llama-server with the pinned 1.5B model on 127.0.0.1:8088 (built and cached on first use)
	$(BIN)/python -m bench.llm_server serve --port 8088

test-llm: install  ## the real-model tier: starts llama-server itself (or set SEGUE_TEST_LLM_URL)
	$(BIN)/python -m pytest -m llm tests/llm

bench-llm: install  ## mocked and real-model planner budget over 40 core.yaml cases (a CPU model's speed is the machine's: run it on a quiet one)
	$(BIN)/python -m bench.llm --real --cases 40 --out eval-out/llm-real.json

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
