# Two commands on a fresh machine with Python 3.11 and pip:
#   make demo   install into .venv and grade a bundled correct and a bundled buggy submission
#   make test   install into .venv and run the whole test suite
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_OUT := build/demo

.PHONY: install demo test clean

install: $(VENV)/.installed

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

clean:
	rm -rf $(VENV) build .pytest_cache
