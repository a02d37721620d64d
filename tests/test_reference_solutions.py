"""Each reference solution must score full marks on its own exercise."""
from pathlib import Path

import pytest

from grader.exercise import load_exercises

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("exercise_id", sorted(load_exercises()))
def test_reference_solution_scores_full_marks(exercise_id, grader):
    path = ROOT / "reference_solutions" / f"{exercise_id}.py"
    assert path.exists(), f"every exercise needs reference_solutions/{exercise_id}.py"
    result = grader.grade(path, only=[exercise_id])
    assert result.verdict.value == "pass", result.to_dict()["mistakes"]
    (ex,) = result.exercises
    assert ex.score == ex.max_score > 0
