#!/usr/bin/env python3
"""Writes a new rule's skeleton: its file, its registration, and its fixtures.

    scripts/new-rule.py NAME CODE [--severity error|warning] [--base BASE] [--root DIR]

NAME is the rule's kebab-case name (the bad pattern: `upstream-port-mismatch`), CODE its
code (`PORT006`); the family is the code's prefix (`PORT` -> src/lint/rules/port/, `GEN` ->
meta, `PRS` -> parse). Writes:

    src/lint/rules/<family>/<name_snake>.rs   the declare_rule! with its doc sections and an
                                              empty `check`
    src/lint/rules/<family>/mod.rs            `pub mod <name_snake>;` (build.rs lists the
                                              rule in RULES from its declaration)
    tests/fixtures/check/<name>/fail/fixture.toml   a failing and a passing case on the base
    tests/fixtures/check/<name>/pass/fixture.toml   container BASE (tests/fixtures/bases/)

and prints the rest of the recipe (CONTRIBUTING.md, "Adding a rule"). Refuses to overwrite
anything; `--root` writes into another checkout (the tests use a temporary copy).
"""

import argparse
import os
import re
import sys

# Code prefixes whose family folder is not the prefix in lower case.
FAMILY = {"GEN": "meta", "PRS": "parse"}


def fail(msg):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(2)


def rule_file(name, code, severity, base):
    ident = name.upper().replace("-", "_")
    return f"""//! `{name}`: TODO one paragraph saying what this rule owns and what it leaves to others.

use crate::diagnostic::Diagnostic;
use crate::lint::{{Context, declare_rule}};

declare_rule! {{
    /// ## What it does
    /// Checks that TODO.
    ///
    /// ## Why is this bad?
    /// TODO: what goes wrong at run time, as the user would see it.
    ///
    /// ## Example
    /// ```text
    /// TODO: the smallest config that is reported
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// TODO
    /// ```
    pub static {ident} = {{
        code: "{code}",
        name: "{name}",
        severity: {severity},
        check: check,
    }}
}}

/// Pushes one finding per TODO, made with `{ident}.diagnostic(message, label)`. The
/// failing fixture (tests/fixtures/check/{name}/fail/, on the base `{base}`) fails its test
/// until this reports it.
fn check(_ctx: &Context, _out: &mut Vec<Diagnostic>) {{}}
"""


def fixture_toml(name, base, fails):
    if fails:
        what = "so that the rule reports it (at least one finding)"
        tail = ""
    else:
        what = "to the nearest case the rule must NOT report"
        tail = "# How many containers `gen check` finds here: `no problems in 1 container`.\ncontainers = 1\n"
    return f"""# The {"failing" if fails else "passing"} case of `{name}`: the base container below, plus the files of
# this directory (each replaces the base's file of the same path) and of [files], less
# `delete`. Copy here the files of tests/fixtures/bases/{base}/ this case changes, or write
# a short one out below, and edit them {what}.
base = "{base}"
{tail}
[files]
# "nginx.conf" = \"\"\"
# ...
# \"\"\"
"""


def insert_sorted(lines, new, key, start, end):
    """Inserts `new` into lines[start:end] before the first line whose key sorts after it."""
    for i in range(start, end):
        k = key(lines[i])
        if k is not None and k > key(new):
            lines.insert(i, new)
            return
    lines.insert(end, new)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("name")
    ap.add_argument("code")
    ap.add_argument("--severity", choices=["error", "warning"], default="warning")
    ap.add_argument("--base", default="fastapi")
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    a = ap.parse_args()

    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)+", a.name):
        fail(f"`{a.name}` is not a kebab-case name of two words or more")
    m = re.fullmatch(r"([A-Z]+)([0-9]{3})", a.code)
    if not m:
        fail(f"`{a.code}` is not a code such as `PORT006` (a family prefix and three digits)")
    family = FAMILY.get(m.group(1), m.group(1).lower())
    snake = a.name.replace("-", "_")
    root = a.root
    fam_dir = os.path.join(root, "src/lint/rules", family)
    if not os.path.isdir(fam_dir):
        fail(f"no family `{family}` (src/lint/rules/{family}/): add its folder and `pub mod` first")
    if not os.path.isdir(os.path.join(root, "tests/fixtures/bases", a.base)):
        fail(f"no base container `{a.base}` under tests/fixtures/bases/")
    if f'"{a.code}"' in "".join(
        open(os.path.join(d, n), encoding="utf-8").read()
        for d, _, ns in os.walk(os.path.join(root, "src/lint/rules"))
        for n in ns
        if n.endswith(".rs")
    ):
        fail(f"`{a.code}` is taken")
    rule_path = os.path.join(fam_dir, f"{snake}.rs")
    fix_dir = os.path.join(root, "tests/fixtures/check", a.name)
    for p in (rule_path, fix_dir):
        if os.path.exists(p):
            fail(f"{os.path.relpath(p, root)} exists")

    severity = a.severity.capitalize()
    written = []
    with open(rule_path, "w", encoding="utf-8") as f:
        f.write(rule_file(a.name, a.code, severity, a.base))
    written.append(rule_path)

    # The family's module list: among the `pub mod` lines of rule files, in name order.
    mod_rs = os.path.join(fam_dir, "mod.rs")
    with open(mod_rs, encoding="utf-8") as f:
        lines = f.read().split("\n")
    mods = [i for i, l in enumerate(lines) if re.fullmatch(r"pub mod [a-z0-9_]+;", l)]
    if not mods:
        fail(f"{os.path.relpath(mod_rs, root)} has no `pub mod` line")
    # The last block of consecutive `pub mod` lines holds the rules (helpers come first).
    end = mods[-1] + 1
    start = end - 1
    while start - 1 in mods:
        start -= 1
    key = lambda l: l if l.startswith("pub mod ") else None  # noqa: E731
    insert_sorted(lines, f"pub mod {snake};", key, start, end)
    with open(mod_rs, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    written.append(mod_rs)

    for case, fails in (("fail", True), ("pass", False)):
        d = os.path.join(fix_dir, case)
        os.makedirs(d)
        p = os.path.join(d, "fixture.toml")
        with open(p, "w", encoding="utf-8") as f:
            f.write(fixture_toml(a.name, a.base, fails))
        written.append(p)

    for p in written:
        print(f"wrote {os.path.relpath(p, root)}")
    print(
        f"""
Next (CONTRIBUTING.md, "Adding a rule"):
  1. write the rule's docs and `check` in src/lint/rules/{family}/{snake}.rs;
  2. give the fixtures their files (tests/fixtures/check/{a.name}/fail and pass);
  3. GEN_BLESS=1 cargo test --test fixtures_check {a.name}, then scripts/review-snapshots.sh;
  4. GEN_BLESS=1 cargo test readme (the README's rule table);
  5. cargo test."""
    )


if __name__ == "__main__":
    main()
