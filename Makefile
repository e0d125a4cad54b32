# Two commands do everything on a fresh machine: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
SYSTEM_PACKAGES := chromium chromium-driver dovecot-imapd postgresql redis-server
DEV_ENV := PORTAL_ENV=development
HOST ?= 127.0.0.1
PORT ?= 5000
# make serve: gunicorn workers, 2 x cores + 1 unless WORKERS says otherwise.
WORKERS ?= $(shell echo $$((2 * $$(nproc 2>/dev/null || echo 1) + 1)))

.PHONY: run serve test lint format system-packages deps test-deps e2e-deps oidc-deps migrate seed clean load fuzz fuzz-sqlite fuzz-postgresql translations

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.deps: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.deps $@

# What the browser tests inject into pages (axe-core), pinned by tests/e2e/package-lock.json;
# never served by the portal.
E2E_NPM := tests/e2e/node_modules/.package-lock.json
$(E2E_NPM): tests/e2e/package.json tests/e2e/package-lock.json
	npm ci --prefix tests/e2e --no-audit --no-fund --ignore-scripts
	touch $@

# A real OpenID Provider for the single sign-on tests (the certified oidc-provider package),
# pinned by tests/oidc/package-lock.json; started by the tests on a loopback port, never
# served by the portal.
OIDC_NPM := tests/oidc/node_modules/.package-lock.json
$(OIDC_NPM): tests/oidc/package.json tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund --ignore-scripts
	touch $@

deps: $(VENV)/.deps
test-deps: $(VENV)/.test-deps
e2e-deps: $(E2E_NPM)
oidc-deps: $(OIDC_NPM)

# Debian packages the tests need (a real browser, PostgreSQL, Redis, and dovecot as an IMAP
# server: the tests start their own, on a free port); skipped when present. npm too, unless
# one is already on the PATH (NodeSource's nodejs brings its own).
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

migrate: deps
	$(DEV_ENV) $(FLASK) db upgrade

seed: migrate
	@$(DEV_ENV) $(FLASK) seed demo
	@# An index from an older version (or none) is rebuilt; a matching one is left alone.
	@$(DEV_ENV) $(FLASK) search verify >/dev/null 2>&1 || $(DEV_ENV) $(FLASK) search rebuild

run: seed
	@echo ""
	@echo "Demo sign-ins (password: demo-password):"
	@echo "  admin@example.com, moderator@example.com, staff@example.com,"
	@echo "  customer@example.com, supplier@acme.example.com"
	@echo "Serving on http://$(HOST):$(PORT)"
	$(DEV_ENV) $(FLASK) run --host $(HOST) --port $(PORT)

# Production: migrations, then gunicorn with WORKERS workers on HOST:PORT. PORTAL_ENV defaults
# to production, which needs SECRET_KEY; DATABASE_URL picks the database (README, "Running
# in production"). One JSON line per request goes to standard error.
serve: deps
	$(FLASK) db upgrade
	exec $(VENV)/bin/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) \
	  --timeout 60 --graceful-timeout 30 --keep-alive 5 \
	  --max-requests 20000 --max-requests-jitter 2000 wsgi:app

# The import layers first (models < access < services < views; pyproject.toml), then the suite.
test: system-packages test-deps e2e-deps oidc-deps
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest

# Schemathesis against the API, Hypothesis on Markdown and the stateful visibility proof, the
# long variants (short ones run in `make test`). PORTAL_FUZZ_EXAMPLES sets the examples per API
# operation (default 300). The two databases run as two processes side by side (each output
# shown whole when it ends); `make fuzz-sqlite` or `make fuzz-postgresql` runs one.
FUZZ_TESTS := tests/test_fuzz_api.py tests/test_markdown_properties.py tests/test_stateful_visibility.py
fuzz: system-packages test-deps
	$(MAKE) --no-print-directory -j2 --output-sync=target fuzz-sqlite fuzz-postgresql

fuzz-sqlite fuzz-postgresql: system-packages test-deps
	PORTAL_TEST_DATABASES=$(@:fuzz-%=%) PORTAL_FUZZ=long $(PY) -m pytest $(FUZZ_TESTS)

# Load and faults, the long variant (bench/load_test.py; the short one is tests/test_load.py):
# five minutes on PostgreSQL, a worker killed and the database restarted. LOAD_ARGS adds options.
load: deps
	PYTHONPATH=. $(PY) bench/load_test.py --duration 300 $(LOAD_ARGS)

lint: test-deps
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: test-deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# After adding or changing text: extract it and merge it into each language's catalog, then
# translate the new entries in portal/translations/<lang>/LC_MESSAGES/messages.po (the
# portal compiles catalogs by itself at start; tests/test_i18n.py fails on any left empty).
# --ignore-dirs: only hidden folders; babel would skip templates/_macros by default.
# PYTHONPATH: babel.cfg names the portal's own Jinja extension ({% cached %}).
translations: deps
	PYTHONPATH=. $(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --ignore-dirs '.*' -o portal/translations/messages.pot .
	$(VENV)/bin/pybabel update -i portal/translations/messages.pot -d portal/translations \
	  --no-fuzzy-matching --width 100

clean:
	rm -rf $(VENV) instance tests/artifacts .pytest_cache tests/e2e/node_modules tests/oidc/node_modules
