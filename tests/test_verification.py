"""Verification: the clean process that measures the exported models again, and what a verdict
may rest on (grader.export, grader.verifier, grader.verification)."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.exercise import load_exercises
from grader.findings import ExerciseResult, Finding, Status, failed, passed, skipped
from grader.grading import Grader
from grader.runner import REPO_ROOT, RunOutcome
from grader.submission import load_submission
from grader.verification import CleanMeasurement, Verifier, reported_reason
from grader.verifier import Namespace, NeedsStudentCode

EXERCISES = load_exercises()


def _result(*findings: Finding) -> ExerciseResult:
    for f in findings:
        f.points = 1.0 if f.status is Status.PASS else 0.0
    return ExerciseResult("siamese", "Siamese", list(findings))


# -- the policy: a check passes only if it passes both ways ----------------------------------

def test_a_pass_reported_by_the_child_but_failed_clean_is_a_forgery():
    clean = _result(failed("param_count", "duplicated_encoder", got=434_945), passed("shape"))
    child = _result(passed("param_count", got=217_537), passed("shape"))
    forged = Grader._hold_to_both(clean, child)
    assert len(forged) == 1 and "param_count" in forged[0] and "duplicated_encoder" in forged[0]
    assert clean.findings[0].status is Status.FAIL  # the clean measurement stands
    assert clean.score == 1.0


def test_a_failure_only_the_child_saw_is_kept_and_named_as_the_childs():
    clean = _result(passed("trainable"), passed("shape"))
    child = _result(failed("trainable", "froze_one_variable", got=5), passed("shape"))
    assert Grader._hold_to_both(clean, child) == []
    assert clean.findings[0].mistake == "froze_one_variable"
    assert clean.from_child == ["trainable"] and clean.score == 1.0


def test_a_check_the_clean_process_could_not_make_takes_the_childs_finding():
    clean = _result(skipped("shape", "no forward pass"))
    child = _result(passed("shape"))
    assert Grader._hold_to_both(clean, child) == []
    assert clean.findings[0].status is Status.PASS and clean.from_child == ["shape"]


def test_a_check_the_child_could_not_make_is_never_a_pass_on_the_clean_measurement_alone():
    """A submission that makes the child's collection crash (a factory that raises there, a
    grader function sabotaged) must not pass on a clean reading alone: a reading the clean
    process got wrong would pass."""
    clean = _result(passed("param_count"), passed("shape"))
    child = _result(Finding("param_count", Status.ERROR, "grader_error",
                            reason="the grader could not examine your model"),
                    skipped("shape", "the inputs meet inside a layer of your own"))
    assert Grader._hold_to_both(clean, child) == []
    assert [f.status for f in clean.findings] == [Status.ERROR, Status.SKIPPED]
    assert clean.from_child == ["param_count", "shape"] and clean.score == 0.0


def test_why_an_exercise_is_graded_from_the_childs_report():
    assert reported_reason(None, "siamese") == "no clean measurement was made"
    assert "failed" in reported_reason(CleanMeasurement(error="it failed\nmore"), "siamese")
    needs = CleanMeasurement(exercises={"mlp_three_ways": {}}, incomplete={"mlp_three_ways": {
        "MLP": {"kind": "class"}, "sub_model": {"kind": "model", "why": "built from your own "
                                                                       "class `MLP`"}}})
    why = reported_reason(needs, "mlp_three_ways")
    assert "`MLP` (a class of your own)" in why and "`sub_model` (built from your own" in why
    assert reported_reason(needs, "siamese") == "the clean process did not measure it"
    assert reported_reason(CleanMeasurement(exercises={"siamese": {}}), "siamese") is None


def test_hand_made_outcomes_are_not_verified():
    """Unit tests hand the grader evidence with no runner behind it: no clean process, no
    verification field."""
    ev = {"exercises": {"siamese": {"attempted": False}}, "inventory": []}
    result = Grader(runner=object(), exercises=EXERCISES).assemble(
        "s.py", RunOutcome(ev, "", False), ["siamese"])
    assert all(ex.verification == "" for ex in result.exercises)


# -- the clean namespace: which lookups make a measurement incomplete ------------------------

class Sequentialish:  # stands for keras.Sequential: only its name matters to the lookup
    pass


Sequentialish.__name__ = "Sequential"


def test_a_lookup_of_a_missing_name_stops_the_measurement_and_is_recorded():
    ns = Namespace({"fn_model": 1}, {"MLP": {"kind": "class"}, "sub_model": {"kind": "model"}})
    assert ns.get("fn_model") == 1 and ns.get("nothing") is None
    assert ns.missing_used == set() and not ns.listed
    with pytest.raises(NeedsStudentCode):
        ns.get("MLP")
    with pytest.raises(NeedsStudentCode):  # not swallowed by a collector's `except Exception`
        try:
            "sub_model" in ns
        except Exception:  # noqa: BLE001
            pass
    assert ns.missing_used == {"MLP", "sub_model"}
    list(ns.items())
    assert ns.listed and ns.unlisted == {"sub_model"}  # no source to read it from


def test_an_instance_lookup_needs_a_missing_name_only_if_it_was_of_that_class():
    missing = {"sub_model": {"kind": "model", "bases": ["MLP", "Model", "Layer", "object"]},
               "seq": {"kind": "model", "bases": ["MySeq", "Sequential", "Model", "object"]}}
    ns = Namespace({}, missing)
    assert ns.instance("sub_model", Sequentialish) is None and ns.missing_used == set()
    with pytest.raises(NeedsStudentCode):
        ns.instance("seq", Sequentialish)
    assert ns.missing_used == {"seq"}


# -- a real round trip: export in one process, measure in the clean one ---------------------

EXPORTER = textwrap.dedent('''
    import sys
    sys.path.insert(0, {root!r})
    import runpy
    import grader.export
    from grader.export import export
    grader.export.BUDGET_BYTES = {budget}
    names = runpy.run_path({path!r}, run_name="submission")
    names["__name__"] = "submission"
    open({out!r}, "wb").write(export(names))
''')


def _export(tmp_path: Path, code: str, budget: int = 32 * 2**20) -> tuple[Path, bytes]:
    path = tmp_path / "student.py"
    path.write_text(textwrap.dedent(code))
    out = tmp_path / "export.npz"
    subprocess.run([sys.executable, "-c", EXPORTER.format(root=str(REPO_ROOT), path=str(path),
                                                         out=str(out), budget=budget)],
                   check=True, capture_output=True, timeout=300)
    return path, out.read_bytes()


@pytest.fixture(scope="module")
def verifier():
    v = Verifier()
    yield v
    v.close()


SIAMESE = '''
    import keras
    from keras import layers
    left, right = keras.Input((784,), name="left"), keras.Input((784,), name="right")
    d1, d2 = layers.Dense(256, activation="relu"), layers.Dense(64, activation="relu")
    merged = layers.concatenate([d2(d1(left)), d2(d1(right))])
    siamese = keras.Model([left, right], layers.Dense(1, activation="sigmoid")(merged))
    d1.kernel.trainable = False  # one variable frozen: no config says so, the export must
    demo = layers.Dense(3)       # a layer no model holds
    demo.build((None, 2))


    class Block(layers.Layer):
        pass


    def make_siamese():
        return siamese
'''


def test_models_rebuilt_clean_measure_as_the_childs_did(tmp_path, verifier):
    path, blob = _export(tmp_path, SIAMESE)
    source = load_submission(path).to_dict()
    clean = verifier.measure(source, 7, ["siamese"], blob, timeout_s=120)
    assert clean.error == "" and "siamese" not in clean.incomplete
    model = clean.exercises["siamese"]["model"]
    assert model["params"] == 217_537  # 784×256+256 + 256×64+64 + 128×1+1
    assert model["n_trainable"] == 5  # the frozen kernel came across
    assert clean.exercises["siamese"]["forward"]["shape"] == [16, 1]


def test_a_damaged_export_is_named_not_measured(tmp_path, verifier):
    path = tmp_path / "student.py"
    path.write_text("x = 1\n")
    source = load_submission(path).to_dict()
    damaged = verifier.measure(source, 7, None, b"PK\x03\x04 not an npz", timeout_s=120)
    assert damaged.unreadable and damaged.error
    empty = verifier.measure(source, 7, None, b"", timeout_s=120)
    assert empty.unreadable and "without the description" in empty.unreadable
    # the server survived both
    path2, blob = _export(tmp_path, SIAMESE)
    assert verifier.measure(load_submission(path2).to_dict(), 7, ["siamese"], blob,
                            timeout_s=120).error == ""


def test_the_pool_forks_the_clean_process_warm_and_a_batch_grades_through_it(runner, tmp_path):
    """With the warm fork server, the clean process is its child (no second TensorFlow
    import); a correct file is measured clean and passes, a duplicated encoder fails clean."""
    if not hasattr(runner, "launch_verifier"):
        pytest.skip("no fork server here (fork is unsafe on this platform)")
    g = Grader(runner=runner, exercises={"siamese": EXERCISES["siamese"]})
    try:
        zoo = Path(__file__).parent / "zoo"
        good = g.grade(zoo / "correct" / "siamese_lesson.py")
        assert good.verdict.value == "pass" and good.exercises[0].verification == "clean"
        assert good.timings.get("verify_s", 0) > 0
        assert g.verifier.launcher is not None and g.verifier._popen is None
        server = runner._proc.pid
        assert int(Path(f"/proc/{g.verifier._pid}/stat").read_text().split(") ")[1].split()[1]) \
            == server
        bad = g.grade(zoo / "siamese" / "duplicated_encoder.py")
        assert bad.mistakes == ["duplicated_encoder"] and bad.exercises[0].verification == "clean"
    finally:
        g.verifier.close()


def test_reports_say_what_each_exercise_rests_on():
    from rich.console import Console

    from reports.html import render_html
    from reports.terminal import render_terminal

    ev = {"exercises": {"siamese": {"attempted": False}}, "inventory": []}
    result = Grader(runner=object(), exercises=EXERCISES).assemble(
        "s.py", RunOutcome(ev, "", False, sandbox={"level": "strict"}), ["siamese"])
    result.exercises[0].verification = "reported"
    result.exercises[0].verification_why = "it needs `Encoder` (a class of your own)"
    html = render_html(result)
    assert "own process reported: it needs <code>Encoder</code> (a class of your own)" in html
    assert "measured again by a clean process: 0 of 1 exercise" in html
    console = Console(record=True, width=200)
    render_terminal(result, console)
    assert "measured clean: 0 of 1" in console.export_text()
    result.exercises[0].verification = "clean"
    assert "Measured again by a clean process that never ran your code." in render_html(result)


def test_names_are_rebuilt_when_first_asked_for_and_stay_one_object(monkeypatch):
    from grader.verifier import NotRebuilt, Rebuilt
    made = []

    def make(self, name):
        made.append(name)
        if name == "broken":
            raise ValueError("no such layer")
        if name in self.manifest["aliases"]:
            return self.get(self.manifest["aliases"][name])
        return object()

    monkeypatch.setattr(Rebuilt, "_make", make)
    rebuilt = Rebuilt({"models": {"siamese": {}, "broken": {}}, "aliases": {"model": "siamese"}},
                      {})
    ns = Namespace({}, {}, rebuilt)
    assert "broken" in ns and made == []  # present, not rebuilt by being looked for
    assert ns.get("model") is ns["siamese"] and made == ["model", "siamese"]
    with pytest.raises(NeedsStudentCode):
        ns.get("broken")
    assert "Keras could not rebuild it" in ns.missing["broken"]["why"]
    with pytest.raises(NotRebuilt):
        rebuilt.get("broken")
    fresh = Namespace({}, {}, rebuilt)
    assert [k for k, _ in fresh.items()] == ["siamese", "model"] and fresh.listed
    # a listing without the model Keras could not rebuild makes the measurement incomplete
    assert fresh.unlisted == {"broken"} and fresh.missing_used == set()


def test_a_model_too_large_to_copy_is_graded_as_reported_not_as_damaged(tmp_path, verifier):
    path, blob = _export(tmp_path, SIAMESE, budget=100_000)  # the siamese holds 870 KB
    clean = verifier.measure(load_submission(path).to_dict(), 7, ["siamese"], blob,
                             timeout_s=120)
    assert clean.error == "" and not clean.unreadable
    why = reported_reason(clean, "siamese")
    assert why and "`siamese` (too large for the grader to copy (1 MB of weights" in why


def test_the_budget_goes_to_the_smallest_models_first(tmp_path, verifier):
    """A large model of the student's own experiments, defined first, does not use up the
    budget of the lesson's small one."""
    wide = '''
    import keras
    from keras import layers
    wide = keras.Sequential([keras.Input((784,)), layers.Dense(2000), layers.Dense(10)])
    '''
    path, blob = _export(tmp_path, textwrap.dedent(wide) + textwrap.dedent(SIAMESE),
                         budget=7_000_000)  # the siamese: 870 KB; `wide`: 6.3 MB; not both
    clean = verifier.measure(load_submission(path).to_dict(), 7, ["siamese"], blob,
                             timeout_s=120)
    assert clean.error == "" and reported_reason(clean, "siamese") is None


def test_a_model_compiled_with_a_loss_of_its_own_is_reported_and_says_so(tmp_path, verifier):
    code = textwrap.dedent(SIAMESE) + textwrap.dedent('''
    def my_bce(y_true, y_pred):
        return keras.ops.mean(keras.losses.binary_crossentropy(y_true, y_pred))
    siamese.compile(optimizer="adam", loss=my_bce)
    ''')
    path, blob = _export(tmp_path, code)
    clean = verifier.measure(load_submission(path).to_dict(), 7, ["siamese"], blob,
                             timeout_s=120)
    assert "compiled with a loss, metric or optimizer of your own" in \
        reported_reason(clean, "siamese")


def test_the_lessons_subclassed_mlp_is_read_from_source_and_measured_clean(tmp_path, verifier):
    """The clean process reads the class and the factory from the source (grader.interpret)
    instead of running them; a definition it cannot read leaves the exercise reported."""
    lesson = (Path(__file__).parent / "zoo" / "correct" / "mlp_lesson.py").read_text()
    path, blob = _export(tmp_path, lesson)
    clean = verifier.measure(load_submission(path).to_dict(), 7, ["mlp_three_ways"], blob,
                             timeout_s=120)
    assert clean.error == "" and reported_reason(clean, "mlp_three_ways") is None
    roles = clean.exercises["mlp_three_ways"]["roles"]
    assert roles["subclassed"]["model"]["params"] == 218_058
    assert roles["sequential"]["source"] == "make_sequential()"
    assert all(t["allclose"] for t in clean.exercises["mlp_three_ways"]["transfers"])

    helper = lesson.replace("class MLP(keras.Model):", "def relu_layer(u):\n"
                            "    return layers.Dense(u, activation='relu')\n\n\n"
                            "class MLP(keras.Model):").replace(
        "[layers.Dense(u, activation=\"relu\") for u in hidden_units]",
        "[relu_layer(u) for u in hidden_units]")
    assert helper != lesson
    path, blob = _export(tmp_path, helper)
    clean = verifier.measure(load_submission(path).to_dict(), 7, ["mlp_three_ways"], blob,
                             timeout_s=120)
    # a function of the source's own is read too (since 2026-12-01) ...
    assert reported_reason(clean, "mlp_three_ways") is None
    assert clean.exercises["mlp_three_ways"]["roles"]["subclassed"]["model"]["params"] == 218_058
    # ... but not one with a loop the grader does not read
    looping = helper.replace("def relu_layer(u):\n", "def relu_layer(u):\n    while False:\n"
                             "        pass\n")
    assert looping != helper
    path, blob = _export(tmp_path, looping)
    clean = verifier.measure(load_submission(path).to_dict(), 7, ["mlp_three_ways"], blob,
                             timeout_s=120)
    why = reported_reason(clean, "mlp_three_ways")
    assert why and "could not read from your source" in why and "While" in why


@pytest.mark.parametrize("zoo_file", [
    # Dense(10, activation=tf.nn.softmax) is saved as the function `softmax_v2`, which Keras
    # cannot look up (grader.verifier.tf_activations)
    "correct/style_mlp_tf_nn_activations.py",
    # a registered class with get_config() and from_config(), as the lesson's round trip asks
    "correct_styles3/style3_mlp_registered_serializable_roundtrip.py",
    # `sub_model = MLP(hidden=(256, 64), ...)` with other defaults: made with those arguments
    "correct_styles3/style3_mlp_sub_model_with_arguments.py",
])
def test_honest_styles_that_used_to_be_reported_are_measured_clean(tmp_path, verifier, zoo_file):
    path, blob = _export(tmp_path, (Path(__file__).parent / "zoo" / zoo_file).read_text())
    clean = verifier.measure(load_submission(path).to_dict(), 7, ["mlp_three_ways"], blob,
                             timeout_s=120)
    assert clean.error == "" and reported_reason(clean, "mlp_three_ways") is None
    roles = clean.exercises["mlp_three_ways"]["roles"]
    assert roles["subclassed"]["model"]["params"] == 218_058  # 200,960 + 16,448 + 650
    assert all(t["allclose"] for t in clean.exercises["mlp_three_ways"]["transfers"])


def test_a_name_read_from_source_while_a_collector_walks_the_names_is_no_error():
    """A look-alike search walks the names and looks others up meanwhile; a lookup that reads a
    class from the source binds it, which must not break the walk (it once raised 'dictionary
    changed size during iteration', and the clean measurement was lost)."""
    from grader.interpret import Interpreter
    code = (Path(__file__).parent / "zoo" / "correct" / "mlp_lesson.py").read_text()
    ns = Namespace({"fn_model": 1}, {"MLP": {"kind": "class", "bases": ["MLP", "Model"]}},
                   None, Interpreter([("<s>", code)], "submission"))
    seen = [name for name, _ in ns.items() if ns.get("MLP") is not None]
    assert seen == ["fn_model"] and isinstance(ns["MLP"], type)


def test_a_keras_model_holding_a_layer_of_the_students_own_is_not_read_from_source():
    """Its reason stays the export's: there is no class of that name to read."""
    from grader.interpret import Interpreter
    why = "uses `Encoder`, a layer Keras cannot rebuild on its own"
    ns = Namespace({}, {"siamese": {"kind": "model", "why": why, "own_class": False,
                                    "bases": ["Functional", "Model"]}},
                   None, Interpreter([("<s>", "import keras\n")], "submission"))
    with pytest.raises(NeedsStudentCode):
        ns.get("siamese")
    assert ns.missing["siamese"]["why"] == why
