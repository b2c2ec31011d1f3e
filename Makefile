# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# What is installed comes from the lock files (every version pinned, every file hash-checked); a stamp named
# after the lock's and pyproject.toml's checksum notices when either changes.
sum = $(shell cat pyproject.toml requirements/$(1).lock | cksum | cut -d' ' -f1)
MAIN_STAMP := $(VENV)/.installed-main-$(call sum,main)
DEV_STAMP := $(VENV)/.installed-dev-$(call sum,dev)

.PHONY: run test bench migrate venv venv-dev lint lock openapi protos clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The lock pins setuptools and wheel too: the project itself is built with them, without build isolation.
define install
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/$(1).lock
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-$(1)-*
	touch $@
endef

$(MAIN_STAMP): pyproject.toml requirements/main.lock | $(BIN)/python
	$(call install,main)

$(DEV_STAMP): pyproject.toml requirements/dev.lock | $(BIN)/python
	$(call install,dev)

venv: $(MAIN_STAMP)

venv-dev: $(DEV_STAMP)

# `charge migrate` brings any database up to date; `charge serve` then finds nothing to do.
run: venv
	$(BIN)/charge migrate
	$(BIN)/charge serve

migrate: venv
	$(BIN)/charge migrate

# The import direction (import-linter), then ruff, then mypy (strict on domain/ and application/).
lint: venv-dev
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv-dev
	$(BIN)/python -m tests.benchmarks

openapi: venv-dev
	$(BIN)/python -m entrypoints.rest.openapi > contracts/openapi.json

# The gRPC code of contracts/charge/v1/*.proto (grpcio-tools), checked in under entrypoints/grpc/generated;
# a test fails when it differs from what this generates.
protos: venv-dev
	$(BIN)/python -m entrypoints.grpc.codegen

# Regenerate the lock files after a change to pyproject.toml (existing pins are kept where they still fit;
# `make lock LOCK_ARGS=--upgrade` moves everything to the newest releases). They are resolved from the
# default package index alone: this machine's pip configuration (local wheels, extra indexes, constraints)
# is ignored, so that a fresh machine resolves the same files. dev.lock is the superset; main.lock is
# constrained by it, so both pin the same versions.
PIP_COMPILE = env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_CONSTRAINT \
	PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile --quiet --no-config --generate-hashes --allow-unsafe \
	--strip-extras --newline LF --no-emit-index-url --no-emit-find-links --build-deps-for editable $(LOCK_ARGS)

lock: venv-dev
	$(PIP_COMPILE) --extra dev -o requirements/dev.lock pyproject.toml
	$(PIP_COMPILE) -c requirements/dev.lock -o requirements/main.lock pyproject.toml
	$(PIP_COMPILE) -o requirements/localstripe.lock requirements/localstripe.in

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache charge.db
