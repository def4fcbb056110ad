# Samizdat: `make demo` runs the site with demo content; `make test` runs every check.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The venv is installed from requirements/lock.txt only: every package pinned, each file checked against its PyPI hash.
STAMP  := $(VENV)/.installed-$(shell sha1sum < requirements/lock.txt | cut -c1-12)
# `make lock` resolves requirements/test.txt (which includes base.txt, the human-edited inputs) for Python 3.11 on
# x86_64 Linux (glibc 2.36, Debian 12) against PyPI alone, keeping every version the lock already has where the inputs
# still allow it. `make lock LOCK_ARGS=--upgrade` takes the newest allowed; `LOCK_ARGS="-P django"` just one package.
# Debian 12's own python3 (3.11.2): the lock must install there (requirements/test.txt keeps soupsieve below 4.1,
# which needs 3.11.5).
LOCK_PYTHON   ?= 3.11.2
LOCK_PLATFORM ?= x86_64-manylinux_2_36
LOCK_TOOL     := var/lock-tool
LOCK_ARGS     ?=

.PHONY: demo test lint venv validators lock messages bench clean

venv: $(STAMP)

# Installs into an existing venv too (what is already installed at the locked version is left alone), so a venv in use
# keeps working; pip itself is the venv's own and is not upgraded from the network.
$(STAMP): requirements/lock.txt
	@scripts/ensure_system.sh python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/lock.txt
	@rm -f $(VENV)/.installed-* && touch $@

# The independent checkers the tests run against rendered pages (Nu HTML Checker, axe-core, Lighthouse): npm packages
# pinned in tools/validators/package-lock.json, installed by `npm ci` when the lock changes; no browser download
# (Lighthouse drives Debian's Chromium), Java from Debian for the checker.
VALIDATORS := tools/validators
VALIDATORS_STAMP := $(VALIDATORS)/node_modules/.installed-$(shell sha1sum < $(VALIDATORS)/package-lock.json | cut -c1-12)

validators: $(VALIDATORS_STAMP)

$(VALIDATORS_STAMP): $(VALIDATORS)/package-lock.json
	@scripts/ensure_system.sh java node
	cd $(VALIDATORS) && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@rm -f $(VALIDATORS)/node_modules/.installed-* && touch $@

lock: requirements/base.txt requirements/test.txt requirements/lock-tool.txt
	@scripts/ensure_system.sh python
	@test -x $(LOCK_TOOL)/bin/python || $(PYTHON) -m venv $(LOCK_TOOL)
	$(LOCK_TOOL)/bin/python -m pip install --quiet --require-hashes -r requirements/lock-tool.txt
	$(LOCK_TOOL)/bin/uv pip compile --quiet --no-config --default-index https://pypi.org/simple \
	  --python-version $(LOCK_PYTHON) --python-platform $(LOCK_PLATFORM) --generate-hashes \
	  --custom-compile-command "make lock" $(LOCK_ARGS) requirements/test.txt -o requirements/lock.txt

demo: venv
	SAMIZDAT_ENV=demo $(BIN)/python manage.py migrate --noinput -v0
	SAMIZDAT_ENV=demo $(BIN)/python manage.py load_demo
	SAMIZDAT_ENV=demo $(BIN)/python manage.py rundemo

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SAMIZDAT_ENV=test $(BIN)/python manage.py check --fail-level WARNING
	SAMIZDAT_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run

test: venv validators lint
	@scripts/ensure_system.sh chromium nginx postgresql redis systemd
	SAMIZDAT_ENV=test $(BIN)/python -m pytest

messages: venv
	SAMIZDAT_ENV=test $(BIN)/python manage.py makemessages -l ru --no-obsolete --ignore=.venv --ignore=var
	SAMIZDAT_ENV=test $(BIN)/python manage.py compilemessages --ignore=.venv

bench: venv
	$(BIN)/python bench/reading_pages.py
	$(BIN)/python bench/support_endpoints.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/payments.py
	$(BIN)/python bench/published_tree.py
	$(BIN)/python bench/production.py
	$(BIN)/python bench/newsletter_send.py

clean:
	rm -rf var/ .pytest_cache .coverage htmlcov
