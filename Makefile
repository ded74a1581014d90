# The front door. `make help` lists the targets; `make run` and `make test` are all the set-up
# a fresh machine needs (they create .venv and install the pinned dependencies themselves).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export ENVIRONMENT ?= development

.DEFAULT_GOAL := help
.PHONY: help install generate check-generated lint fmt typecheck importcheck test test-postgres \
	migrate run serve check-settings fuzz sdk bench ci clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv with the pinned dependencies (only when missing or out of date)

generate: $(STAMP) ## Validate openapi.yaml and regenerate generated/ from it
	$(BIN)/python scripts/generate.py

check-generated: $(STAMP) ## Fail when generated/ is stale (CI)
	$(BIN)/python scripts/generate.py --check

lint: $(STAMP) ## ruff, read-only
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP) ## Rewrite the code into the project's format
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP) ## mypy --strict over generated, impl, scripts and tests
	$(BIN)/mypy generated impl scripts tests

importcheck: $(STAMP) ## Layering: generated never imports impl; services and db never import fastapi
	$(BIN)/lint-imports

test: $(STAMP) ## The whole test suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
	$(BIN)/pytest

migrate: $(STAMP) ## Apply the database migrations (DATABASE_URL, default ./var/app.db)
	@mkdir -p var
	$(BIN)/python -m impl.db upgrade

run: migrate ## Serve the API on HOST:PORT (default 127.0.0.1:8000) with the embedded SQLite database
	$(BIN)/python -m impl.serve --host $(HOST) --port $(PORT)

# `make serve` is production unless ENVIRONMENT is given (environment or command line).
serve: export ENVIRONMENT := $(if $(filter file,$(origin ENVIRONMENT)),production,$(ENVIRONMENT))
serve: check-settings migrate ## Production (ENVIRONMENT=production, SECRET_KEY required): Gunicorn, Uvicorn workers
	$(BIN)/gunicorn impl.main:app --config scripts/gunicorn_conf.py

check-settings: $(STAMP) ## Check the settings (environment, .env) without printing any value
	@$(BIN)/python -m impl.serve --check

fuzz: $(STAMP) ## Schemathesis against a live server it starts itself (reports under reports/)
	$(BIN)/python scripts/fuzz.py

sdk: $(STAMP) ## Generate the Python client SDK from openapi.yaml into build/sdk (openapi-python-client)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/openapi-python-client generate --path openapi.yaml \
		--output-path build/sdk --overwrite
	rm -rf build/sdk/.ruff_cache

bench: $(STAMP) ## Benchmarks: generated routes vs hand-written FastAPI vs Starlette; generation time
	$(BIN)/python benchmarks/run.py

ci: check-generated lint typecheck importcheck test ## Every gate CI runs (and `.ci/run` adds PostgreSQL)

clean: ## Remove caches, reports and the local database (not .venv)
	rm -rf .mypy_cache .ruff_cache .pytest_cache .hypothesis reports var
