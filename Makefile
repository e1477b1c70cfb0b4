# Quick start: `make demo` (offline lab audit, writes out/) and `make test` (every test).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: demo test bench lint samples clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "mailhygiene needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)

# The install compiles the mail-log hot path with mypyc (hatch_build.py): again when one
# of those packages changes (until then audit/native.py imports the edited sources).
NATIVE_SOURCES := hatch_build.py $(wildcard audit/loglines/*.py audit/maillog/*.py)

$(VENV)/.installed-base: pyproject.toml $(NATIVE_SOURCES) | $(PY)
	$(PIP) install -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(NATIVE_SOURCES) | $(PY)
	$(PIP) install -e '.[test,bench]'
	@touch $(VENV)/.installed-base $@

demo: $(VENV)/.installed-base
	$(VENV)/bin/mailhygiene demo --output-dir out

# every test, then the log tiers again on the Python source of the compiled modules
test: $(VENV)/.installed-dev
	$(PY) -m pytest
	MAILHYGIENE_PURE_PYTHON=1 $(PY) -m pytest -q tests/loglines tests/maillog tests/bounce

bench: $(VENV)/.installed-dev
	$(PY) bench/run.py

lint: $(VENV)/.installed-dev
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff check audit checks tests bench hatch_build.py
	$(VENV)/bin/ruff format --check audit checks tests bench hatch_build.py
	$(VENV)/bin/mypy audit checks hatch_build.py

# Refresh samples/ from the demo (reports in every available format).
samples: $(VENV)/.installed-base
	$(VENV)/bin/mailhygiene demo --output-dir samples/demo --quiet
	$(VENV)/bin/mailhygiene explain --format json -o samples/explain.json \
		$(patsubst %,--file %,$(sort $(wildcard samples/bounces/*)))

clean:
	rm -rf $(VENV) out dist build .pytest_cache
