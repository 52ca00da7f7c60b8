"""The checks catch a broken container: each mutation of generated/ must fail at least one.

generated/ is copied to a temporary directory and one setting is broken by hand in every
container (each mutation asserts it changed something, so a template change cannot make it
vacuous). The copies keep their spec (what they should do), get free host ports, and are
built and run together through the same checks as the real ones.
"""

from __future__ import annotations

import re
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import report, session, spec
from harness.scenario import Subject, run
from harness.workspace import Workspace


@dataclass(frozen=True)
class Mutation:
    file: str
    pattern: str
    replace: Callable[[re.Match[str]], str]
    what: str


def _supervisord_conf_elsewhere(m: re.Match[str]) -> str:
    # The other image convention's place: Debian's /etc/supervisor/ vs Alpine's /etc/.
    dest = "/etc/supervisor/supervisord.conf" if m["dest"] == "/etc/supervisord.conf" else "/etc/supervisord.conf"
    return f"{m['copy']}{dest}"


MUTATIONS = {
    # The marker goes too: with it, the entrypoint would write APP_PORT's value back.
    "nginx-proxies-to-8001": Mutation(
        "nginx.conf", r"(?m)^(\s*server\s+127\.0\.0\.1:)\d+;.*$", lambda m: f"{m[1]}8001;",
        "nginx's upstream points at 127.0.0.1:8001",
    ),
    "supervisord-conf-copied-elsewhere": Mutation(
        "Dockerfile", r"(?m)^(?P<copy>COPY\s+supervisord\.conf\s+)(?P<dest>\S+)$", _supervisord_conf_elsewhere,
        "the COPY of supervisord.conf goes to the other distribution's path",
    ),
    "nodaemon-false": Mutation(
        "supervisord.conf", r"(?m)^nodaemon\s*=\s*true$", lambda m: "nodaemon=false",
        "supervisord daemonizes",
    ),
    # supervisord's environment= wins over the image's ENV for the app, not for nginx.
    "app-port-changed-in-supervisord-env": Mutation(
        "supervisord.conf", r'(?m)^(environment=APP_HOST="127\.0\.0\.1")$', lambda m: f'{m[1]},APP_PORT="8999"',
        "the app is told another port than nginx proxies to",
    ),
}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def mutated(
    workspace: Workspace,
    gen_binary: Path,
    containers: dict[str, spec.ContainerDir],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, list[Subject]]:
    """Every mutation applied to a copy of every container, all built and run together."""
    base = tmp_path_factory.mktemp("mutated")
    copies: dict[str, list[spec.ContainerDir]] = {}
    for key, mutation in MUTATIONS.items():
        copies[key] = []
        for cdir in containers.values():
            target = base / key / cdir.name
            shutil.copytree(cdir.path, target)
            path = target / mutation.file
            text, count = re.subn(mutation.pattern, mutation.replace, path.read_text())
            if count == 0:
                pytest.fail(f"mutation {key} found nothing to break in {cdir.name}/{mutation.file}", pytrace=False)
            path.write_text(text)
            copies[key].append(cdir.with_path(target, host_port=_free_port()))
    everything = [c for group in copies.values() for c in group]
    subjects = session.build_all(workspace, gen_binary, everything)
    run(workspace, subjects)
    by_path = {s.cdir.path: s for s in subjects}
    result = {key: [by_path[c.path] for c in group] for key, group in copies.items()}
    for key, group in result.items():
        report.record_results(f"mutation {key}: {MUTATIONS[key].what}; the checks that caught it", group, True)
    return result


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mutation_is_caught(mutation: str, mutated: dict[str, list[Subject]]) -> None:
    for subject in mutated[mutation]:
        assert subject.failed(), f"{subject.name} with `{MUTATIONS[mutation].what}` passed every check:\n" + "\n".join(
            f"  {k}: {r.detail.splitlines()[0]}" for k, r in subject.results.items()
        )
