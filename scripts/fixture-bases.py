#!/usr/bin/env python3
"""Rewrites whole container directories under tests/fixtures/check as base plus overrides.

A container directory (one holding a Dockerfile) that shares files with a base container
under tests/fixtures/bases/ keeps only the files that differ and a `fixture.toml` naming the
base and the base's files it lacks (`delete`); tests/cli/fixture_tree.rs lays it out again.

    scripts/fixture-bases.py convert [DIR...]   convert the containers under DIR (default: all)
    scripts/fixture-bases.py verify REV         every fixture, materialized, equals REV's tree

`verify` materializes tests/fixtures/check as the tests do, now and at git revision REV
(before the conversion, or after), and compares the two byte for byte: what the tests see
is unchanged. A new rule's fixture may be written whole and converted by `convert` after.
"""

import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECK = os.path.join(ROOT, "tests/fixtures/check")
BASES = os.path.join(ROOT, "tests/fixtures/bases")
TOML = "fixture.toml"

# Read whole by something other than the Rust tests: the integration tests (python) build
# program-daemonizes's containers; a unit test in src/ reads unknown-program.
KEEP_WHOLE = (
    "program-daemonizes/",
    "upstream-port-mismatch/pass/unknown-program",
)

# A base is worth naming when a container shares at least this many files with it, net of
# the files it must delete.
MIN_GAIN = 2


def files(d):
    """Relative paths of the files under d, without fixture.toml."""
    out = []
    for dirpath, _, names in os.walk(d):
        for n in names:
            rel = os.path.relpath(os.path.join(dirpath, n), d)
            if rel != TOML:
                out.append(rel)
    return sorted(out)


def read_toml(d):
    path = os.path.join(d, TOML)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return f.read()


def best_base(container):
    """(gain, name, same files, deletions) of the base that saves the most, or None."""
    own = files(container)
    best = None
    for name in sorted(os.listdir(BASES)):
        base = os.path.join(BASES, name)
        theirs = files(base)
        same = [
            f
            for f in own
            if f in theirs and filecmp.cmp(os.path.join(container, f), os.path.join(base, f), shallow=False)
        ]
        deletes = [f for f in theirs if f not in own]
        gain = len(same) - len(deletes)
        if gain >= MIN_GAIN and (best is None or gain > best[0]):
            best = (gain, name, same, deletes)
    return best


def containers(top):
    for dirpath, _, names in os.walk(top):
        if "Dockerfile" in names:
            rel = os.path.relpath(dirpath, CHECK)
            if not any(rel == k.rstrip("/") or rel.startswith(k) for k in KEEP_WHOLE):
                yield dirpath


def convert(tops):
    for top in tops:
        for c in sorted(containers(top)):
            existing = read_toml(c) or ""
            if "base =" in existing:
                continue
            found = best_base(c)
            if found is None:
                continue
            _, name, same, deletes = found
            for f in same:
                os.remove(os.path.join(c, f))
            # Directories the removal emptied.
            for dirpath, dirnames, names in sorted(os.walk(c), reverse=True):
                if dirpath != c and not os.listdir(dirpath):
                    os.rmdir(dirpath)
            lines = [f'base = "{name}"\n']
            if deletes:
                lines.append("delete = [" + ", ".join(f'"{d}"' for d in deletes) + "]\n")
            with open(os.path.join(c, TOML), "w", encoding="utf-8") as f:
                f.write("".join(lines) + existing)
            print(f"{os.path.relpath(c, ROOT)}: base {name}, {len(same)} files dropped, {len(deletes)} deleted")


def materialize(src, dst, bases=BASES):
    """As tests/cli/fixture_tree.rs does."""
    os.makedirs(dst, exist_ok=True)
    text = read_toml(src)
    if text is not None:
        spec = tomllib.loads(text)
        if "base" in spec:
            shutil.copytree(os.path.join(bases, spec["base"]), dst, dirs_exist_ok=True)
        for rel in spec.get("delete", []):
            os.remove(os.path.join(dst, rel))
    for n in sorted(os.listdir(src)):
        p = os.path.join(src, n)
        if os.path.isdir(p):
            materialize(p, os.path.join(dst, n), bases)
        elif n != TOML:
            shutil.copy2(p, os.path.join(dst, n))
    if text is not None:
        for rel, body in spec.get("files", {}).items():
            os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)
            with open(os.path.join(dst, rel), "w", encoding="utf-8") as f:
                f.write(body)


def verify(rev):
    with tempfile.TemporaryDirectory() as tmp:
        then = os.path.join(tmp, "then")
        before = os.path.join(tmp, "before")
        after = os.path.join(tmp, "after")
        os.makedirs(then)
        archive = subprocess.run(
            ["git", "-C", ROOT, "archive", rev, "tests/fixtures"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", then], input=archive, check=True)
        # REV's fixtures as its tests saw them (whole, or on REV's own bases), and now's.
        materialize(
            os.path.join(then, "tests/fixtures/check"), before, os.path.join(then, "tests/fixtures/bases")
        )
        materialize(CHECK, after)
        diff = subprocess.run(["diff", "-r", before, after], capture_output=True, text=True)
        if diff.returncode != 0:
            print(diff.stdout, diff.stderr)
            sys.exit(1)
        n = len(files(after))
        print(f"identical: {n} files of tests/fixtures/check as materialized at {rev} and now")


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "convert":
        convert([os.path.abspath(a) for a in sys.argv[2:]] or [CHECK])
    elif len(sys.argv) == 3 and sys.argv[1] == "verify":
        verify(sys.argv[2])
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
