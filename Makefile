# The two commands a newcomer needs:
#   make run    set everything up, migrate the SQLite database, serve on http://127.0.0.1:8000
#   make test   set everything up, lint, type-check and run the whole test suite
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test setup lint typecheck pytest browser clean client

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/crosscheck serve --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check app harness migrations tests clients
	$(BIN)/ruff format --check app harness migrations tests clients
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy app harness clients/python/crosscheck_client

# The docs-page test drives Debian's headless Chromium. Installed here when missing and root
# (CI is); otherwise the test is skipped outside CI, and says how to install it.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium chromium-driver >/dev/null; \
	else echo "chromium and chromium-driver are missing: apt-get install chromium chromium-driver"; fi

pytest: setup browser
	$(BIN)/pytest

test: lint typecheck pytest

# Rewrite clients/python's OpenAPI document and models from the service (a test checks them).
client: setup
	$(BIN)/python clients/python/generate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
