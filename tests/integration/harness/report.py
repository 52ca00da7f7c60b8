"""What the harness did that a reader of the test output should know.

Build steps that were skipped or stood in for (another distribution's package manager), the
versions that stood in, and the outcome of each run of the live checks are collected here;
pytest prints them in its terminal summary and `python -m harness` prints them as they happen.
"""

from __future__ import annotations

import sys
import threading

_lock = threading.Lock()
_notes: list[str] = []
_results: list[tuple[str, list, bool]] = []
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


def record_results(title: str, subjects: list, failures_only: bool = False) -> None:
    """Keeps a run's subjects (harness.scenario.Subject) for the summary."""
    with _lock:
        _results.append((title, subjects, failures_only))


def results() -> list[tuple[str, list, bool]]:
    with _lock:
        return list(_results)
