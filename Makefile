# The map of everything a user can run. `make run` and `make test` are all a new user needs.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
export DBT_PROFILES_DIR := $(CURDIR)
# make test builds its own warehouse so it never touches the one BI tools read.
TEST_WAREHOUSE_DIR ?= $(CURDIR)/warehouse/test
# pytest workers for make test (pytest-xdist; conftest.py groups tests by module). 0: one process.
# Two workers pass all but the MetricFlow tests, which meet another module holding the demo build (open).
PYTEST_WORKERS ?= 0

.PHONY: help setup prerequisites run test test-fast unit-tests lint sqlfluff ruff semantic orchestration dagster dashboards dashboard-screenshots benchmark clean

help:
	@echo "make run            set up, build the demo company's warehouse on DuckDB and publish it"
	@echo "make test           set up, then every check: pipeline, pytest, MetricFlow, Dagster, linters"
	@echo "make prerequisites  check what make test needs beyond Python (Java 17+, Chromium)"
	@echo "make test-fast      the fast tests only (no warehouse build): everyday work"
	@echo "make unit-tests     dbt's unit tests (fixed inputs, not the data) against the test warehouse"
	@echo "make setup          create .venv and install the project with its dev tools"
	@echo "make lint           sqlfluff and ruff (both below)"
	@echo "make sqlfluff       sqlfluff with the dbt templater over models and tests"
	@echo "make ruff           ruff check and ruff format --check over the Python"
	@echo "make semantic       MetricFlow: validate the semantic layer against the test warehouse"
	@echo "make orchestration  Dagster: validate the definitions"
	@echo "make dagster        the Dagster UI (asset graph, checks, schedules) on http://127.0.0.1:3000"
	@echo "make dashboards     the dashboards (funnel review, ICP calibration, ...) on http://127.0.0.1:8501"
	@echo "make dashboard-screenshots  a PNG of every dashboard page in warehouse/dashboards/ (Chromium)"
	@echo "make benchmark      generator speed and memory at 1M leads"
	@echo "make clean          remove the venv, generated data and warehouses"

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

run: setup
	$(BIN)/revenue-engine run

# Every check the project has. The pipeline run is dbt build (models and data tests) and the Great
# Expectations suites; then dbt's unit tests, pytest, the semantic layer, the Dagster definitions and
# the linters.
test: prerequisites setup
	WAREHOUSE_DIR=$(TEST_WAREHOUSE_DIR) $(BIN)/revenue-engine run
	$(MAKE) unit-tests
	WAREHOUSE_DIR=$(TEST_WAREHOUSE_DIR) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=25
	$(MAKE) semantic orchestration lint

# What make test needs beyond Python, checked first: one line each on how to install what is missing
# (rather than failing in the Spark or browser tests twenty minutes in).
prerequisites:
	@java -version 2>&1 | head -1 | grep -Eq '"(1[7-9]|2[0-9])' || { \
		echo "make test needs Java 17 or later for the Spark suite: apt-get install openjdk-17-jre-headless"; exit 1; }
	@command -v chromium >/dev/null 2>&1 || { \
		echo "make test needs Chromium for the dashboard tests: apt-get install chromium (.ci/run does it)"; exit 1; }

test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

# Unit tests check the models' logic on fixed inputs, so they run here and in CI, not in every
# production build (selector nightly_full_build leaves them out). They read the built models' types.
unit-tests: setup
	DUCKDB_PATH=$(TEST_WAREHOUSE_DIR)/build/revenue_engine.duckdb RAW_DATA_DIR=$(CURDIR)/data/raw \
		$(BIN)/dbt test --selector unit_tests

semantic: setup
	DUCKDB_PATH=$(TEST_WAREHOUSE_DIR)/build/revenue_engine.duckdb $(BIN)/mf validate-configs

# The code location reads the dbt manifest; parse the project first (`dagster dev` re-parses itself).
orchestration: setup
	DUCKDB_PATH=$(TEST_WAREHOUSE_DIR)/build/revenue_engine.duckdb $(BIN)/dbt parse --quiet
	WAREHOUSE_DIR=$(TEST_WAREHOUSE_DIR) $(BIN)/dagster definitions validate -m revenue_engine.orchestration.definitions

dagster: setup
	mkdir -p warehouse/dagster_home
	DAGSTER_HOME=$(CURDIR)/warehouse/dagster_home $(BIN)/dagster dev -m revenue_engine.orchestration.definitions

# The dashboards read the published warehouse (make run first), read-only.
dashboards: setup
	$(BIN)/revenue-engine dashboards

dashboard-screenshots: setup
	$(BIN)/revenue-engine dashboard-screenshots

lint: sqlfluff ruff

# The dbt templater compiles every model: it needs a database to connect to, not a built one.
sqlfluff: setup
	mkdir -p warehouse/lint
	DUCKDB_PATH=$(CURDIR)/warehouse/lint/lint.duckdb DUCKDB_TEMP_DIRECTORY=$(CURDIR)/warehouse/lint \
		$(BIN)/sqlfluff lint models tests

ruff: setup
	$(BIN)/ruff check revenue_engine tests benchmarks
	$(BIN)/ruff format --check revenue_engine tests benchmarks

benchmark: setup
	$(BIN)/python benchmarks/generate_benchmark.py --leads 1000000

clean:
	rm -rf $(VENV) data warehouse target logs
