"""The catalogue of mistakes: one stable snake_case id each, with a title, an explanation that
teaches, a hint that does not give the answer away, and an evidence template filled from the
finding's facts.

Checks only return ids and facts; all prose lives here (submission-level mistakes) or in the
exercise module that owns the mistake (declared beside its checks). Tests, JSON and reports all
share the ids.
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Mistake:
    id: str
    title: str
    explanation: str
    hint: str
    # Filled with the finding's facts plus `expected` and `got`; e.g.
    # "{got:,} params where {expected:,} were expected".
    evidence: str = ""


class _Lenient(string.Formatter):
    """Formats an evidence template, leaving a field out rather than failing on it."""

    def get_value(self, key, args, kwargs):  # noqa: D401 - Formatter API
        return kwargs.get(key, "?") if isinstance(key, str) else super().get_value(key, args, kwargs)

    def format_field(self, value, format_spec):
        try:
            return super().format_field(value, format_spec)
        except (ValueError, TypeError):
            return str(value)


def render_evidence(mistake: Mistake, facts: dict[str, Any]) -> str:
    if not mistake.evidence:
        return ""
    return _Lenient().format(mistake.evidence, **facts)


# Submission-level mistakes: the submission could not be read, run or graded as a whole.
SUBMISSION_MISTAKES = (
    Mistake(
        "unreadable_submission", "The submission could not be read",
        "The grader reads a Python file (.py) saved as UTF-8 text, or a Jupyter notebook (.ipynb).",
        "Save your work from your editor or Jupyter as a .py file or an .ipynb notebook and "
        "submit that file.",
        "{detail}"),
    Mistake(
        "syntax_error", "Python could not parse your code",
        "Before anything runs, Python parses the whole file (or cell). A syntax error stops it "
        "there, so no model was built and nothing else could be checked.",
        "Look at the line shown and the line just before it: unclosed brackets and quotes "
        "are the usual cause.",
        "{message} at {where}"),
    Mistake(
        "runtime_error", "Your code raised an exception",
        "Your code stopped with an exception while it was being imported. Anything it would "
        "have built after that line does not exist, so later checks could not see it.",
        "Run your file yourself and read the last line of the traceback first: it names the "
        "error; the line above it shows where in your code it happened.",
        "{exception} at {where}"),
    Mistake(
        "module_not_available", "Your code imports a module the grader does not have",
        "The grader runs your code with Keras, TensorFlow, NumPy and Python's standard library. "
        "The module your code imports is not installed where it runs, so your code stopped at "
        "that import and nothing after it was built.",
        "The exercises need only Keras and NumPy: take the import (and the code that uses it; "
        "plots are for you, not for the grader) out of the file you submit, or ask your "
        "instructor to install the module for the grader.",
        "{detail} (imported at {where})"),
    Mistake(
        "timeout", "Your code ran out of time",
        "The grader gives each submission a fixed amount of wall-clock time. A loop that never "
        "ends, or long training at import time, uses it all up.",
        "Put long training or demos under `if __name__ == \"__main__\":` (the grader imports "
        "your file and skips that block) and look for loops that never end.",
        "still running after {limit_s} s"),
    Mistake(
        "memory_limit", "Your code used too much memory",
        "The grader runs each submission with a memory limit. Building or allocating something "
        "far larger than the exercise needs exceeds it.",
        "The exercise only needs small fake batches, e.g. 16 rows of 784 values: check the "
        "shapes of the arrays you create.",
        "{detail}"),
    Mistake(
        "output_limit", "Your code printed too much",
        "The grader keeps only a bounded amount of printed output. Printing in an endless or "
        "very long loop fills it.",
        "Print summaries, not every value; remove prints inside long loops.",
        "more than {limit_bytes:,} bytes of output"),
    Mistake(
        "exited_early", "Your code exited before grading",
        "Calling sys.exit(), exit() or os._exit() ends the program. An exit status of 0 "
        "proves nothing about the model: the grader needs the models your code builds.",
        "Remove the exit call; nothing needs to stop the program at the end.",
        "{detail}"),
    Mistake(
        "reads_stdin", "Your code waits for keyboard input",
        "The grader runs your code with no keyboard attached, so input() cannot be answered.",
        "Replace input() with a fixed value (e.g. batch_size = 16).",
        "{detail}"),
    Mistake(
        "model_not_found", "No model for this exercise was found",
        "The grader looks for the names the lesson uses (for example `siamese`, `fn_model`, "
        "`make_sequential`, `MLP`) and, failing that, for a model of the right shape.",
        "Keep the lesson's names for the objects you build, at the top level of your file "
        "(not only inside a function that is never called).",
        "found: {found}"),
    Mistake(
        "tampering", "Your code changed the grader or Keras itself",
        "Your code replaced functions or attributes that the grader and Keras rely on (for "
        "example keras.Model.count_params). The grader put the originals back before examining "
        "your models, and a submission that tampers with grading gets no marks.",
        "Remove any code that assigns to attributes of keras, numpy or the grader.",
        "changed: {changed}"),
    Mistake(
        "grader_error", "The grader could not finish checking this part",
        "Something in the grader itself failed while it examined your model. This is not your "
        "mistake; your instructor has the details.",
        "Tell your instructor; include the report.",
        "{detail}"),
)


def catalogue(exercises: Any = ()) -> dict[str, Mistake]:
    """Every mistake id, core and exercise-owned; an id declared twice is a bug."""
    out: dict[str, Mistake] = {}
    for m in list(SUBMISSION_MISTAKES) + [m for ex in exercises for m in ex.mistakes]:
        if m.id in out and out[m.id] != m:
            raise ValueError(f"mistake id {m.id!r} is declared twice")
        out[m.id] = m
    return out
