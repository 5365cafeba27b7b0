# `make run`: virtualenv if missing → install → migrate → demo county → http://127.0.0.1:8000 (SQLite, WAL)
# `make test`: the whole suite (DATABASE_URL=postgres://... runs it on PostgreSQL)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install demo bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo

# the demo county's responsibility list is for 2021: serve it as of mid-July (make run LUOSHI_TODAY= for the real date)
LUOSHI_TODAY ?= 2021-07-15
run: demo
	LUOSHI_TODAY=$(LUOSHI_TODAY) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

clean:
	rm -rf $(VENV) *.sqlite3
