# The map of everything a user can run. `make run` and `make test` are all a new user needs.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
export DBT_PROFILES_DIR := $(CURDIR)
# make test builds its own warehouse so it never touches the one BI tools read.
TEST_WAREHOUSE_DIR ?= $(CURDIR)/warehouse/test

.PHONY: help setup run test dbt-test pytest lint sqlfluff ruff benchmark clean

help:
	@echo "make run        set up, build the demo company's warehouse on DuckDB and publish it"
	@echo "make test       set up, then every check: dbt build, pytest, sqlfluff, ruff"
	@echo "make benchmark  generator speed and memory at 1M leads"
	@echo "make clean      remove the venv, generated data and warehouses"

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

run: setup
	$(BIN)/python -m revenue_engine run

# Every check the project has. The pipeline run is dbt build (models, data tests, unit tests).
test: setup
	WAREHOUSE_DIR=$(TEST_WAREHOUSE_DIR) $(BIN)/python -m revenue_engine run
	WAREHOUSE_DIR=$(TEST_WAREHOUSE_DIR) $(BIN)/python -m pytest
	$(MAKE) lint

lint: sqlfluff ruff

sqlfluff: setup
	$(BIN)/sqlfluff lint models tests analyses

ruff: setup
	$(BIN)/ruff check revenue_engine tests benchmarks orchestration
	$(BIN)/ruff format --check revenue_engine tests benchmarks orchestration

benchmark: setup
	$(BIN)/python benchmarks/generate_benchmark.py --leads 1000000

clean:
	rm -rf $(VENV) data warehouse target logs
