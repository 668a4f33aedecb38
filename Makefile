# The two commands: `make run` (the product with demo data, worker and beat) and `make test` (the suite).
# Each installs what it needs into .venv once per version of the requirements: `make run` the runtime only
# (requirements.txt, as production), the others the development and test tools too (requirements-dev.txt).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.runtime-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
DEV := $(VENV)/.dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint format bench graph venv requirements clean otp screens

$(RUNTIME): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.runtime-*
	touch $(RUNTIME)

$(DEV): $(RUNTIME) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	rm -f $(VENV)/.dev-*
	touch $(DEV)

venv: $(DEV)

run: $(RUNTIME)
	./scripts/run.sh

test: $(DEV)
	./scripts/test.sh $(ARGS)

# Every persona's journey in Chromium (tests/browser/test_journey_*.py), and the pages after the door (services,
# funnel, extract, network), each saving its key screens as small PNGs into docs/screens/, the pictures
# docs/user-guide.md shows: commit them with the change that moved them.
SCREENS := tests/browser/test_journey_*.py tests/browser/test_aftercare_browser.py tests/browser/test_funnel_browser.py \
  tests/browser/test_evaluation_extract_browser.py tests/browser/test_network_browser.py tests/browser/test_merge_browser.py
screens: $(DEV)
	VIP_SCREENSHOTS=docs/screens ./scripts/test.sh $(SCREENS) -q $(ARGS)

lint: $(DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(DEV)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(DEV)
	./scripts/bench.sh

graph: $(DEV)
	$(PY) manage.py graph_transitions -o docs/state-diagram.svg notifications.Delivery
	$(PY) manage.py graph_transitions notifications.Delivery > docs/state-diagram.dot

# The current one-time code of a demo persona (demo mode only): make otp U=officer1
otp: $(RUNTIME)
	@VIP_DEMO_MODE=1 $(PY) manage.py demo_otp $(U)

# requirements.in / requirements-dev.in (direct dependencies) -> the pinned .txt files.
requirements: $(DEV)
	CUSTOM_COMPILE_COMMAND="make requirements" $(VENV)/bin/pip-compile --quiet --no-emit-index-url \
	  --no-emit-find-links --strip-extras --output-file requirements.txt requirements.in
	CUSTOM_COMPILE_COMMAND="make requirements" $(VENV)/bin/pip-compile --quiet --no-emit-index-url \
	  --no-emit-find-links --strip-extras --output-file requirements-dev.txt requirements-dev.in

# Stops the embedded PostgreSQL if a command left it running, then removes its data and every other file under var/.
clean:
	! test -x $(PY) || $(PY) scripts/embedded_pg.py stop
	rm -rf var
