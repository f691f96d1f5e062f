# The two commands: `make run` and `make test`. Everything else is a step they depend on.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
# One test process per core (pytest-xdist; an idle one takes tests from a busy one, so a long test at the end does not
# leave a core idle); each has its own database (tests/conftest.py). PYTEST_ARGS= runs in one.
PYTEST_ARGS ?= -n auto --dist worksteal
export PICCOLO_CONF := app.piccolo_conf

.PHONY: run test lint install migrate demo-data worker clean

run: $(STAMP) ## set up, migrate, load demo data and serve on http://127.0.0.1:8000
	$(BIN)/market migrate
	$(BIN)/market demo-data
	$(BIN)/market serve --host $(HOST) --port $(PORT)

test: $(STAMP) ## set up and run the linter and the whole test suite
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/market migrate

demo-data: $(STAMP)
	$(BIN)/market demo-data

worker: $(STAMP)
	$(BIN)/market worker

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis tests/browser/node_modules
