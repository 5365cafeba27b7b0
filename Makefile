# `make run`: virtualenv if missing → install → migrate → demo county → http://127.0.0.1:8000 (SQLite, WAL) and its worker
# `make test`: the whole suite (DATABASE_URL=postgres://... runs it on PostgreSQL)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install demo bench clean browser messages

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
# the background worker (imports, evaluation runs, reminders) runs beside the server and stops with it
LUOSHI_TODAY ?= 2021-07-15
run: demo
	@export LUOSHI_TODAY=$(LUOSHI_TODAY); \
	$(BIN)/python manage.py db_worker --no-reload --no-startup-delay --interval 0.5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# the browser tests drive Debian's chromium (never a downloaded browser); without apt they skip, saying why
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			(apt-get update -q && apt-get install -y -q chromium fonts-noto-cjk) \
				|| echo "could not install chromium: tests/browser will be skipped"; \
		else echo "chromium missing and apt-get unavailable: tests/browser will be skipped"; fi; \
	fi

test: $(STAMP) browser
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

# `make messages`: refresh luoshi/locale/en from the sources (new strings arrive untranslated: translate them in the .po), then compile the .mo; commit both
messages: $(STAMP)
	command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext)
	cd luoshi && ../$(BIN)/python ../manage.py makemessages -l en --ignore='decompose/*'
	cd luoshi && ../$(BIN)/python ../manage.py compilemessages

clean:
	rm -rf $(VENV) *.sqlite3
