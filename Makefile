# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTEST_ARGS ?=

.PHONY: run test install install-test translations messages lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

# Compiled catalogues (.mo) are build products: made here, not kept in git.
translations:
	$(BIN)/pybabel -q compile -d consensus/translations

# After changing UI text: extract, then translate the new entries in the .po file.
messages: install-test
	$(BIN)/pybabel extract -F babel.cfg -k _l -o consensus/translations/messages.pot .
	$(BIN)/pybabel -q update -i consensus/translations/messages.pot -d consensus/translations

instance/config.py: | $(VENV)/.installed
	$(BIN)/consensus init-instance

## make run: set up, migrate, load the demo on an empty database, serve http://127.0.0.1:5000
run: install instance/config.py
	$(BIN)/consensus db upgrade
	$(BIN)/consensus demo
	$(BIN)/consensus run --host $(HOST) --port $(PORT)

## make test: set up with the test extras and run the whole suite
test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check consensus tests bench
	$(BIN)/ruff format --check consensus tests bench

bench: install-test
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
