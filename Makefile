# Werkpunt: the two commands of the README are `make run` and `make test`.
# Every target sets up what it needs (environments, database, model) and is fast the second time.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.11+ for the app, Python 3.10 for Rasa 3.6 (found via PATH, then pyenv's folder).
PY_APP ?= $(shell for p in python3.11 python3.12 python3; do $$p -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null && { echo $$p; break; }; done)
PY_RASA ?= $(shell for p in python3.10 $(HOME)/.pyenv/versions/3.10*/bin/python /usr/bin/python3.10; do $$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { echo $$p; break; }; done)

APP := .venv/app/bin/python
APP_STAMP := .venv/app/.installed
RASA_STAMP := .venv/rasa/.installed

.PHONY: help setup run test test-fast nlu-eval bench lock train prepare chromium clean reliability

help:
	@echo "make run       start Werkpunt (web chat on http://127.0.0.1:8000/)"
	@echo "make test      run the whole test suite"
	@echo "make nlu-eval  evaluate NLU on held-out data (reports in reports/)"
	@echo "make bench     benchmarks: matching, gateway overhead, Rasa per-turn cost"
	@echo "make reliability  fault scenarios and fuzz campaigns (JSON lines; about 30 minutes)"

# An environment is complete only when its stamp exists; an interrupted install is redone from scratch.
$(APP_STAMP): requirements/app.lock pyproject.toml
	@test -n "$(PY_APP)" || { echo "FOUT: Python 3.11 of nieuwer niet gevonden; installeer python3.11." >&2; exit 2; }
	@echo "[werkpunt] app-omgeving installeren (.venv/app, $(PY_APP))..."
	@rm -rf .venv/app && $(PY_APP) -m venv .venv/app
	@.venv/app/bin/pip install -q --disable-pip-version-check -r requirements/app.lock
	@.venv/app/bin/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . >/dev/null
	@touch $@

$(RASA_STAMP): requirements/rasa.lock
	@test -n "$(PY_RASA)" || { echo "FOUT: Python 3.10 niet gevonden (Rasa 3.6 heeft 3.10 nodig); installeer python3.10." >&2; exit 2; }
	@echo "[werkpunt] Rasa-omgeving installeren (.venv/rasa, $(PY_RASA)); dit duurt een paar minuten..."
	@rm -rf .venv/rasa && $(PY_RASA) -m venv .venv/rasa
	@.venv/rasa/bin/pip install -q --disable-pip-version-check "pip==24.2"
	@.venv/rasa/bin/pip install -q --disable-pip-version-check -r requirements/rasa.lock
	@touch $@

setup: $(APP_STAMP) $(RASA_STAMP)

prepare: $(APP_STAMP)
	@$(APP) -m werkpunt.cli prepare

train: setup
	@$(APP) -m werkpunt.cli train

run: setup
	@$(APP) -m werkpunt.cli run

# Browser tests use Debian's chromium; Playwright never downloads a browser.
chromium:
	@command -v chromium >/dev/null || { echo "[werkpunt] chromium installeren (apt)..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "FOUT: chromium kon niet geïnstalleerd worden (apt-get install chromium)" >&2; exit 2; }; }

test: setup chromium
	@$(APP) -m werkpunt.cli train
	@$(APP) -m pytest -q -p no:cacheprovider

nlu-eval: setup
	@$(APP) -m tools.nlu_eval

# Matching (SQLite + PostgreSQL, 100k candidates), gateway overhead, and Rasa's per-turn cost.
# Fault scenarios and fuzz campaigns against real local processes; one JSON line each, exit 1 on any failure.
reliability: setup
	@$(APP) -m tools.reliability

bench: setup
	@$(APP) -m tools.bench_matching
	@$(APP) -m tools.bench_occupations
	@$(APP) -m tools.bench_gateway
	@$(APP) -m werkpunt.cli train
	@$(APP) -m tools.bench_rasa
	@$(APP) -m tools.bench_stock
	@$(APP) -m tools.bench_alerts

lock: $(APP_STAMP)
	@.venv/app/bin/pip freeze --exclude-editable > requirements/app.lock

clean:
	rm -rf var models reports .venv
