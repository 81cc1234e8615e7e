# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test check lint format install migrate demo serve bench load clean worker

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo

run: demo
	$(PY) manage.py runserver 127.0.0.1:8000

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

test: check
	$(PY) -m pytest $(PYTEST_ARGS)

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
