"""Text as a terminal shows it. Keras' progress bars, rich's summaries and Keras' own error
messages carry ANSI escapes (`\\x1b[1m`); reports and JSON show plain text."""
from __future__ import annotations

import re

# CSI sequences (colours, cursor moves) and two-character escapes: what Keras' progress bars and
# rich's summaries put around their text.
ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")


def printable(text: str) -> str:
    """What a terminal would end up showing of `text`: escapes removed, a line rewritten with
    carriage returns (a progress bar) kept in its last state, backspaces applied. Reports and
    JSON show the student's output as text, never as escape-code soup."""
    out = []
    for line in strip_ansi(text).split("\n"):
        line = line.rstrip("\r").rsplit("\r", 1)[-1]
        if "\b" in line:
            kept: list[str] = []
            for ch in line:
                if ch == "\b":
                    if kept:
                        kept.pop()
                else:
                    kept.append(ch)
            line = "".join(kept)
        out.append(line)
    return "\n".join(out)


def strip_ansi(text: str) -> str:
    return ANSI_ESCAPE.sub("", text)
