# Saling Sapa — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SS      = $(BIN)/salingsapa
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test install install-dev lint typecheck serve soak bench bench-intake clean

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
	$(BIN)/lint-imports

serve: install
	$(SS) serve --host $(HOST) --port $(PORT)

## soak: mixed traffic against the production server (gunicorn; needs Redis on 127.0.0.1:6379) for
## SOAK_SECONDS (default 600); 0 errors or it fails; start/end memory in bench/results/soak.json. Not in `make test`.
SOAK_SECONDS ?= 600
SOAK_CLIENTS ?= 8
soak: install-dev
	SOAK_SECONDS=$(SOAK_SECONDS) SOAK_CLIENTS=$(SOAK_CLIENTS) $(BIN)/python -m bench.soak

## bench: seeding, statistics, staff lists/search/blind index at scale on PostgreSQL (BENCH_DATABASE_URL, default
## postgres://postgres@127.0.0.1:5432/salingsapa_bench, recreated), worker memory (a 60 s soak, needs Redis) and page
## weights: BENCH_CASES (default 20000), FULL=1 for 1,000,000; writes bench/results/scale_<N>.{json,md}. Not in `make test`.
BENCH_CASES ?= 20000
bench: install-dev
	$(BIN)/python -m bench.scale --cases $(if $(FULL),1000000,$(BENCH_CASES))

## bench-intake: POST /api/v1/reports vs GET /healthz at 8/16/32 clients on the production server (with a job
##               worker) on PostgreSQL (a new database beside DATABASE_URL's, default salingsapa_bench; set
##               DATABASE_URL=sqlite to measure SQLite); load generator wrk when installed (apt-get install wrk), else Python threads; CPU per
##               request of server, database and generator, load average, peak RSS per worker. Not in `make test`.
bench-intake: install-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/salingsapa_bench} $(BIN)/python -m bench.intake_load

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
