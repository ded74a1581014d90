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
.PHONY: help install generate check-generated lint fmt typecheck importcheck test test-corpus test-postgres \
	migrate run serve check-settings fuzz sdk bench bench-service ci clean lint-contract breaking sdk-test mock docs \
	lint-containers audit wheels test-pythons loadtest

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

# Node tooling (Redocly CLI, openapi-typescript, tsc), pinned by package-lock.json; `npm ci`
# only when missing or out of date, like .venv.
NPM_STAMP := node_modules/.installed
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NPM_STAMP)

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
	$(BIN)/pytest $(PYTEST_ARGS)

test-corpus: $(STAMP) ## Only the generator on every contract under ../shared/specs (part of `make test`)
	$(BIN)/pytest -m corpus $(PYTEST_ARGS)

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

sdk: $(STAMP) $(NPM_STAMP) ## Client SDKs into build/sdk/: python/ (openapi-python-client), typescript/ (openapi-typescript + openapi-fetch, tsc); fails if either lacks an operation
	rm -rf build/sdk
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/openapi-python-client generate --path openapi.yaml \
		--output-path build/sdk/python
	rm -rf build/sdk/python/.ruff_cache
	$(BIN)/python scripts/sdk.py scaffold --out build/sdk/typescript
	node_modules/.bin/openapi-typescript openapi.yaml --output build/sdk/typescript/src/schema.ts
	node_modules/.bin/tsc -p build/sdk/typescript
	$(BIN)/python scripts/sdk.py check --python build/sdk/python --typescript build/sdk/typescript

sdk-test: sdk ## Both SDKs against a live server: tests/sdk (Python) and tests/sdk/typescript (node --test)
	$(BIN)/pytest tests/sdk -q -p no:cacheprovider
	$(BIN)/python scripts/sdk.py testbed --typescript build/sdk/typescript --out build/sdk-test
	node_modules/.bin/tsc -p build/sdk-test
	$(BIN)/python scripts/live_server.py -- node --test build/sdk-test/dist/roundtrip.test.js

mock: $(STAMP) ## Serve the contract with no implementation on HOST:PORT (examples or schema-made values; any token)
	$(BIN)/python scripts/mock_server.py --host $(HOST) --port $(PORT)

docs: $(STAMP) $(NPM_STAMP) ## The contract as one static HTML page that opens offline: build/docs/index.html (Redocly)
	$(BIN)/python scripts/docs.py --spec openapi.yaml --out build/docs/index.html

bench: $(STAMP) ## Benchmarks: generated routes vs hand-written FastAPI vs Starlette; generation time
	$(BIN)/python benchmarks/run.py

lint-contract: $(STAMP) $(NPM_STAMP) ## Lint openapi.yaml: Redocly CLI (redocly.yaml) + our rules (scripts/lint_contract.py)
	REDOCLY_TELEMETRY=off $(BIN)/python scripts/lint_contract.py --spec openapi.yaml

breaking: $(STAMP) ## Changes to openapi.yaml since BASE (default: merge base with main); 1 if breaking without a major bump
	$(BIN)/python scripts/breaking.py --spec openapi.yaml $(if $(BASE),--base $(BASE))

ci: check-generated lint-contract lint lint-containers typecheck importcheck test ## Every gate CI runs (and `.ci/run` adds PostgreSQL)

lint-containers: $(STAMP) ## hadolint on the Dockerfile; compose.yaml against the compose-spec schema
	$(BIN)/hadolint Dockerfile
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec compose.yaml

audit: $(STAMP) ## Known vulnerabilities: pip-audit over constraints.txt, npm audit per package-lock.json
	$(BIN)/python scripts/audit.py

# The CPython minors the pinned set must have wheels for (README "Supported Pythons").
WHEEL_PYTHONS ?= 3.11 3.12 3.13 3.14 3.15
WHEEL_PLATFORMS ?= manylinux_2_28_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 linux_x86_64

wheels: $(STAMP) ## Fail unless every pin in constraints.txt has a wheel for each of WHEEL_PYTHONS
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	for v in $(WHEEL_PYTHONS); do \
	  echo "== CPython $$v: a wheel for every pin in constraints.txt"; \
	  $(BIN)/python -m pip download --quiet --no-deps --only-binary=:all: --implementation cp \
	    --python-version $$v $(foreach p,$(WHEEL_PLATFORMS),--platform $(p)) \
	    -r constraints.txt -d "$$tmp/$$v" || exit 1; \
	done

test-pythons: ## The fast part of the suite under each other CPython found (3.12+), in .venv-3.X
	bash scripts/test_pythons.sh


loadtest: $(STAMP) ## make serve (2 workers, PostgreSQL, Redis) under Locust for LOADTEST_DURATION s (60): zero 5xx, zero lost writes; reports/loadtest.md
	$(BIN)/python scripts/loadtest.py

bench-service: $(STAMP) ## The real app on PostgreSQL under wrk (installs wrk if missing); reports/bench-service.md
	$(BIN)/python benchmarks/service.py

clean: ## Remove caches, reports and the local database (not .venv)
	rm -rf .mypy_cache .ruff_cache .pytest_cache .hypothesis reports var
