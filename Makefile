# Quick start:  make run   (set up .venv, run the whole pipeline on the IMDB data)
#               make test  (set up .venv, run the test suite)
SHELL := /bin/bash
VENV := .venv
SHARED_ARCHIVE := ../shared/data/aclImdb_v1.tar.gz
DATA ?= $(if $(wildcard $(SHARED_ARCHIVE)),$(SHARED_ARCHIVE),https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz)
export TF_USE_LEGACY_KERAS := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: setup run test benchmark
setup:
	@scripts/setup.sh

run: setup
	$(VENV)/bin/imdb-tfx run --data $(DATA) $(ARGS)

test: setup
	@scripts/install_test_deps.sh || echo "make test: chromium could not be installed; the browser test will skip"
	$(VENV)/bin/python -m pytest tests $(PYTEST_ARGS)

benchmark: setup
	$(VENV)/bin/python scripts/benchmark.py --data $(DATA) $(ARGS)
