# The two commands: `make demo` and `make test`. Both create .venv and install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test lint typecheck unit integration e2e browser browser-tests bench chaos catalogues clean

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "parcellocker needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/parcellocker demo

# The tests mostly wait (servers starting, schedulers, retries, browsers), so more workers than cores pays; each
# file stays on one worker, the browser tests all on one (tests/xdist_scheduling.py). TEST_WORKERS=0 runs serially.
TEST_WORKERS ?= 4
PARALLEL := -n $(TEST_WORKERS) --dist loadfile
# A test that hangs fails after this many seconds, with its stack, instead of holding up the whole run (a stopped
# background loop once waited forever in CI). The longest test takes a fraction of it.
TEST_TIMEOUT ?= 600

test: $(INSTALLED) browser lint typecheck
	$(BIN)/pytest -q $(PARALLEL) --timeout=$(TEST_TIMEOUT)

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser of its own). Without
# root the tests that need it are skipped, except in CI, where they fail.
browser:
	@test -x /usr/bin/chromium || apt-get install -y chromium || (apt-get update && apt-get install -y chromium) \
		|| echo "warning: could not install chromium; the browser tests will be skipped (or fail with CI=true)"
	@fc-list | grep -qi "wenquanyi" || apt-get install -y fonts-wqy-microhei || (apt-get update && apt-get install -y fonts-wqy-microhei) \
		|| echo "warning: no Chinese font (fonts-wqy-microhei): the kiosk's Chinese texts show as boxes"

lint: $(INSTALLED)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(INSTALLED)
	$(BIN)/mypy src

unit: $(INSTALLED)
	$(BIN)/pytest -q tests/unit

integration: $(INSTALLED)
	$(BIN)/pytest -q tests/integration

e2e: $(INSTALLED)
	$(BIN)/pytest -q tests/e2e

browser-tests: $(INSTALLED) browser
	$(BIN)/pytest -q tests/browser

# Issue 8's fault runs at full size (make test runs each of them short): kill -9 of the server, the terminal, the
# broker and PostgreSQL under load, and the other engineers' fault runs (docs/RELIABILITY.md).
chaos: $(INSTALLED)
	PARCELLOCKER_CHAOS=full $(BIN)/pytest -q -m chaos tests

# The kiosk's gettext catalogues: every text of its templates added to each language's .po (then translate them).
catalogues: $(INSTALLED)
	$(BIN)/python -c 'from parcellocker.terminal.kiosk.screens.catalogues import main; main()'

bench: $(INSTALLED)
	$(BIN)/parcellocker bench api --db sqlite --clients 50 --seconds 20
	$(BIN)/parcellocker bench api --db postgres --clients 100 --seconds 20

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
