# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install translations bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) translations

# Catalogues are compiled here, never committed as binaries.
translations: $(STAMP)
	$(BIN)/python -m workshop.i18n compile

demo: install
	$(BIN)/workshop demo

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/workshop bench

clean:
	rm -rf $(VENV) var exports bench-results
