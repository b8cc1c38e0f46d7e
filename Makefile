# bianzhi — two commands: `make run` and `make test`. Everything else is set up by them.
SHELL := /bin/bash
PY := .venv/bin/python
VENV_STAMP := .venv/.installed
LANDING ?= data/landing
WAREHOUSE ?= data/warehouse.duckdb
SEED ?= 20261120
PEOPLE ?= 3000
export BIANZHI_LANDING ?= $(CURDIR)/$(LANDING)
export BIANZHI_WAREHOUSE ?= $(CURDIR)/$(WAREHOUSE)

.PHONY: setup run test demo ui dashboard bench lint lock browser clean

$(VENV_STAMP): requirements.lock pyproject.toml
	test -x .venv/bin/python || python3 -m venv .venv
	PIP_EXTRA_INDEX_URL= .venv/bin/pip install --quiet -r requirements.lock
	PIP_EXTRA_INDEX_URL= .venv/bin/pip install --quiet --no-deps -e .
	.venv/bin/python -m orchestration.prepare
	touch $(VENV_STAMP)

setup: $(VENV_STAMP)

demo: setup
	@if [ -z "$$(ls -A $(LANDING) 2>/dev/null)" ]; then \
		echo "landing folder $(LANDING) is empty: writing the demo county (seed $(SEED))"; \
		$(PY) -m demo --out $(LANDING) --seed $(SEED) --people $(PEOPLE); \
	fi

run: demo
	.venv/bin/bianzhi run --landing $(LANDING) --warehouse $(WAREHOUSE)
	@$(PY) -m orchestration.hints $(WAREHOUSE)

test: setup browser
	$(PY) -m pytest

browser:
	@bash .ci/install-browser.sh

lint: setup
	.venv/bin/ruff check .

ui: setup
	.venv/bin/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

dashboard: setup
	.venv/bin/streamlit run dashboard/app.py --server.address 127.0.0.1 --server.headless true --browser.gatherUsageStats false --client.toolbarMode viewer -- --warehouse $(WAREHOUSE)

bench: setup
	$(PY) -m bench

lock:
	python3 -m venv /tmp/bianzhi-lock && /tmp/bianzhi-lock/bin/pip install -e '.[dev]' \
	&& /tmp/bianzhi-lock/bin/pip freeze --exclude-editable | grep -v '^bianzhi' > requirements.lock

clean:
	rm -rf .venv dbt_project/target dbt_project/logs data/*.build data/*.dbt
