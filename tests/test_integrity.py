"""Tamper detection's snapshot finds every module of the grader, also when the warm server
listed them beforehand (integrity.prepare) and more were imported since."""
from __future__ import annotations

import sys
import types

import pytest

from grader import integrity


@pytest.fixture
def fresh_prepared(monkeypatch):
    monkeypatch.setattr(integrity, "_prepared", None)
    yield
    for name in [n for n in sys.modules if n.startswith("grader._zz_test_")]:
        del sys.modules[name]


def ours_in_sys_modules() -> set[str]:
    return {n for n in list(sys.modules) if n.split(".")[0] in ("grader", "exercises")
            and isinstance(sys.modules[n], types.ModuleType)}


def test_without_prepare_every_grader_module_is_watched(fresh_prepared):
    spaces = integrity._watched_namespaces()
    assert ours_in_sys_modules() <= set(spaces)


def test_modules_imported_after_prepare_are_watched_too(fresh_prepared):
    integrity.prepare()
    late = types.ModuleType("grader._zz_test_late")
    sys.modules[late.__name__] = late
    spaces = integrity._watched_namespaces()
    assert "grader._zz_test_late" in spaces
    assert ours_in_sys_modules() <= set(spaces)


def test_a_deleted_last_module_falls_back_to_reading_everything(fresh_prepared, monkeypatch):
    last = types.ModuleType("grader._zz_test_last")
    sys.modules[last.__name__] = last
    integrity.prepare()
    del sys.modules[last.__name__]
    extra = types.ModuleType("grader._zz_test_extra")
    sys.modules[extra.__name__] = extra
    spaces = integrity._watched_namespaces()
    assert "grader._zz_test_extra" in spaces and "grader._zz_test_last" not in spaces
    assert ours_in_sys_modules() <= set(spaces)


def test_tampering_with_a_late_module_is_named(fresh_prepared):
    integrity.prepare()
    late = types.ModuleType("grader._zz_test_victim")
    late.check = lambda: False
    sys.modules[late.__name__] = late
    before = integrity.snapshot()
    late.check = lambda: True
    assert "grader._zz_test_victim.check" in integrity.changes(before)
    integrity.restore(before)


def test_what_evidence_passes_through_is_watched(fresh_prepared):
    """Classes in a Keras model's MRO, the JSON encoder the evidence goes through, and the
    exercises' own declarations (their collect function and checks)."""
    import json.encoder

    from grader.exercise import load_exercises
    load_exercises()
    spaces = integrity._watched_namespaces()
    assert {"Trainer", "Function", "BackendVariable", "json.encoder.JSONEncoder"} <= set(spaces)
    assert "exercises.siamese.EXERCISE" in spaces and "exercises.siamese.EXERCISE.checks[0]" in spaces
    before = integrity.snapshot()
    real = json.encoder.JSONEncoder.encode
    try:
        json.encoder.JSONEncoder.encode = lambda self, o: "{}"
        assert "json.encoder.JSONEncoder.encode" in integrity.changes(before)
    finally:
        json.encoder.JSONEncoder.encode = real
