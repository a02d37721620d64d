# Two commands on a fresh machine with Python 3.11 and pip:
#   make demo   install into .venv and grade a bundled correct and a bundled buggy submission
#   make test   install into .venv and run the whole test suite
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_OUT := build/demo

# Debian packages for the report's model picture (graphviz) and the real-browser test
# (chromium). Installed when this runs as root with apt-get; elsewhere the picture falls back
# to a text view and the browser tests skip (under CI=true they fail instead).
SYSTEM_PACKAGES := graphviz chromium fonts-dejavu-core

.PHONY: install system-packages demo test benchmark clean

install: $(VENV)/.installed system-packages

system-packages:
	@if command -v dot >/dev/null && command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing $(SYSTEM_PACKAGES) with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	else \
		echo "note: graphviz/chromium are not installed and apt-get is not usable here:"; \
		echo "      reports show the model as text, browser tests are skipped."; \
	fi

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: install
	@echo "== a correct submission =="
	$(BIN)/grade examples/student_correct.py --out $(DEMO_OUT)
	@echo "== a buggy submission (exit code 1 is the expected verdict: it fails) =="
	$(BIN)/grade examples/student_buggy.py --out $(DEMO_OUT); test $$? -eq 1
	@echo "Reports are in $(DEMO_OUT)/ (open the .report.html files in a browser)."

test: install
	$(BIN)/python -m pytest -n 2 -q

benchmark: install
	$(BIN)/python benchmarks/bench_batch.py
	$(BIN)/python benchmarks/bench_hostile.py

clean:
	rm -rf $(VENV) build .pytest_cache
