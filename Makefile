# The two commands: `make run` (the product with demo data, worker and beat) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint format bench graph venv clean otp

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	./scripts/run.sh

test: $(STAMP)
	./scripts/test.sh $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	./scripts/bench.sh

graph: $(STAMP)
	$(PY) manage.py graph_transitions -o docs/state-diagram.svg notifications.Delivery
	$(PY) manage.py graph_transitions notifications.Delivery > docs/state-diagram.dot

# The current one-time code of a demo persona (demo mode only): make otp U=officer1
otp: $(STAMP)
	@VIP_DEMO_MODE=1 $(PY) manage.py demo_otp $(U)

clean:
	rm -rf var
