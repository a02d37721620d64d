"""`#` comments (and, for Python, string literals) in one line of Python or TOML, the two
languages the grader reads line by line (a student's code for the lines that freeze a layer;
a rubric for the line an error is on)."""
from __future__ import annotations

import functools


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


# What str.splitlines() breaks a line at: never blanked, so that the blanked code has the same
# lines as the code (a form feed inside a string literal would otherwise join two lines).
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@functools.lru_cache(maxsize=16)  # several patterns are looked for in the same cells
def blank_code_strings(code: str) -> str:
    """`code` (a whole file or cell) with the inside of every string literal blanked, triple-
    quoted ones over several lines included (a docstring that mentions `seq_model.pop()` is not
    a call); lines and positions unchanged. Falls back to blank_strings line by line when the
    code does not tokenize."""
    import io
    import tokenize

    lines = io.StringIO(code).readlines()  # the lines tokenize numbers
    try:
        tokens = list(tokenize.generate_tokens(iter(lines).__next__))
    except (tokenize.TokenError, IndentationError, SyntaxError, StopIteration):
        return "".join(blank_strings(l) for l in lines)
    chars = [list(l) for l in lines]
    for tok in tokens:
        if tok.type != tokenize.STRING:
            continue
        (r0, c0), (r1, c1) = tok.start, tok.end
        for r in range(r0 - 1, min(r1, len(chars))):
            start = c0 if r == r0 - 1 else 0
            end = c1 if r == r1 - 1 else len(chars[r])
            for c in range(start, min(end, len(chars[r]))):
                if chars[r][c] not in "'\"" + LINE_BREAKS:
                    chars[r][c] = " "
    return "".join("".join(l) for l in chars)
