# learnloop: `make demo` to try it, `make test` to test it. Needs only Python 3.11+, git and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo test test-postgres check bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

## make demo: install, migrate, seed the demo company, serve on http://127.0.0.1:$(PORT) with a worker,
## as production runs (no debug pages, collected static files, a secret key kept in var/secret_key)
demo: export LEARNLOOP_ENV := demo
# Links in emails and calendar feeds, and the LRS address, name the port the demo is served on.
demo: export SITE_URL ?= http://127.0.0.1:$(PORT)
demo: $(VENV)/.installed
	$(BIN)/learnloop migrate --noinput
	$(BIN)/learnloop collectstatic --noinput --verbosity 0
	$(BIN)/learnloop demo
	@echo "Open $(SITE_URL) and sign in with one of the logins above."
	$(BIN)/learnloop serve --port $(PORT) --with-worker

## make test: install what the tests need, then run the whole suite (DATABASE_URL selects PostgreSQL)
test: $(VENV)/.installed-test
	$(BIN)/pytest $(PYTEST_ARGS)

## make check: lint, format, types, security lint (bandit: no high findings), migrations
check: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy learnloop benchmarks fuzz
	$(BIN)/bandit -q -r learnloop -x '*/tests/*,*/migrations/*' --severity-level high
	$(BIN)/learnloop makemigrations --check --dry-run
	LEARNLOOP_ENV=production SECRET_KEY=check-only-$$(printf '%064d' 0) ALLOWED_HOSTS=learnloop.example \
		$(BIN)/learnloop check --deploy --fail-level WARNING

## make bench: seed a 10,000-person organization and measure the API and pages under load
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static

.PHONY: bench-lrs
## make bench-lrs: the LRS benchmark (learnloop beside Ralph and the raw database ceiling)
bench-lrs: $(VENV)/.installed-test
	$(BIN)/python benchmarks/lrs.py $(BENCH_ARGS)

.PHONY: bench-imports
## make bench-imports: a 14,000-row ESCO-shaped skills file and a 10,000-person HR export, stage by stage
bench-imports: $(VENV)/.installed-test
	$(BIN)/python benchmarks/imports.py $(BENCH_ARGS)

.PHONY: fuzz
## make fuzz: serve a small demo company and fuzz the API as four roles with schemathesis; any 500 fails
fuzz: $(VENV)/.installed-test
	$(BIN)/python fuzz/api.py $(FUZZ_ARGS)

.PHONY: mutation
## make mutation: mutation-test the rule modules against their own tests (docs/testing.md; not in CI)
MUTANTS ?= learnloop.skills.calibration.* learnloop.skills.scale.* learnloop.plans.smart.* \
	learnloop.pathways.progress.* learnloop.learning.sessions.x__seats_taken__* \
	learnloop.learning.sessions.x__waitlist_moved__* learnloop.learning.sessions.x_waitlist_promote_next__* \
	learnloop.learning.sessions.x__changed__*
mutation: $(VENV)/.installed-test
	rm -rf mutants var/mutation-test.sqlite3
	SQLITE_TEST_PATH=$(CURDIR)/var/mutation-test.sqlite3 $(BIN)/mutmut run --max-children 1 $(MUTANTS)
	$(BIN)/mutmut results --all true | $(BIN)/python benchmarks/mutation_score.py
