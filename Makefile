# The README's two commands: `make demo` and `make test`; `make bench` runs the benchmarks.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: test demo bench readme clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("undertow needs Python >= 3.11, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[app,test]'
	@touch $@

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	MYPY=$(BIN)/mypy scripts/typecheck
	scripts/ensure-redis
	scripts/ensure-compose
	$(BIN)/python -m pytest

demo: $(VENV)/.installed
	scripts/demo

# Benchmarks print tables and write JSON under build/; pass BENCH_REPOS="path ..." to measure real clones.
bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[app,test,bench]'
	$(BIN)/python -m tests.benchmarks.schema_replay $(BENCH_REPOS)
	$(BIN)/python -m tests.benchmarks.parsing
	$(BIN)/python -m tests.benchmarks.scan --scales 1 4 16 --prs 1 10 100
	$(BIN)/python -m tests.benchmarks.app_service
	$(BIN)/python -m tests.benchmarks.startup

# Regenerate the rule catalogue (analyzers/rules/catalogue.json) and the README's rules table
# from the rule classes and their docstrings.
readme: $(VENV)/.installed
	$(BIN)/python -m undertow.analyzers.rules.catalogue
	$(BIN)/python -c 'import pathlib, undertow.app.docs as d; p = pathlib.Path("README.md"); p.write_text(d.readme_with_table(p.read_text()))'

clean:
	rm -rf $(VENV) build .pytest_cache
