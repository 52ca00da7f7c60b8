"""Table tests for the harness's own pieces whose mistakes would hide a broken container:
splitting RUN command lines around package managers, reading HEALTHCHECKs, `$VAR`
substitution, path resolution inside a root, and the reader comparison noticing differences.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from harness import distro, dockerfile, rootfs
from harness.image import substitute


@pytest.mark.parametrize(
    ("script", "segments"),
    [
        ("a && b", [("a ", "&&"), (" b", "")]),
        ("a || b; c", [("a ", "||"), (" b", ";"), (" c", "")]),
        ("echo 'x && y' && z", [("echo 'x && y' ", "&&"), (" z", "")]),
        ('echo "a; b" ; c', [('echo "a; b" ', ";"), (" c", "")]),
        ("(cd x && y) && z", [("(cd x && y) ", "&&"), (" z", "")]),
        ("echo $(a && b) && c", [("echo $(a && b) ", "&&"), (" c", "")]),
        ("a \\&& b", [("a \\&& b", "")]),
    ],
)
def test_split_commands(script: str, segments: list[tuple[str, str]]) -> None:
    split = distro.split_commands(script)
    assert [(s.text, s.op) for s in split] == segments
    assert distro.join_commands(split) == script


@pytest.mark.parametrize(
    ("segment", "manager"),
    [
        (" apt-get update ", "apt-get"),
        ("DEBIAN_FRONTEND=noninteractive apt-get install -y x", "apt-get"),
        ("/sbin/apk add --no-cache nginx=~1.28", "apk"),
        ("rm -rf /var/lib/apt/lists/*", None),
        ("useradd --system app", None),
        ("echo apk", None),
    ],
)
def test_package_manager(segment: str, manager: str | None) -> None:
    assert distro.package_manager(segment) == manager


@pytest.mark.parametrize(
    ("words", "options", "expected"),
    [
        (["apt-get", "install", "-y", "curl=8.5.*", "nginx"], {"-o"}, ("install", ["curl=8.5.*", "nginx"])),
        (["apt-get", "-o", "X=1", "install", "a"], {"-o"}, ("install", ["a"])),
        (["apk", "add", "--virtual", ".deps", "nginx=~1.28"], {"--virtual"}, ("add", ["nginx=~1.28"])),
    ],
)
def test_package_operands(words: list[str], options: set[str], expected: tuple[str, list[str]]) -> None:
    assert distro._operands(words, options) == expected


@pytest.mark.parametrize(
    ("spec", "name"),
    [("curl=8.5.*", "curl"), ("nginx=~1.28", "nginx"), ("libc6:amd64", "libc6"), ("py3-pip", "py3-pip")],
)
def test_package_name(spec: str, name: str) -> None:
    assert distro._package_name(spec) == name


def _ins(keyword: str, args: list[str], form: str | None = None) -> dockerfile.Instruction:
    return dockerfile.Instruction(keyword=keyword, line=1, end_line=1, stage=0, args=args, form=form)


@pytest.mark.parametrize(
    ("ins", "test"),
    [
        (_ins("HEALTHCHECK", ["curl", "-f", "x"], "exec"), ["CMD", "curl", "-f", "x"]),
        (_ins("HEALTHCHECK", ["CMD", "curl", "-f", "x"], "exec"), ["CMD", "curl", "-f", "x"]),
        (_ins("HEALTHCHECK", ["CMD curl -f x || exit 1"], "shell"), ["CMD-SHELL", "curl -f x || exit 1"]),
        (_ins("HEALTHCHECK", ['CMD ["a", "b"]'], "shell"), ["CMD", "a", "b"]),
        (_ins("HEALTHCHECK", ["NONE"]), None),
    ],
)
def test_healthcheck_test(ins: dockerfile.Instruction, test: list[str] | None) -> None:
    assert dockerfile.healthcheck_test(ins) == test


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("/opt/venv/bin:$PATH", {"PATH": "/usr/bin"}, "/opt/venv/bin:/usr/bin"),
        ("${A}b", {"A": "a"}, "ab"),
        ("${A:-d}", {}, "d"),
        ("${A:+alt}", {"A": "x"}, "alt"),
        ("${A:+alt}", {}, ""),
        ("\\$A", {"A": "x"}, "$A"),
        ("$UNSET/x", {}, "/x"),
    ],
)
def test_substitute(text: str, env: dict[str, str], expected: str) -> None:
    assert substitute(text, env) == expected


def test_resolve_stays_inside_the_root(tmp_path: Path) -> None:
    (tmp_path / "usr" / "bin").mkdir(parents=True)
    (tmp_path / "bin").symlink_to("usr/bin")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "escape").symlink_to("/etc/passwd")
    (tmp_path / "etc" / "up").symlink_to("../../../../etc")
    assert rootfs.resolve(tmp_path, "/bin/sh") == tmp_path / "usr" / "bin" / "sh"
    assert rootfs.resolve(tmp_path, "/etc/escape") == tmp_path / "etc" / "passwd"
    assert rootfs.resolve(tmp_path, "/etc/up/hosts") == tmp_path / "etc" / "hosts"
    assert rootfs.resolve(tmp_path, "/etc/escape", follow_last=False) == tmp_path / "etc" / "escape"


def test_compare_reports_each_kind_of_disagreement() -> None:
    ref = [
        dockerfile.Instruction("FROM", 1, 1, 0, {}, ["alpine:3.22"], None),
        dockerfile.Instruction("COPY", 2, 2, 0, {"from": "deps"}, ["a", "/b"], None),
        dockerfile.Instruction("RUN", 3, 4, 0, {}, ["x     && y"], "shell"),
    ]
    assert dockerfile.compare(ref, ref) == []
    shifted = [ref[0], dataclasses.replace(ref[1], line=3), ref[2]]
    assert any("lines" in p for p in dockerfile.compare(shifted, ref))
    no_flag = [ref[0], dataclasses.replace(ref[1], flags={}), ref[2]]
    assert any("flags differ" in p for p in dockerfile.compare(no_flag, ref))
    squeezed = [ref[0], ref[1], dataclasses.replace(ref[2], args=["x && y"])]
    assert any("arguments differ" in p for p in dockerfile.compare(squeezed, ref))
    exec_form = [ref[0], ref[1], dataclasses.replace(ref[2], form="exec")]
    assert any("shell form" in p for p in dockerfile.compare(exec_form, ref))
    assert any("sequence" in p for p in dockerfile.compare(ref[:2], ref))
