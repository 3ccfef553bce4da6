# Quick start:  make run        (set up .venv, run the whole pipeline on the IMDB data)
#               make test       (set up .venv, run the whole test suite)
#               make test-fast  (the unit tests only)
# DATA=... overrides the data (default: imdb-tfx's, see docs/data.md); ARGS=... adds flags.
SHELL := /bin/bash
VENV := .venv

.PHONY: setup run test test-fast benchmark
setup:
	@scripts/setup.sh

run: setup
	$(VENV)/bin/imdb-tfx run $(if $(DATA),--data $(DATA)) $(ARGS)

test: setup
	@scripts/install_test_deps.sh || echo "make test: chromium could not be installed; the browser test will skip"
	$(VENV)/bin/python -m pytest -n auto --dist loadfile tests $(PYTEST_ARGS)

test-fast: setup
	$(VENV)/bin/python -m pytest -n auto --dist loadfile tests/unit -m "not e2e and not browser" $(PYTEST_ARGS)

benchmark: setup
	$(VENV)/bin/python scripts/benchmark.py $(if $(DATA),--data $(DATA)) $(ARGS)
