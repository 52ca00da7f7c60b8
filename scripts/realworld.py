#!/usr/bin/env python3
"""Re-run `gen check` on the real-world study set and measure precision.

The study (tests/realworld.md) ran gen on public projects nobody here wrote. Their
checkouts live outside the repository (never copy them in): by default under
/work/realworld, one directory per project, listed in its INDEX.tsv. The verdicts on
gen's findings are committed beside the study, in tests/realworld-verdicts.tsv:

    dir <TAB> code <TAB> file <TAB> line <TAB> verdict <TAB> note

`file` is relative to the project's directory, `verdict` is `right`, `false` or
`debatable`. A finding is matched by (dir, code, file, line).

Prints, per project, gen's findings with their verdicts, then the precision
(right / all judged findings; debatable ones count as not right) and every finding no
verdict covers, so a change in gen that brings a new finding is judged before it lands.

Usage: scripts/realworld.py [--root /work/realworld] [--gen target/debug/gen]
       [--verdicts tests/realworld-verdicts.tsv] [--quiet]
Exit code: 0, or 1 when some finding is unjudged.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def load_verdicts(path):
    verdicts = {}
    with open(path, newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            if not row or row[0].startswith("#") or row[0] == "dir":
                continue
            d, code, file, line, verdict = row[:5]
            note = row[5] if len(row) > 5 else ""
            if verdict not in ("right", "false", "debatable"):
                sys.exit(f"{path}: unknown verdict {verdict!r} in {row}")
            verdicts[(d, code, file, int(line))] = (verdict, note)
    return verdicts


def projects(root):
    index = os.path.join(root, "INDEX.tsv")
    with open(index, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [r["dir"] for r in rows]


def run_gen(gen, root, d):
    """The findings of `gen check DIR`, or an error line when gen refuses the path."""
    p = subprocess.run(
        [gen, "check", d, "--format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if p.returncode == 2:
        return None, p.stderr.strip().splitlines()[0] if p.stderr.strip() else "exit 2"
    doc = json.loads(p.stdout)
    found = []
    for diag in doc["diagnostics"]:
        file = diag["file"]
        prefix = d + "/"
        if file.startswith(prefix):
            file = file[len(prefix) :]
        found.append((diag["code"], file, diag["line"], diag["severity"], diag["message"]))
    return found, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default="/work/realworld")
    ap.add_argument("--gen", default=os.path.join(REPO, "target", "debug", "gen"))
    ap.add_argument(
        "--verdicts", default=os.path.join(REPO, "tests", "realworld-verdicts.tsv")
    )
    ap.add_argument("--quiet", action="store_true", help="print only the summary")
    args = ap.parse_args()

    verdicts = load_verdicts(args.verdicts)
    gen = os.path.abspath(args.gen)
    counts = Counter()
    by_rule = Counter()
    unjudged = []
    refused = []
    for d in projects(args.root):
        found, err = run_gen(gen, args.root, d)
        if err is not None:
            refused.append((d, err))
            if not args.quiet:
                print(f"== {d}: refused: {err}")
            continue
        if not args.quiet:
            print(f"== {d}: {len(found)} finding(s)")
        for code, file, line, severity, message in found:
            v = verdicts.get((d, code, file, line))
            verdict = v[0] if v else "UNJUDGED"
            counts[verdict] += 1
            if verdict != "right" and v:
                by_rule[(code, verdict)] += 1
            if not v:
                unjudged.append((d, code, file, line, message))
            if not args.quiet:
                print(f"   {verdict:9} {code} {severity[0]} {file}:{line} {message[:150]}")

    judged = counts["right"] + counts["false"] + counts["debatable"]
    total = judged + counts["UNJUDGED"]
    print()
    print(f"projects: {len(projects(args.root))}, refused by gen (exit 2): {len(refused)}")
    print(
        f"findings: {total} (right {counts['right']}, false {counts['false']}, "
        f"debatable {counts['debatable']}, unjudged {counts['UNJUDGED']})"
    )
    if judged:
        print(f"precision: {counts['right'] / judged:.0%} (right / judged)")
        strict = counts["right"] / judged
        lenient = (counts["right"] + counts["debatable"]) / judged
        print(f"  strict {strict:.1%}, counting debatable as right {lenient:.1%}")
    for (code, verdict), n in sorted(by_rule.items()):
        print(f"  {verdict:9} {code}: {n}")
    for d, err in refused:
        print(f"refused: {d}: {err}")
    if unjudged:
        print("\nunjudged findings (add a verdict to the verdict file):")
        for d, code, file, line, message in unjudged:
            print(f"{d}\t{code}\t{file}\t{line}\t?\t{message[:200]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
