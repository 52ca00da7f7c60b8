"""Dockerfile instructions as gen's reader gives them, and as the reference parser does.

The replay uses gen's own reader (`gen parse --as dockerfile FILE`, shape in
notes/CONTRACTS.md), so the harness exercises it on every run. The reference is PyPI's
`dockerfile` package, which wraps moby's buildkit parser; `compare` lists where the two
disagree on instructions, lines, stages, flags, forms and arguments.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

# The instructions whose shell form is a command line for /bin/sh -c.
COMMAND_INSTRUCTIONS = {"RUN", "CMD", "ENTRYPOINT"}


class DockerfileError(Exception):
    pass


@dataclass(frozen=True)
class Instruction:
    keyword: str
    line: int
    end_line: int
    stage: int
    flags: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    form: str | None = None  # "exec", "shell" or None
    value: str = ""

    def where(self) -> str:
        return f"line {self.line}" if self.line == self.end_line else f"lines {self.line}-{self.end_line}"


def read_with_gen(gen: Path, path: Path, timeout: float = 30) -> list[Instruction]:
    """Instructions from `gen parse --as dockerfile PATH`."""
    try:
        proc = subprocess.run(
            [str(gen), "parse", "--as", "dockerfile", str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise DockerfileError(f"`gen parse --as dockerfile {path}` did not finish in {timeout} s") from exc
    if proc.returncode != 0:
        raise DockerfileError(f"`gen parse --as dockerfile {path}` exited {proc.returncode}:\n{proc.stderr.strip()}")
    try:
        payload = json.loads(proc.stdout)
        return [_from_contract(item) for item in payload["instructions"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise DockerfileError(
            f"`gen parse --as dockerfile {path}` printed no instruction list in the agreed shape: {exc}\n"
            f"{proc.stdout[:2000]}"
        ) from exc


def _from_contract(item: dict) -> Instruction:
    flags = item.get("flags") or {}
    if not isinstance(flags, dict):
        raise TypeError(f"`flags` is {type(flags).__name__}, not an object")
    args = item["args"]
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise TypeError(f"`args` of line {item.get('line')} is not a list of strings")
    return Instruction(
        keyword=str(item["instruction"]).upper(),
        line=int(item["line"]),
        end_line=int(item["end_line"]),
        stage=int(item["stage"]),
        flags={str(k): _flag_value(v) for k, v in flags.items()},
        args=args,
        form=item.get("form"),
        value=str(item.get("value", "")),
    )


def _flag_value(value: object) -> str:
    if value is True or value is None:
        return ""
    return str(value)


def read_with_reference(path: Path) -> list[Instruction]:
    """Instructions from buildkit's parser (PyPI `dockerfile`), in the contract's shape."""
    import dockerfile  # the reference; only the static check needs it

    try:
        commands = dockerfile.parse_file(str(path))
    except dockerfile.GoParseError as exc:
        raise DockerfileError(f"{path}: the reference parser rejects it: {exc}") from exc
    out = []
    stage = -1
    for cmd in commands:
        keyword = cmd.cmd.upper()
        if keyword == "FROM":
            stage += 1
        flags = {}
        for flag in cmd.flags:
            name, _, value = flag.lstrip("-").partition("=")
            flags[name] = value
        values = list(cmd.value)
        if cmd.json:
            form, args = "exec", values
        elif keyword in COMMAND_INSTRUCTIONS:
            form, args = "shell", values[:1]
        elif keyword == "HEALTHCHECK":
            form, args = "shell", [" ".join(values)]  # json=True (exec form) is handled above
        elif keyword in ("ENV", "LABEL"):
            # The reference pairs them up; the contract splits on whitespace: compare pairs.
            form, args = None, [f"{k}={v}" for k, v in zip(values[0::2], values[1::2], strict=False)]
        else:
            form, args = None, values
        out.append(
            Instruction(
                keyword=keyword,
                line=cmd.start_line,
                end_line=cmd.end_line,
                stage=max(stage, 0),
                flags=flags,
                args=args,
                form=form,
                value=cmd.original,
            )
        )
    return out


def key_value_pairs(args: list[str]) -> list[tuple[str, str]]:
    """ENV/LABEL/ARG arguments as (key, value) pairs, quotes removed as Docker does."""
    if not args:
        return []
    tokens = shlex.split(" ".join(args))
    if "=" not in tokens[0]:  # the legacy `ENV KEY value with spaces` form
        return [(tokens[0], " ".join(tokens[1:]))]
    pairs = []
    for token in tokens:
        key, sep, value = token.partition("=")
        pairs.append((key, value if sep else ""))
    return pairs


def healthcheck_test(ins: Instruction) -> list[str] | None:
    """A HEALTHCHECK as Docker stores it: ["CMD", *argv], ["CMD-SHELL", text] or None (NONE)."""
    args = list(ins.args)
    if ins.form == "exec":
        return ["CMD", *(args[1:] if args and args[0].upper() == "CMD" else args)]
    text = " ".join(args).strip()
    if text.upper() == "NONE":
        return None
    if text[:3].upper() != "CMD":
        raise DockerfileError(f"HEALTHCHECK at {ins.where()}: expected CMD or NONE, got {text!r}")
    rest = text[3:].strip()
    if rest.startswith("["):
        try:
            return ["CMD", *json.loads(rest)]
        except ValueError:
            pass  # not JSON after all: Docker runs it with a shell
    return ["CMD-SHELL", rest]


def _comparable_args(ins: Instruction) -> object:
    if ins.keyword in ("ENV", "LABEL"):
        return key_value_pairs(ins.args)
    if ins.keyword == "HEALTHCHECK":
        try:
            return healthcheck_test(ins)
        except DockerfileError as exc:
            return str(exc)
    return ins.args


def compare(gen: list[Instruction], ref: list[Instruction]) -> list[str]:
    """Where gen's reader and the reference parser disagree (empty when they agree)."""
    problems = []
    if [i.keyword for i in gen] != [i.keyword for i in ref]:
        problems.append(
            "instruction sequence differs:\n"
            f"  gen:       {' '.join(i.keyword for i in gen)}\n"
            f"  reference: {' '.join(i.keyword for i in ref)}"
        )
    for g, r in zip(gen, ref, strict=False):  # a length mismatch is reported above
        label = f"{r.keyword} at line {r.line}"
        if (g.keyword, g.line, g.end_line) != (r.keyword, r.line, r.end_line):
            problems.append(
                f"{label}: gen says {g.keyword} at lines {g.line}-{g.end_line}, "
                f"the reference {r.keyword} at lines {r.line}-{r.end_line}"
            )
            continue
        if g.stage != r.stage:
            problems.append(f"{label}: gen puts it in stage {g.stage}, the reference in stage {r.stage}")
        if g.flags != r.flags:
            problems.append(f"{label}: flags differ: gen {g.flags}, reference {r.flags}")
        if r.form == "exec" and g.form != "exec":
            problems.append(f"{label}: the reference reads the exec (JSON) form, gen says {g.form!r}")
        if r.keyword in COMMAND_INSTRUCTIONS and r.form == "shell" and g.form != "shell":
            problems.append(f"{label}: the reference reads the shell form, gen says {g.form!r}")
        if _comparable_args(g) != _comparable_args(r):
            problems.append(
                f"{label}: arguments differ:\n  gen:       {_comparable_args(g)!r}\n"
                f"  reference: {_comparable_args(r)!r}"
            )
    return problems
