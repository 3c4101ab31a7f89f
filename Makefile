# drugsig: `make run` runs the demo, `make test` runs the test suite.
# Both set up what they need first (idempotent: fast when everything is there).

PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV)/bin)
CORES ?= $(shell nproc)
DEBIAN_TOOLS := rna-star subread samtools hisat2 fastqc
PYTHON_STAMP := $(VENV)/.installed

# Tools installed into the venv (cutadapt, multiqc, snakemake) must be found by rules.
export PATH := $(BIN):$(PATH)

.PHONY: run test setup tools lint dry-run demo clean

run: setup
	snakemake --cores $(CORES)

test: setup
	pytest

setup: $(PYTHON_STAMP) tools

$(PYTHON_STAMP): requirements.lock pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

tools:
	@missing=$$(for pkg in $(DEBIAN_TOOLS); do \
		dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || echo $$pkg; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

lint: setup
	ruff check .
	ruff format --check .
	mypy workflow/scripts/drugsig
	snakefmt --check .
	snakemake --lint

dry-run: setup
	snakemake -n --cores $(CORES)

# Regenerate the bundled demo experiment (deterministic).
demo: setup
	python -m drugsig.simulate --outdir resources/demo --sheets-dir config --seed 42

clean:
	rm -rf results logs .snakemake resources/reference resources/index
