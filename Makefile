# folio: `make run` serves the API locally, `make test` runs the whole suite.
# Both create the virtualenv (Python 3.13) on first use.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Python 3.13: on PATH, or through pyenv (where it is installed but not the default).
PYTHON313 ?= $(shell build/find-python313)

.PHONY: run test build validate clean

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON313)" || { echo "Python 3.13 is needed: see build/find-python313"; exit 1; }
	test -x $(PY) || "$(PYTHON313)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/folio local

test: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m pytest

validate: $(VENV)/.installed
	$(VENV)/bin/sam validate --lint

build: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/sam build

clean:
	rm -rf $(VENV) .aws-sam .pytest_cache
