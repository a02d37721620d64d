"""What the student's code printed, as reports and JSON show it (grader.runner.printable)."""
from grader.terminal_text import printable


def test_keras_progress_bar_keeps_its_last_state_without_escapes():
    raw = ("\x1b[1m1/4\x1b[0m \x1b[32m━━━━━\x1b[0m\x1b[37m━━━━━━━━━━━━━━━\x1b[0m 1s 2s/step\r"
           "\x1b[1m4/4\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m 1s 12ms/step - loss: 2.5415\n")
    assert printable(raw) == "4/4 ━━━━━━━━━━━━━━━━━━━━ 1s 12ms/step - loss: 2.5415\n"


def test_windows_line_ends_backspaces_and_plain_text():
    assert printable("a\r\nb\r\n") == "a\nb\n"
    assert printable("abx\bc") == "abc"
    assert printable("Total params: 217,537\n") == "Total params: 217,537\n"


def test_a_grade_of_a_fitting_submission_shows_no_escape_codes(grader):
    from pathlib import Path
    result = grader.grade(Path(__file__).parent.parent / "reference_solutions" / "two_headed.py")
    assert "loss" in result.stdout
    assert "\x1b" not in result.stdout and "\r" not in result.stdout
