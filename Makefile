# Every target creates or updates the local virtualenv first, so each works on a fresh clone.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-postgres bench demo lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The same suite on a throwaway PostgreSQL server (.ci/postgres installs it if missing, starts
# it on a free port, sets TEST_DATABASE_URL, and removes it afterwards).
test-postgres: $(STAMP)
	bash .ci/postgres $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

demo: $(STAMP)
	$(BIN)/dvk demo

# Style (ruff), types (mypy, configured in pyproject.toml) and the import contracts
# (import-linter: packages depend one way, flows never import channel code, no cycles).
lint: $(STAMP)
	$(BIN)/ruff check bot handlers storage scheduler settings tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) .pytest_cache
