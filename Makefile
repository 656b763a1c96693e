# Shopdesk — every command a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
MODEL_DIR ?= models
STAMP     := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
NODE_STAMP := node_modules/.installed-$(shell sha1sum package-lock.json | cut -c1-12)
# Public intent benchmark data, never part of the project (see bench/intent_benchmark.py).
CLINC150  ?= ../shared/data/clinc150/data_small.json
CLINC_DIET_EPOCHS ?= 30
# PostgreSQL for the store tests: the local server by default; set it empty to test on SQLite only.
SHOPDESK_TEST_PG_URL ?= postgresql://postgres@127.0.0.1:5432/test

export RASA_TELEMETRY_ENABLED := false
# Rasa's training cache (each component's output by fingerprint) at an absolute path, so that every
# checkout and clone of the project on this machine reuses it (Rasa's default, .rasa/cache, does not).
export RASA_CACHE_DIRECTORY ?= $(HOME)/.cache/shopdesk/rasa-cache
export SHOPDESK_MODEL_DIR := $(MODEL_DIR)
export SHOPDESK_TEST_PG_URL
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help install browser db train run web console recommender serve actions shell test test-fast lint format typecheck \
        validate test-stories test-nlu test-sentiment test-escalation test-conversations bench clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

install: $(STAMP) $(NODE_STAMP) ## .venv with Python 3.10 and the pinned packages, and the widget's npm packages

$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@rm -f node_modules/.installed-* && touch $@

browser: ## Debian's Chromium for the browser tests (installed when missing)
	@scripts/ensure-chromium

$(STAMP): requirements.lock
	@test -x $(PY) || "$$(scripts/find-python310)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-* && touch $@

db: install ## create the store database and seed the demo store if it is empty
	$(PY) -m bot db ensure

train: install ## train the Rasa model (skipped when data, config and domain are unchanged)
	$(RASA) train --out $(MODEL_DIR)

run: db train ## set up everything, then start the recommendation service, the action server, Rasa, the agent console and the demo store (Ctrl-C stops all)
	$(PY) -m bot run

web: install ## start only the demo store and chat widget on port 8000 (development only)
	$(PY) -m bot web

console: install ## start only the agent console on port 8001
	$(PY) -m bot console

recommender: install ## start only the recommendation service on port 5056
	$(PY) -m bot recommender

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
	$(VENV)/bin/mypy bot actions nlu_models bench

validate: install ## rasa data validate
	$(RASA) data validate --quiet

test-fast: install ## lint and the pytest tests that need no trained model
	$(MAKE) lint
	$(PY) -m pytest -m "not slow"

test-stories: train ## conversation tests (tests/test_stories.yml), failing on any wrong prediction
	$(RASA) test core --stories tests/test_stories.yml --model $(MODEL_DIR) \
	  --fail-on-prediction-errors --out results/stories

test-nlu: train ## NLU evaluation on the held-out split (fails below intent macro-F1 0.95, or entity F1 0.90, catalog or DIET's) and on the blind robustness set (fails below intent macro-F1 0.90)
	$(RASA) test nlu --nlu tests/nlu_holdout.yml --model $(MODEL_DIR) --out results/nlu
	$(PY) -m bench.gates.nlu_gate results/nlu/intent_report.json --min-macro-f1 0.95
	$(PY) -m bench.gates.entity_gate results/nlu/CatalogEntityExtractor_report.json \
	  --types product,brand,category,colour,size --min-f1 0.90 --label "catalog entity F1"
	$(PY) -m bench.gates.entity_gate results/nlu/DIETEntityExtractor_report.json \
	  --types order_number,email,max_price,min_price,quantity --min-f1 0.90 --label "DIET entity F1"
	$(RASA) test nlu --nlu tests/nlu_robustness.yml --model $(MODEL_DIR) --out results/nlu-robustness
	$(PY) -m bench.gates.nlu_gate results/nlu-robustness/intent_report.json --min-macro-f1 0.90

test-sentiment: train ## sentiment on the held-out shopper messages; fails below macro-F1 0.85
	$(PY) -m bench.gates.sentiment_eval tests/sentiment_holdout.csv --model $(MODEL_DIR) --min-macro-f1 0.85

test-conversations: train ## the blind multi-goal conversations end to end over REST; fails below 90% passing
	$(PY) -m bench.conversations tests/blind_conversations.yml --model $(MODEL_DIR) --min-pass 0.90

test-escalation: train ## escalation decisions on labelled conversations; fails below precision 0.90 or recall 0.55
	$(PY) -m bench.gates.escalation_eval tests/escalation_conversations.yml --model $(MODEL_DIR) \
	  --min-precision 0.90 --min-recall 0.55

test: install browser ## everything CI runs: lint, types, data validation, training, pytest (browser too), conversation tests (stories and the blind multi-goal set), NLU, sentiment and escalation tests
	$(MAKE) lint
	$(MAKE) typecheck
	$(MAKE) validate
	$(MAKE) train
	$(PY) -m pytest
	$(MAKE) test-stories
	$(MAKE) test-nlu
	$(MAKE) test-sentiment
	$(MAKE) test-escalation
	$(MAKE) test-conversations

bench: install ## benchmarks: our BERT vs Rasa's DIET (project data, CLINC150 if present), recommender, full training time
	$(PY) -m bench.intent_benchmark project
	@if [ -f "$(CLINC150)" ]; then \
	  $(PY) -m bench.intent_benchmark clinc "$(CLINC150)" --diet-epochs $(CLINC_DIET_EPOCHS); \
	else echo "CLINC150 not found at '$(CLINC150)': set CLINC150=path/to/data_small.json"; fi
	$(PY) -m bench.recommender_benchmark quality && $(PY) -m bench.recommender_benchmark scale
	$(PY) -m bench.train_time

clean: ## remove trained models, results, test screenshots and local databases
	rm -rf models results var test-output
