"""Reading one line of a student's code: comments off, and string literals blanked for the
patterns that look for code (a `seq_model.pop()` in a print is not a call)."""
from __future__ import annotations

import pytest

from grader.comments import blank_strings, strip_line_comment


@pytest.mark.parametrize("line, code", [
    ('print("seq_model.pop() returned:", head.name)',
     'print("' + " " * len("seq_model.pop() returned:") + '", head.name)'),
    ("assert n == 3, 'pop() then add()'", "assert n == 3, '                '"),
    (r'msg = "a \"quoted\" .add(" + x.add(y)', 'msg = "                  " + x.add(y)'),
    ("seq_model.pop()", "seq_model.pop()"),
])
def test_string_literals_are_blanked_and_code_is_kept(line, code):
    assert blank_strings(line) == code
    assert len(blank_strings(line)) == len(line)  # positions unchanged


def test_a_hash_inside_a_string_is_not_a_comment():
    assert strip_line_comment('x = "#1"  # the first') == 'x = "#1"  '


def test_a_triple_quoted_string_over_several_lines_is_blanked_whole():
    from grader.comments import blank_code_strings
    code = 'seq_model.add(head)\ndef f():\n    """Then:\n    seq_model.pop() only\n    """\n'
    out = blank_code_strings(code)
    assert out.splitlines()[0] == "seq_model.add(head)"
    assert "pop" not in out and len(out) == len(code) and out.count("\n") == code.count("\n")


def test_a_line_break_inside_a_string_keeps_the_lines_of_the_code():
    """A form feed in a string literal: str.splitlines() breaks there, tokenize does not; the
    blanked code must still have the code's lines, one for one."""
    from grader.comments import blank_code_strings
    code = 'x = "a\x0cb"\nseq_model.pop()\n'
    out = blank_code_strings(code)
    assert len(out.splitlines()) == len(code.splitlines()) == 3
    assert out.splitlines()[-1] == "seq_model.pop()" and "a" not in out and "b" not in out
