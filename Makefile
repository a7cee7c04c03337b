# Parlons Quartier — `make run` serves the demo on SQLite, `make test` runs the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app participation
PORT ?= 5000
# pytest-xdist workers: one per core by default; TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= auto

.PHONY: run test install translations extract-messages update-catalogs bench browser clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Compiled catalogs are build output, never committed.
translations: install
	$(VENV)/bin/pybabel compile --statistics -d translations

# Babel skips directories starting with '_' unless --ignore-dirs is given: templates/_macros/ holds strings.
extract-messages: install
	$(VENV)/bin/pybabel extract -F babel.cfg --ignore-dirs='.* __pycache__ node_modules' -k lazy_gettext -k _l -k ngettext:1,2 -k lazy_ngettext:1,2 --no-location --sort-output --omit-header --no-wrap -o translations/messages.pot .

update-catalogs: extract-messages
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete --no-wrap

node_modules/axe-core/axe.min.js: package.json
	npm install --no-audit --no-fund --loglevel=error

# Debian's Chromium for the browser tests (never a downloaded browser); installed when root.
browser:
	@{ command -v chromium >/dev/null 2>&1 && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; \
	  else echo "Install Debian's chromium (sudo apt-get install chromium) to run the browser tests."; fi; }

run: translations
	$(FLASK) db upgrade
	$(FLASK) seed demo
	$(FLASK) run --port $(PORT)

test: translations browser node_modules/axe-core/axe.min.js
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: translations
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache
