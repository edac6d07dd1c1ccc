# genre-book: two commands build everything on a fresh machine.
#   make book   - set up .venv, execute every notebook with papermill, build _build/html
#   make test   - set up .venv (with JAX for the backend tests, Dask for the cluster ones), run the whole test suite
# Options: DATA=/path/to/gtzan (default: built-in synthetic data), PROFILE=quick|full,
#          FRESH=1 (execute every chapter again instead of reusing unchanged ones),
#          JOBS=N (chapters executed side by side; default 2 on two or more cores),
#          TEST_JOBS=N (test workers; default one per core), PYTEST_ARGS=... (passed to pytest).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    ?= .venv
PROFILE ?= quick
DATA    ?=
FRESH   ?=
JOBS    ?=
PYTEST_ARGS ?=
# The tests run in one worker per CPU core (pytest-xdist), a test file per worker at a time:
# the book's build (tests/test_book.py) on one core while the other files run on the others.
TEST_JOBS ?= auto
KERNEL  := genre-book
COMMA   := ,

# Python 3.12 preferred (librosa 1.0), 3.11 works (librosa 0.11). Override with PYTHON=...
PYTHON ?= $(shell \
  if python3.12 -c '' 2>/dev/null; then echo python3.12; \
  elif PYENV_VERSION=3.12.1 python3.12 -c '' 2>/dev/null; then echo 'env PYENV_VERSION=3.12.1 python3.12'; \
  elif python3.11 -c '' 2>/dev/null; then echo python3.11; \
  else echo python3; fi)

STAMP := $(VENV)/.genre-book-installed
TEST_STAMP := $(VENV)/.genre-book-test-installed
BIN   := $(VENV)/bin
# musicnn (chapter 10's pretrained weights) is installed WITHOUT its dependencies (its metadata
# pins numpy<1.17 and TensorFlow 1); its pin lives in pyproject.toml's [pretrained] extra.
MUSICNN := $(shell sed -n 's/^ *"\(musicnn==[^"]*\)".*/\1/p' pyproject.toml)

.PHONY: help setup book test lab clean

help:
	@echo "make book  [DATA=path] [PROFILE=quick|full] [FRESH=1] [JOBS=N]  execute the notebooks and build _build/html/index.html"
	@echo "make test  run the test suite (sets up .venv first)"
	@echo "make lab   open JupyterLab on notebooks/"
	@echo "make clean remove _build/ (keeps .venv and the data cache)"

setup: $(STAMP)

# One install recipe for both stamps; its argument is the pyproject extras to install (comma-separated).
# pip compiles the installed files to bytecode one at a time; compileall does it on every core
# afterwards (11 s less of an 80 s install on 2 cores, benchmarks/RESULTS.md). Like pip, a file
# that does not compile is no failure: Python compiles it when it is imported.
define install
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -e '.[$(1)]'
	$(BIN)/python -m pip install --quiet --no-compile --no-deps '$(MUSICNN)'
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib >/dev/null || echo "make: some installed files were not compiled to bytecode (Python compiles them on import)"
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "genre-book (Python)" >/dev/null
endef

$(STAMP): pyproject.toml
	$(call install,all)
	@touch $@

# The tests also run the models under Keras' JAX backend: they need the [jax] extra. Everything
# is installed in one pip run (one dependency resolution instead of two on a fresh clone).
$(TEST_STAMP): pyproject.toml
	$(call install,all$(COMMA)jax$(COMMA)cluster)
	@touch $(STAMP) $@

book: $(STAMP)
	$(BIN)/genrelib book --profile $(PROFILE) $(if $(DATA),--data "$(DATA)",) $(if $(FRESH),--fresh,) $(if $(JOBS),--jobs $(JOBS),)

test: $(TEST_STAMP)
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile $(PYTEST_ARGS)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf _build
