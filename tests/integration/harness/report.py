"""What the harness did that a reader of the test output should know.

Build steps that were skipped or stood in for (another distribution's package manager), and
the versions that stood in, are collected here; pytest prints them in its terminal summary and
`python -m harness` prints them as they happen.
"""

from __future__ import annotations

import sys
import threading

_lock = threading.Lock()
_notes: list[str] = []
echo = False  # print each note as it is made (the command-line tool sets this)


def note(who: str, text: str) -> None:
    line = f"[{who}] {text}"
    with _lock:
        _notes.append(line)
        if echo:
            print(line, file=sys.stderr, flush=True)


def notes() -> list[str]:
    with _lock:
        return list(_notes)
