#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (Ubuntu; 22.04 is
# the default base image). It installs Python __PYTHON_VERSION__, then the grader and every
# dependency at the exact versions it was tested with (requirements.txt, written by
# `grade bundle gradescope` from the environment that built this bundle).
set -euxo pipefail

SOURCE=/autograder/source
VENV=/autograder/venv
PY=python__PYTHON_VERSION__

if ! command -v "$PY" >/dev/null 2>&1; then
    apt-get update
    apt-get install -y --no-install-recommends software-properties-common
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get update
    apt-get install -y --no-install-recommends "$PY" "$PY-venv"
fi
# Debian splits the venv module out of the interpreter package.
"$PY" -m venv "$VENV" || { apt-get install -y --no-install-recommends "$PY-venv"; "$PY" -m venv "$VENV"; }

"$VENV/bin/python" -m pip install --upgrade pip
"$VENV/bin/python" -m pip install -r "$SOURCE/requirements.txt"
# The grader from its source tree in this zip. Every dependency is already installed above at its
# pinned version, so --no-deps (nothing is upgraded behind our back), and it is built with the
# pinned setuptools already in the venv (--no-build-isolation: no download, no other version).
"$VENV/bin/python" -m pip install --no-deps --no-build-isolation "$SOURCE/__PROJECT_DIR__"

# Fail the image build, not a student's submission, if the grader cannot start.
"$VENV/bin/python" -c "import grader.lms.gradescope, reports.gradescope, keras; print('grader ready, keras', keras.__version__)"
"$VENV/bin/python" -m grader.rubric "$SOURCE/rubric.toml"
