# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
# The uv that bootstraps the install is the one the lock file pins.
UV_VERSION := $(shell sed -n '/^name = "uv"$$/{n;s/^version = "\(.*\)"/\1/p;}' uv.lock)
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml uv.lock | cksum | cut -d' ' -f1)
# Test processes: one per core by default (`make test TEST_WORKERS=0` runs in this process).
TEST_WORKERS ?= auto
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test check lint format install lock migrate demo serve bench load clean worker

# Installs exactly what uv.lock records (`--locked` fails if pyproject.toml has changed since).
$(STAMP): pyproject.toml uv.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(PY) -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --locked --quiet --python $(PY)
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Refresh the lock file: every dependency to its newest release within pyproject.toml's ranges.
lock: install
	$(UV) lock --upgrade

migrate: install
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo

run: demo
	$(PY) manage.py runserver 127.0.0.1:8000

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) bin/check_function_length.py
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

test: check
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# A background worker for committee packs (the database queue). `make run` needs none: locally
# the immediate backend builds packs in the request.
worker: migrate
	TASKS_BACKEND=django_tasks_db.DatabaseBackend $(PY) manage.py db_worker --no-reload

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PY) bench/run.py

# 100 officers submitting at the deadline against gunicorn and PostgreSQL (127.0.0.1:5432).
load: install
	$(PY) bench/load_entry.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
