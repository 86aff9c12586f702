# Saling Sapa — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SS      = $(BIN)/salingsapa
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test install install-dev lint typecheck serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## demo: install into .venv, prepare the SQLite database with demo data, run a background-job worker
##       beside the server and serve http://127.0.0.1:8000 (Ctrl+C stops both)
demo: install
	$(SS) migrate --noinput
	$(SS) load-reference
	$(SS) seed-demo --if-empty
	$(SS) collectstatic --noinput --verbosity 0
	$(SS) demo-logins
	$(SS) worker --verbosity 0 & WORKER=$$!; trap 'kill $$WORKER 2>/dev/null; wait $$WORKER' EXIT INT TERM; \
	$(SS) serve --host $(HOST) --port $(PORT)

## test: install dev dependencies and run the whole suite (DATABASE_URL=postgres://... for PostgreSQL)
test: install-dev
	$(BIN)/pytest

lint: install-dev
	$(BIN)/ruff check salingsapa tests bench
	$(BIN)/mypy salingsapa

serve: install
	$(SS) serve --host $(HOST) --port $(PORT)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
