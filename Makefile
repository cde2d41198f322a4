# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTEST_ARGS ?=

.PHONY: run test install install-test translations messages lint bench clean constraints

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs take the versions CI tested (constraints.txt); pyproject.toml keeps lower bounds.
PIP_INSTALL := $(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP_INSTALL) -e '.[test]'
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

## make constraints: resolve the newest versions pyproject.toml allows in a fresh virtualenv
## and pin them all in constraints.txt (then run make test, and commit both together)
CONSTRAINTS_VENV := .venv-constraints
constraints:
	rm -rf $(CONSTRAINTS_VENV)
	$(PYTHON) -m venv $(CONSTRAINTS_VENV)
	$(CONSTRAINTS_VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
	{ echo "# The versions the tests ran with: pip freeze of a fresh install of .[test]."; \
	  echo "# Made by make constraints; every make install uses it (pip install -c)."; \
	  $(CONSTRAINTS_VENV)/bin/pip freeze --exclude-editable; } > constraints.txt
	rm -rf $(CONSTRAINTS_VENV)

lint: install-test
	$(BIN)/ruff check consensus tests bench
	$(BIN)/ruff format --check consensus tests bench

bench: install-test
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
