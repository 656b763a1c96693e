# Shopdesk — every command a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
MODEL_DIR ?= models
STAMP     := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
# PostgreSQL for the store tests: the local server by default; set it empty to test on SQLite only.
SHOPDESK_TEST_PG_URL ?= postgresql://postgres@127.0.0.1:5432/test

export RASA_TELEMETRY_ENABLED := false
export SHOPDESK_MODEL_DIR := $(MODEL_DIR)
export SHOPDESK_TEST_PG_URL
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help install db train run serve actions shell test test-fast lint format typecheck \
        validate test-stories test-nlu clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

install: $(STAMP) ## create .venv with Python 3.10 and the pinned dependencies (seconds when done)

$(STAMP): requirements.lock
	@test -x $(PY) || "$$(scripts/find-python310)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-* && touch $@

db: install ## create the store database and seed the demo store if it is empty
	$(PY) -m bot db ensure

train: install ## train the Rasa model (skipped when data, config and domain are unchanged)
	$(RASA) train --out $(MODEL_DIR)

run: db train ## set up everything, then start the action server and Rasa (Ctrl-C stops both)
	$(PY) -m bot run

serve: install ## start only the Rasa server (REST + socket.io) on port 5005
	$(PY) -m bot serve

actions: install ## start only the action server on port 5055
	$(PY) -m bot actions

shell: install ## chat in the terminal (start `make actions` in another terminal first)
	$(PY) -m bot shell

lint: install ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## format the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: install ## mypy on our packages
	$(VENV)/bin/mypy bot actions

validate: install ## rasa data validate
	$(RASA) data validate --quiet

test-fast: install ## lint and the pytest tests that need no trained model
	$(MAKE) lint
	$(PY) -m pytest -m "not slow"

test-stories: train ## conversation tests (tests/test_stories.yml), failing on any wrong prediction
	$(RASA) test core --stories tests/test_stories.yml --model $(MODEL_DIR) \
	  --fail-on-prediction-errors --out results/stories

test-nlu: train ## NLU evaluation on the held-out split; fails below macro-F1 0.90
	$(RASA) test nlu --nlu tests/nlu_holdout.yml --model $(MODEL_DIR) --out results/nlu
	$(PY) -m bot.nlu_gate results/nlu/intent_report.json --min-macro-f1 0.90

test: install ## everything CI runs: lint, types, data validation, training, pytest, conversation and NLU tests
	$(MAKE) lint
	$(MAKE) typecheck
	$(MAKE) validate
	$(MAKE) train
	$(PY) -m pytest
	$(MAKE) test-stories
	$(MAKE) test-nlu

clean: ## remove trained models, results and local databases
	rm -rf models results var
