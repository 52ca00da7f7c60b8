"""The scratch space every layer, root and console log lives in: a tmpfs, seen only here.

The harness process enters a private mount namespace first (`ns.enter_private_mount_namespace`),
so the tmpfs and the overlays on it are invisible to the host and are dropped with the process
whatever happens; `close` unmounts them in order all the same.
"""

from __future__ import annotations

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


class Workspace:
    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="gen-harness-"))
        self._mounts: list[Path] = []
        self._lock = threading.Lock()
        self._counter = 0
        _run(["mount", "-t", "tmpfs", "-o", "mode=0700", "gen-harness", str(self.path)])

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
        _run(["umount", "--lazy", str(self.path)])
        self.path.rmdir()
