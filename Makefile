# make run   — set everything up and serve the portal with the example county (SQLite)
# make test  — set everything up and run the whole suite, browser tests included
# make bench — county-scale data and the benchmark
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app portal
PORT   ?= 5000
HOST   ?= 127.0.0.1

.PHONY: run test bench setup clean lint vendor

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

node_modules/axe-core/axe.min.js: package.json
	npm install --no-audit --no-fund --silent
	touch $@

setup: $(VENV)/.installed
	scripts/system-deps.sh run
	$(FLASK) db upgrade
	$(FLASK) demo

# The scheduler (publish-due, monthly close, reminders) runs beside the web server.
run: setup
	@echo "门户网站：http://$(HOST):$(PORT)/    工作人员登录：http://$(HOST):$(PORT)/login"
	$(FLASK) scheduler & trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed node_modules/axe-core/axe.min.js
	scripts/system-deps.sh test
	$(VENV)/bin/ruff check portal tests bench
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed
	scripts/system-deps.sh bench
	$(PY) -m bench $(BENCH_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check portal tests

# Front-end files served by the portal, copied from the npm registry's packages.
vendor: node_modules/axe-core/axe.min.js
	cp node_modules/chart.js/dist/chart.umd.min.js portal/static/vendor/
	cp node_modules/chart.js/LICENSE.md portal/static/vendor/chart.js.LICENSE.md
	mkdir -p portal/static/vendor/jodit
	cp node_modules/jodit/es2021/jodit.min.js node_modules/jodit/es2021/jodit.min.css portal/static/vendor/jodit/
	cp node_modules/jodit/LICENSE.txt portal/static/vendor/jodit/LICENSE.txt

clean:
	rm -rf $(VENV) node_modules
