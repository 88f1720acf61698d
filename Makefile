# folio: `make run` serves the API locally, `make test` runs the whole suite.
# Both create the virtualenv (Python 3.13) on first use.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
# Python 3.13: on PATH, or through pyenv (where it is installed but not the default).
PYTHON313 ?= $(shell build/find-python313)

.PHONY: run test fuzz bench build validate clean chromium

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

run: $(VENV)/.installed
	$(VENV)/bin/folio local

# Debian's chromium, for the test that opens /docs (Swagger UI) in a real headless browser
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: $(VENV)/.installed $(TOOLS)/.installed chromium
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m pytest

# schemathesis with many more examples per operation than `make test` runs (10)
fuzz: $(VENV)/.installed
	FOLIO_FUZZ_EXAMPLES=$${FOLIO_FUZZ_EXAMPLES:-500} PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m pytest tests/fuzz -p no:cacheprovider

# cold start, the built artifact, round trips, memory, throughput, batches (README: "Speed and cost")
bench: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) bench/run.py

validate: $(VENV)/.installed
	$(VENV)/bin/sam validate --lint

build: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/sam build

clean:
	rm -rf $(VENV) $(TOOLS) .aws-sam .pytest_cache
