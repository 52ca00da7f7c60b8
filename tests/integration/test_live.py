"""Every generated container, built and run at the same time, checked as a person would.

See harness/scenario.py for what each check does; here each (container, check) pair is one
test, all reading the results of one run of every container together.
"""

from __future__ import annotations

import pytest

from harness.scenario import CHECKS, Subject


@pytest.mark.parametrize("check", CHECKS)
def test_live(container: str, check: str, live: dict[str, Subject]) -> None:
    subject = live[container]
    result = subject.results.get(check)
    assert result is not None, f"the check {check} did not run"
    assert result.ok, result.detail
