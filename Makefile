# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test bench migrate venv lint openapi clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

run: venv
	$(BIN)/charge migrate
	$(BIN)/charge serve

migrate: venv
	$(BIN)/charge migrate

# The import direction (import-linter), then ruff, then mypy (strict on domain/ and application/).
lint: venv
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv
	$(BIN)/python -m tests.benchmarks

openapi: venv
	$(BIN)/python -m entrypoints.rest.openapi > contracts/openapi.json

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis charge.db
