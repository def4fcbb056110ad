# Samizdat: `make demo` runs the site with demo content; `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements/*.txt | sha1sum | cut -c1-12)

.PHONY: demo test lint venv messages bench clean

venv: $(STAMP)

$(STAMP): requirements/base.txt requirements/test.txt
	@scripts/ensure_system.sh python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/test.txt
	@rm -f $(VENV)/.installed-* && touch $@

demo: venv
	SAMIZDAT_ENV=demo $(BIN)/python manage.py migrate --noinput -v0
	SAMIZDAT_ENV=demo $(BIN)/python manage.py load_demo
	SAMIZDAT_ENV=demo $(BIN)/python manage.py rundemo

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SAMIZDAT_ENV=test $(BIN)/python manage.py check --fail-level WARNING
	SAMIZDAT_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run

test: venv lint
	@scripts/ensure_system.sh chromium nginx
	SAMIZDAT_ENV=test $(BIN)/python -m pytest

messages: venv
	SAMIZDAT_ENV=test $(BIN)/python manage.py makemessages -l ru --no-obsolete --ignore=.venv --ignore=var
	SAMIZDAT_ENV=test $(BIN)/python manage.py compilemessages --ignore=.venv

bench: venv
	$(BIN)/python bench/reading_pages.py
	$(BIN)/python bench/support_endpoints.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/payments.py

clean:
	rm -rf var/ .pytest_cache .coverage htmlcov
