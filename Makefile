# The README's commands. Each one works on a fresh machine: it installs what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages the commands need are installed on first use, as root or through sudo.
APT_INSTALL = $(if $(filter 0,$(shell id -u)),,sudo) sh -c 'apt-get update -qq && apt-get install -y -qq "$$@" >/dev/null' apt-install
# WeasyPrint (PDF prints) loads Debian's pango at run time and needs a CJK font to embed, or Chinese
# comes out as empty boxes.
PDF_DEPS = @{ ldconfig -p | grep -q libpangoft2-1.0 && fc-list :lang=zh | grep -q .; } || { echo "Installing pango and a CJK font for PDF output" >&2; $(APT_INSTALL) libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-microhei; }
LOCALE_IGNORE := --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=media

.PHONY: run test bench lint format venv worker beat vendor messages clean

$(BIN)/python:
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { echo "Installing python3-venv" >&2; $(APT_INSTALL) python3-venv; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# psycopg2 compiles against libpq, python-ldap (django-auth-ldap) against OpenLDAP's and SASL's
# headers: they and a C compiler must be there first.
BUILD_DEPS_OK = command -v pg_config >/dev/null && command -v gcc >/dev/null && [ -f /usr/include/ldap.h ] && [ -f /usr/include/sasl/sasl.h ]
BUILD_DEPS = libpq-dev gcc python3-dev libldap2-dev libsasl2-dev

$(RUNTIME_STAMP): requirements.txt | $(BIN)/python
	@$(BUILD_DEPS_OK) || { echo "Installing $(BUILD_DEPS) to build psycopg2 and python-ldap" >&2; $(APT_INSTALL) $(BUILD_DEPS); }
	$(PDF_DEPS)
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	@$(BUILD_DEPS_OK) || { echo "Installing $(BUILD_DEPS) to build psycopg2 and python-ldap" >&2; $(APT_INSTALL) $(BUILD_DEPS); }
	$(PDF_DEPS)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(RUNTIME_STAMP)

venv: $(RUNTIME_STAMP)

## make run: migrate a local database, load the demo organisation and serve it on http://127.0.0.1:8000
run: $(RUNTIME_STAMP)
	$(PDF_DEPS)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "请打开 http://$(HOST):$(PORT)/ ，用上面的演示账号登录；按 Ctrl-C 停止服务。"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test: lint, migrations check and the whole suite on PostgreSQL, Redis and headless Chromium
test: $(DEV_STAMP)
	bash scripts/test.sh

## make bench: timings at the scale of a province, against floors measured in the same run
bench: $(DEV_STAMP)
	bash scripts/bench.sh

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make messages: refresh locale/en/LC_MESSAGES/django.po from the code and compile it (commit both files)
messages: $(RUNTIME_STAMP)
	@command -v xgettext >/dev/null || { echo "Installing gettext" >&2; $(APT_INSTALL) gettext; }
	$(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=tests $(LOCALE_IGNORE)
	$(BIN)/python manage.py compilemessages -l en $(LOCALE_IGNORE)
	@msgfmt --statistics -o /dev/null locale/en/LC_MESSAGES/django.po

worker: $(RUNTIME_STAMP)
	$(BIN)/celery -A config worker --loglevel=INFO

beat: $(RUNTIME_STAMP)
	$(BIN)/celery -A config beat --loglevel=INFO

## make vendor: refresh static/vendor from the npm registry (versions in package.json)
vendor:
	rm -rf node_modules && npm install --no-save --ignore-scripts --no-audit --no-fund
	mkdir -p static/vendor/bootstrap static/vendor/htmx static/vendor/echarts static/vendor/bootstrap-icons static/vendor/axe-core
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts static/vendor/bootstrap-icons/
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE static/vendor/axe-core/
	rm -rf node_modules

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
