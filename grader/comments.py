"""`#` comments (and, for Python, string literals) in one line of Python or TOML, the two
languages the grader reads line by line (a student's code for the lines that freeze a layer;
a rubric for the line an error is on)."""
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


def blank_strings(line: str) -> str:
    """The line with the inside of each one-line string literal blanked (quotes kept), so that a
    pattern looking for code (`seq_model.pop(`) does not find it in a message:
    `print("seq_model.pop() returned:", head)`. Same single-line scope as strip_line_comment."""
    out, quote, escaped = [], None, False
    for ch in line:
        if quote:
            if escaped:
                escaped = False
                ch = " "
            elif ch == "\\":
                escaped = True
                ch = " "
            elif ch == quote:
                quote = None
            else:
                ch = " "
        elif ch in "'\"":
            quote = ch
        out.append(ch)
    return "".join(out)
