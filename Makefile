# caseledger: `make demo` runs the service with demo data; `make test` runs the whole test suite.
# Both create and reuse a local virtualenv in .venv (Python 3.11+).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow test-browser lint typecheck check openapi openapi-check bench fonts clean

# CJK fonts for the printed documents (service/documents/typesetting.py), from Debian, never in the repository:
# Noto Serif CJK SC for body and title, HanaMin A/B for the rare characters of CJK Extensions A and B;
# poppler-utils (pdftoppm) to look at the pages. Installed when missing (root, or sudo).
FONT_PACKAGES := fonts-noto-cjk fonts-hanazono poppler-utils

fonts:
	@dpkg -s $(FONT_PACKAGES) >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $(FONT_PACKAGES); }

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("caseledger needs Python 3.11+") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP) fonts
	$(BIN)/caseledger demo

# The suite runs in one pytest worker per core (pytest-xdist; every test has its own database, so they do not meet):
# TEST_WORKERS=0 runs it in this one process, e.g. to debug with pdb.
TEST_WORKERS ?= auto

test: $(STAMP) fonts
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal -m "not browser and not slow"

# The slow suites (schemathesis over every role, stateful; fuzzing; the authorization matrices; crash recovery;
# typeset documents): minutes each, so `make test` leaves them to this target, which CI runs on both databases.
test-slow: $(STAMP) fonts
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist worksteal -m "slow and not browser"

# The console in headless Chromium (tests/browser/): Debian's chromium, installed here when missing (we are root
# on CI); screenshots land in var/screenshots/ (not committed).
test-browser: $(STAMP) fonts
	test -x /usr/bin/chromium || apt-get install -y chromium
	$(BIN)/python -m pytest -q -p no:cacheprovider -m browser tests/browser

lint: $(STAMP)
	$(BIN)/ruff check service tests bench
	$(BIN)/ruff format --check service tests bench

typecheck: $(STAMP)
	$(BIN)/mypy --strict service

check: lint typecheck openapi-check test

openapi: $(STAMP)
	$(BIN)/caseledger openapi

openapi-check: $(STAMP)
	$(BIN)/python -m service.openapi_doc --check

bench: $(STAMP) fonts
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
