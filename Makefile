# mamori — two commands on a fresh machine: `make demo` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# compiled prompt-matcher modules (mypyc); rebuilt when their sources change, pure Python runs until then
NATIVE := src/mamori/screening/text/_native/sources.json
NATIVE_SRC := $(wildcard src/mamori/screening/text/*.py)
# the drawn-face detector (nvxs) built from the installed animeface wheel's own sdist with its declared flags
NVXS := src/mamori/screening/image/_nvxs/build.json

.PHONY: venv native demo test test-fast fuzz bench lint fmt clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	@# libchromaprint for the audio gate (optional at run time); only where apt works and we are root
	@dpkg -s libchromaprint1 >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libchromaprint1 >/dev/null; } || \
	  echo "note: libchromaprint1 not installed; the audio gate's music fingerprints will be off" >&2
	$(BIN)/pip install -q --upgrade pip wheel setuptools
	$(BIN)/pip install -q -e '.[dev,distributed]'
	@# the voice model (Resemblyzer's weights, read without PyTorch); --no-deps keeps its torch/librosa out
	$(BIN)/pip install -q --no-deps 'resemblyzer==0.1.4' || echo "note: resemblyzer not installed; voices off" >&2
	@# NudeNet (optional extra, AGPL-3.0 weights) in the development venv only, so its real test runs; off at run time
	$(BIN)/pip install -q 'nudenet>=3.4.2' || echo "note: nudenet not installed; its test is skipped" >&2
	@touch $(STAMP)

venv: $(STAMP)

$(NATIVE): $(STAMP) $(NATIVE_SRC)
	$(BIN)/python -m mamori.screening.text.native_build build --optional

$(NVXS): $(STAMP) src/mamori/screening/image/nvxs_build.py
	$(BIN)/python -m mamori.screening.image.nvxs_build build --optional --force

native: $(NATIVE) $(NVXS)

demo: $(STAMP) $(NVXS)
	$(BIN)/python -m mamori.demo

# PostgreSQL restarted under load (tests/e2e/test_db_faults.py) runs alone after the suite, in CI or with
# MAMORI_TEST_PG_RESTART=1: it breaks every other test using PostgreSQL at that moment
test: $(STAMP) $(NATIVE) $(NVXS)
	$(BIN)/python -m pytest -n 2 -q
	MAMORI_TEST_PG_RESTART=$${MAMORI_TEST_PG_RESTART:-$$([ "$$CI" = true ] && echo 1)} \
		$(BIN)/python -m pytest -q tests/e2e/test_db_faults.py -k restarted

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not e2e and not slow" -x

# the suite's schemathesis and hypothesis runs with ~30x the examples (a few minutes; not part of `make test`)
fuzz: $(STAMP)
	MAMORI_FUZZ_EXAMPLES=$${MAMORI_FUZZ_EXAMPLES:-200} $(BIN)/python -m pytest -q -p no:xdist \
		tests/unit/hardening/test_fuzz_api.py tests/unit/hardening/test_text_properties.py

bench: $(STAMP) $(NATIVE) $(NVXS)
	$(BIN)/python -m benchmarks.run

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info mamori.db demo-out bench-out src/mamori/screening/text/_native src/mamori/screening/image/_nvxs
