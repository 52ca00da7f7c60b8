"""The scratch space every layer, root, console log and temporary file lives in: a tmpfs.

The harness process enters a private mount namespace first (`ns.enter_private_mount_namespace`),
so the tmpfs and the overlays on it are invisible to the host and are dropped with the process
whatever happens; `close` unmounts them in order all the same. Its mount point is an empty
directory in /tmp named after the harness's pid: the only trace a killed run leaves, removed
by the next run once that pid is gone. (Mounting over /tmp itself would hide a checkout that
lives there.)
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from pathlib import Path

from .runner import HOST_TOOLS_ENV


class WorkspaceError(Exception):
    pass


def _run(argv: list[str]) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=HOST_TOOLS_ENV)
    if proc.returncode != 0:
        raise WorkspaceError(f"`{' '.join(argv)}` failed: {proc.stderr.strip()}")


HOST_TMP = Path("/tmp")


def _remove_stale() -> None:
    """Mount points left by runs that were killed (their pid is gone, the directory is empty)."""
    for path in HOST_TMP.glob("gen-harness-*-*"):
        pid = path.name.split("-")[2]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            try:
                path.rmdir()
            except OSError:
                pass  # not empty: not a mount point of ours


class Workspace:
    def __init__(self) -> None:
        _remove_stale()
        self.path = Path(tempfile.mkdtemp(prefix=f"gen-harness-{os.getpid()}-", dir=HOST_TMP))
        self._mounts: list[Path] = []
        self._lock = threading.Lock()
        self._counter = 0
        _run(["mount", "-t", "tmpfs", "-o", "mode=0700", "gen-harness", str(self.path)])
        self.tmp = self.dir("tmp")
        self.tmp.chmod(0o1777)

    def hold_temporary_files(self) -> None:
        """Every temporary file of this process (tempfile, pytest's tmp_path, children's
        TMPDIR) goes to the tmpfs from now on."""
        tempfile.tempdir = str(self.tmp)
        os.environ["TMPDIR"] = str(self.tmp)

    def dir(self, *parts: str) -> Path:
        path = self.path.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def unique(self, stem: str) -> str:
        with self._lock:
            self._counter += 1
            return f"{stem}-{self._counter}"

    def overlay(self, lowers: list[Path], where: Path) -> tuple[Path, Path]:
        """Mounts an overlay of `lowers` (top first) with a fresh upper layer; (root, upper)."""
        upper, work, root = (where / "upper", where / "work", where / "root")
        for d in (upper, work, root):
            d.mkdir(parents=True)
        lowerdir = ":".join(str(p) for p in lowers)
        _run([
            "mount", "-t", "overlay", "overlay",
            "-o", f"lowerdir={lowerdir},upperdir={upper},workdir={work}",
            str(root),
        ])  # fmt: skip
        with self._lock:
            self._mounts.append(root)
        return root, upper

    def unmount(self, root: Path) -> None:
        with self._lock:
            if root not in self._mounts:
                return
            self._mounts.remove(root)
        proc = subprocess.run(["umount", str(root)], capture_output=True, text=True, timeout=60, env=HOST_TOOLS_ENV)
        if proc.returncode != 0:
            # Still busy (a process that would not die): detach it; it goes with the namespace.
            _run(["umount", "--lazy", str(root)])

    def close(self) -> None:
        for root in reversed(list(self._mounts)):
            self.unmount(root)
        if tempfile.tempdir == str(self.tmp):
            tempfile.tempdir = None
            os.environ.pop("TMPDIR", None)
        _run(["umount", "--lazy", str(self.path)])
        self.path.rmdir()
