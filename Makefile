# Two commands on a fresh machine: `make serve` (the assistant) and `make test` (the test suite).
VENV ?= .venv
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install serve test test-fast evals bench browser postgres

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	# The CPU build of torch first: a bare requirement would pull a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

serve: install
	$(PY) app.py

browser: node_modules/.installed
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# axe-core, for the accessibility audit in tests/web/test_browser.py (package.json, package-lock.json).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq npm >/dev/null)
	npm install --no-audit --no-fund
	touch $@

# PostgreSQL for the store's tests (tests/postgres.py starts a throwaway server with its initdb/pg_ctl).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq postgresql >/dev/null)

test: install browser postgres
	$(PY) -m pytest -q

# Every test that needs no index, server, browser or PostgreSQL (tests/conftest.py marks the others heavy): ~15 s.
test-fast: install
	$(PY) -m pytest -q -m "not heavy"

evals: install
	$(PY) -m evals

bench: install
	$(PY) -m evals.bench
