"""`#` comments in one line of Python or TOML, the two languages the grader reads line by line
(a student's code for the lines that freeze a layer; a rubric for the line an error is on)."""
from __future__ import annotations


def strip_line_comment(line: str) -> str:
    """The line without its `#` comment; a `#` inside a quoted string is kept. Good enough for
    single lines: a string spanning lines is not worth a tokenizer here."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line
