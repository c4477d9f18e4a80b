# dokgen: `make demo` builds the worked example into out/, `make test` runs every test.
# Both set up .venv first. System needs: python3 with venv (Debian: python3-venv) and
# Pango for WeasyPrint (libpango-1.0-0 libpangoft2-1.0-0). `dokgen pdf` and MoU previews need
# LibreOffice Writer with its Python bridge (libreoffice-writer-nogui python3-uno). The tests
# also use LibreOffice Calc (tests/sheets), poppler-utils, qpdf, Chromium and zbar-tools
# (zbarimg reads the QR codes of issued documents); .ci/run installs them. tests/cluster runs
# Dask (the dask extra, installed below) on 127.0.0.1: no system package.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test bench reliability soak check-system clean messages

demo: $(STAMP)
	$(BIN)/dokgen build

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/bench_cli.py
	$(BIN)/python bench/bench_docx.py
	$(BIN)/python bench/bench_pdf.py
	$(BIN)/python bench/bench_build.py
	$(BIN)/python bench/bench_cluster.py
	$(BIN)/python bench/bench_serve.py
	$(BIN)/python bench/bench_convert.py

# The reliability guarantees (tests/reliability) with their table of figures; `soak`
# runs the same tests with many more iterations (kill -9 twenty times, 2,000 bad records).
reliability: $(STAMP)
	$(BIN)/python -m pytest tests/reliability -q -p no:cacheprovider

soak: $(STAMP)
	DOKGEN_SOAK=1 $(BIN)/python -m pytest tests/reliability -q -p no:cacheprovider

# The Indonesian message catalogue: extract every _()/ngettext()/N_() message from src/,
# merge it into the .po (new ones come in untranslated, changed ones fuzzy: translate them
# and remove the fuzzy flag), then compile the .mo that ships in the package.
LOCALE := src/dokgen/locale
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k ngettext:1,2 -k N_ --no-location --no-wrap --sort-output \
	  --project dokgen --copyright-holder "dokgen contributors" -o $(LOCALE)/dokgen.pot src
	$(BIN)/pybabel update -i $(LOCALE)/dokgen.pot -d $(LOCALE) -D dokgen -l id --no-wrap --ignore-obsolete --init-missing
	$(BIN)/pybabel compile -d $(LOCALE) -D dokgen -l id --statistics

check-system:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
	  { echo "dokgen needs Python 3.11 or newer as '$(PYTHON)' (Debian: apt-get install python3)"; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || \
	  { echo "Python's venv module is missing (Debian: apt-get install python3-venv)"; exit 1; }
	@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || \
	  { echo "WeasyPrint needs Pango for PDF reports (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"; exit 1; }

$(STAMP): pyproject.toml | check-system
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask]'
	@touch $(STAMP)

clean:
	rm -rf out $(VENV) .pytest_cache .hypothesis
