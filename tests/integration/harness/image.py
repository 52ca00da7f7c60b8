"""`docker build` without Docker: replays a Dockerfile, read by gen's own reader, into layers.

Each stage is an overlay whose lower layer is this machine's `/` (see `distro` for what
stands in for the base image) and whose upper layer, on the workspace tmpfs, becomes the
stage's layer. Instructions do what Docker does with them: WORKDIR creates the directory, ENV
and ARG feed later instructions (with `$VAR` substitution), COPY copies each file to its
destination (`--from` a stage's root, `--chown` with the image's users), RUN runs under
`/bin/sh -c` inside the root with the registries reachable, and CMD, ENTRYPOINT, USER,
EXPOSE, STOPSIGNAL and HEALTHCHECK are kept for the run.
"""

from __future__ import annotations

import copy
import glob
import os
import re
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import distro, report, rootfs, runner
from .distro import BuildError
from .dockerfile import Instruction, healthcheck_test, key_value_pairs, read_with_gen
from .workspace import Workspace

RUN_TIMEOUT = 900  # seconds for one RUN step (a cold pip install is well under a minute)


@dataclass
class Copied:
    source: str  # relative to the build context, or `stage:path` for --from
    dest: str  # where it landed in the image
    line: int
    stage: int


@dataclass
class ImageConfig:
    env: dict[str, str] = field(default_factory=lambda: {"PATH": runner.DOCKER_DEFAULT_PATH})
    workdir: str = "/"
    user: str | None = None
    cmd: list[str] | None = None
    entrypoint: list[str] | None = None
    shell: list[str] = field(default_factory=lambda: ["/bin/sh", "-c"])
    stopsignal: str = "SIGTERM"
    healthcheck: list[str] | None = None  # ["CMD-SHELL", text] or ["CMD", *argv]
    healthcheck_timeout: float = 30.0
    expose: list[str] = field(default_factory=list)
    base: str = ""

    def argv(self) -> list[str]:
        return [*(self.entrypoint or []), *(self.cmd or [])]

    def cmd_option(self, option: str) -> str | None:
        """The value after `option` (e.g. supervisord's `-c`) on the container's command line."""
        argv = self.argv()
        for i, word in enumerate(argv[:-1]):
            if word == option:
                return argv[i + 1]
        return None


@dataclass
class Image:
    tag: str
    context: Path
    layers: list[Path]  # top first; this machine's `/` is always the last lower layer
    config: ImageConfig
    copied: list[Copied]
    build_log: Path
    seconds: float = 0.0

    def dest_of(self, source: str) -> list[str]:
        """Where the build context's file `source` was copied to."""
        return [c.dest for c in self.copied if c.source == source]


@dataclass
class _Stage:
    index: int
    alias: str | None
    root: Path
    upper: Path
    layers: list[Path]
    profile: object
    config: ImageConfig
    args: dict[str, str] = field(default_factory=dict)


_VAR = re.compile(
    r"\\(?P<escaped>\$)|\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<mod>:[-+][^}]*)?\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


def substitute(text: str, env: dict[str, str]) -> str:
    """Docker's `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR:+word}` substitution."""

    def repl(m: re.Match[str]) -> str:
        if m["escaped"]:
            return "$"
        value = env.get(m["braced"] or m["plain"], "")
        mod = m["mod"]
        if mod:
            op, word = mod[:2], mod[2:]
            if op == ":-":
                return value or word
            return word if value else ""
        return value

    return _VAR.sub(repl, text)


def _signal_name(value: str) -> str:
    value = value.strip().upper()
    if value.isdigit():
        return signal.Signals(int(value)).name
    return value if value.startswith("SIG") else f"SIG{value}"


def _seconds(duration: str) -> float:
    total = 0.0
    for number, unit in re.findall(r"([\d.]+)(ms|us|ns|h|m|s)", duration):
        total += float(number) * {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}[unit]
    return total


class Builder:
    def __init__(self, workspace: Workspace, gen: Path) -> None:
        self.ws = workspace
        self.gen = gen

    def build(self, context: Path, tag: str, dockerfile: Path | None = None) -> Image:
        """The image of `dockerfile` (default: the context's `Dockerfile`) built from `context`,
        as `docker build -f DOCKERFILE CONTEXT`. The context's ignore files are not applied: the
        COPY sources replayed here are the project's own files."""
        started = time.monotonic()
        instructions = read_with_gen(self.gen, dockerfile or context / "Dockerfile")
        home = self.ws.dir("images", self.ws.unique(tag))
        log = home / "build.log"
        log.touch()
        stages: list[_Stage] = []
        global_args: dict[str, str] = {}
        copied: list[Copied] = []
        try:
            for ins in instructions:
                if ins.keyword == "FROM":
                    stages.append(self._from(ins, stages, global_args, home, tag, log))
                    continue
                if not stages:
                    if ins.keyword != "ARG":
                        raise BuildError(f"{ins.keyword} at {ins.where()} comes before any FROM")
                    for key, value in key_value_pairs(ins.args):
                        global_args[key] = value
                    continue
                if ins.stage != len(stages) - 1:
                    raise BuildError(
                        f"gen's reader puts {ins.keyword} at {ins.where()} in stage {ins.stage}, "
                        f"but it follows FROM number {len(stages)}"
                    )
                self._instruction(ins, stages[-1], stages, context, tag, log, copied)
            if not stages:
                raise BuildError("the Dockerfile has no FROM")
            final = stages[-1]
            return Image(
                tag=tag,
                context=context,
                layers=final.layers,
                config=final.config,
                copied=[c for c in copied if c.stage == final.index],
                build_log=log,
                seconds=time.monotonic() - started,
            )
        finally:
            for stage in stages:
                self.ws.unmount(stage.root)

    # --- instructions -------------------------------------------------------------------

    def _from(
        self, ins: Instruction, stages: list[_Stage], global_args: dict[str, str], home: Path, tag: str, log: Path
    ) -> _Stage:
        words = [substitute(a, global_args) for a in ins.args]
        if not words:
            raise BuildError(f"FROM at {ins.where()} names no image")
        image = words[0]
        alias = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
        parent = next((s for s in stages if s.alias == image), None)
        index = len(stages)
        where = home / f"stage{index}"
        lowers = [*(parent.layers if parent else []), Path("/")]
        root, upper = self.ws.overlay(lowers, where)
        config = copy.deepcopy(parent.config) if parent else ImageConfig(base=image)
        profile = parent.profile if parent else distro.profile_for(image)
        stage = _Stage(index, alias, root, upper, [upper, *(parent.layers[:-1] if parent else [])], profile, config)
        if parent is None:
            profile.prepare(self._distro_stage(stage, tag, log))
        return stage

    def _distro_stage(self, stage: _Stage, tag: str, log: Path) -> distro.Stage:
        def run(script: str) -> None:
            self._run(stage, ["/bin/sh", "-c", script], log, f"stand-in step `{script}`")

        return distro.Stage(who=tag, root=stage.root, run=run, note=lambda text: report.note(tag, text))

    def _env(self, stage: _Stage) -> dict[str, str]:
        """What a RUN step sees: build args, then the image's ENV (ENV wins), HOME as runc sets it."""
        env = {**stage.args, **stage.config.env}
        uid, _ = self._user(stage)
        env.setdefault("HOME", rootfs.user_home(stage.root, uid))
        return env

    def _user(self, stage: _Stage) -> tuple[int, int]:
        if not stage.config.user:
            return 0, 0
        return rootfs.user_ids(stage.root, stage.config.user)

    def _run(self, stage: _Stage, argv: list[str], log: Path, what: str) -> None:
        uid, gid = self._user(stage)
        with log.open("a") as sink:
            sink.write(f"\n### {what}\n")
        cmd = runner.RootCommand(
            root=stage.root, argv=argv, env=self._env(stage), workdir=stage.config.workdir, uid=uid, gid=gid
        )
        try:
            proc = runner.run(cmd, timeout=RUN_TIMEOUT, output=log)
        except subprocess.TimeoutExpired as exc:
            raise BuildError(f"{what} did not finish in {RUN_TIMEOUT} s\n{_tail(log)}") from exc
        if proc.returncode != 0:
            raise BuildError(f"{what} exited with status {proc.returncode}\n{_tail(log)}")

    def _instruction(
        self,
        ins: Instruction,
        stage: _Stage,
        stages: list[_Stage],
        context: Path,
        tag: str,
        log: Path,
        copied: list[Copied],
    ) -> None:
        cfg = stage.config
        vars_ = {**stage.args, **cfg.env}
        kw = ins.keyword
        if kw == "ARG":
            for key, value in key_value_pairs(ins.args):
                stage.args[key] = substitute(value, vars_) if value else stage.args.get(key, "")
        elif kw == "ENV":
            for key, value in key_value_pairs(ins.args):
                cfg.env[key] = substitute(value, vars_)
        elif kw == "WORKDIR":
            path = substitute(" ".join(ins.args), vars_)
            cfg.workdir = str(PurePosixPath(cfg.workdir) / path)
            rootfs.makedirs(stage.root, cfg.workdir)
        elif kw in ("COPY", "ADD"):
            self._copy(ins, stage, stages, context, vars_, copied, tag)
        elif kw == "RUN":
            self._run_instruction(ins, stage, tag, log)
        elif kw in ("CMD", "ENTRYPOINT"):
            argv = ins.args if ins.form == "exec" else [*cfg.shell, ins.args[0] if ins.args else ""]
            if kw == "CMD":
                cfg.cmd = list(argv)
            else:
                cfg.entrypoint = list(argv)
                cfg.cmd = None  # Docker resets CMD when ENTRYPOINT is set
        elif kw == "USER":
            cfg.user = substitute(" ".join(ins.args), vars_)
        elif kw == "EXPOSE":
            cfg.expose += [substitute(a, vars_) for a in ins.args]
        elif kw == "STOPSIGNAL":
            cfg.stopsignal = _signal_name(substitute(" ".join(ins.args), vars_))
        elif kw == "HEALTHCHECK":
            self._healthcheck(ins, cfg)
        elif kw == "SHELL":
            cfg.shell = list(ins.args)
        elif kw in ("LABEL", "MAINTAINER", "VOLUME"):
            pass  # metadata; a VOLUME would be an anonymous volume, which changes nothing here
        else:
            raise BuildError(f"{kw} at {ins.where()}: the harness cannot replay this instruction")

    def _healthcheck(self, ins: Instruction, cfg: ImageConfig) -> None:
        cfg.healthcheck = healthcheck_test(ins)
        if "timeout" in ins.flags:
            cfg.healthcheck_timeout = _seconds(ins.flags["timeout"])

    def _run_instruction(self, ins: Instruction, stage: _Stage, tag: str, log: Path) -> None:
        if ins.form == "exec":
            argv = list(ins.args)
            manager = distro.package_manager(shlex.join(argv))
            if manager:
                desc = stage.profile.provide(self._distro_stage(stage, tag, log), manager, argv)
                report.note(tag, f"RUN at {ins.where()}: skipped `{' '.join(argv)}`: {desc}")
                return
        else:
            script = ins.args[0] if ins.args else ""
            segments = distro.split_commands(script)
            skipped = 0
            for seg in segments:
                manager = distro.package_manager(seg.text)
                if manager is None:
                    continue
                words = distro.command_words(seg.text)
                desc = stage.profile.provide(self._distro_stage(stage, tag, log), manager, words)
                report.note(tag, f"RUN at {ins.where()}: skipped `{' '.join(words)}`: {desc}")
                lead = seg.text[: len(seg.text) - len(seg.text.lstrip())]
                trail = seg.text[len(seg.text.rstrip()) :]
                seg.text = f"{lead}true{trail}"
                skipped += 1
            if skipped == len(segments):
                return
            argv = [*stage.config.shell, distro.join_commands(segments)]
        started = time.monotonic()
        self._run(stage, argv, log, f"RUN at {ins.where()}: {' '.join(argv[len(stage.config.shell) :])}")
        report.note(tag, f"RUN at {ins.where()}: ran in the image root ({time.monotonic() - started:.1f} s)")

    def _copy(
        self,
        ins: Instruction,
        stage: _Stage,
        stages: list[_Stage],
        context: Path,
        vars_: dict[str, str],
        copied: list[Copied],
        tag: str,
    ) -> None:
        words = [substitute(a, vars_) for a in ins.args]
        if len(words) < 2:
            raise BuildError(f"{ins.keyword} at {ins.where()} needs a source and a destination")
        sources, dest = words[:-1], words[-1]
        unknown = set(ins.flags) - {"from", "chown", "chmod", "link"}
        if unknown:
            raise BuildError(f"{ins.keyword} at {ins.where()}: flags the harness cannot replay: {sorted(unknown)}")
        if not dest.startswith("/"):
            dest = str(PurePosixPath(stage.config.workdir) / dest) + ("/" if dest.endswith("/") else "")
        into_dir = dest.endswith("/") or len(sources) > 1 or any(glob.has_magic(s) for s in sources)
        uid, gid = (0, 0)
        if "chown" in ins.flags:
            uid, gid = rootfs.user_ids(stage.root, substitute(ins.flags["chown"], vars_))
        chmod = int(ins.flags["chmod"], 8) if "chmod" in ins.flags else None

        origin = ins.flags.get("from")
        if origin is not None:
            src_stage = next((s for s in stages[:-1] if s.alias == origin or str(s.index) == origin), None)
            if src_stage is None:
                raise BuildError(f"COPY at {ins.where()}: --from={origin} names no earlier stage")
            pairs = [(rootfs.resolve(src_stage.root, s), f"{origin}:{s}") for s in sources]
        else:
            if ins.keyword == "ADD" and any(re.match(r"[a-z]+://", s) for s in sources):
                raise BuildError(f"ADD at {ins.where()}: remote sources cannot be replayed")
            pairs = []
            for s in sources:
                matches = sorted(glob.glob(str(context / s))) if glob.has_magic(s) else [str(context / s)]
                for m in matches:
                    path = Path(m)
                    if not path.resolve().is_relative_to(context.resolve()):
                        raise BuildError(f"{ins.keyword} at {ins.where()}: {s} is outside the build context")
                    pairs.append((path, str(path.relative_to(context))))
        for host, label in pairs:
            if not (host.exists() or host.is_symlink()):
                raise BuildError(f"{ins.keyword} at {ins.where()}: `{label}` does not exist")
            target = dest
            existing = rootfs.resolve(stage.root, dest.rstrip("/") or "/")
            if not host.is_dir() and (into_dir or existing.is_dir()):
                target = str(PurePosixPath(dest) / host.name)
            target = target.rstrip("/") or "/"
            written = rootfs.copy(host, stage.root, target, uid, gid)
            if chmod is not None:
                for path in written:
                    os.chmod(rootfs.resolve(stage.root, path, follow_last=False), chmod)
            copied.append(Copied(source=label, dest=target, line=ins.line, stage=stage.index))


def _tail(log: Path, lines: int = 40) -> str:
    try:
        text = log.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(f"    {line}" for line in text[-lines:])
