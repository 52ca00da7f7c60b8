"""Files inside a container root, seen from outside it.

Paths in an image are resolved as the kernel would after chroot: symlinks are followed inside
the root (an absolute link target is relative to the root, `..` stops at it), so a write can
never land on the host. Users and groups are looked up in the root's own /etc/passwd and
/etc/group.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path, PurePosixPath


class RootfsError(Exception):
    pass


def resolve(root: Path, path: str, follow_last: bool = True) -> Path:
    """The host path of `path` inside `root`."""
    pending = [p for p in PurePosixPath(path).parts if p != "/"]
    pending.reverse()
    current = PurePosixPath("/")
    hops = 0
    while pending:
        part = pending.pop()
        if part in ("", "."):
            continue
        if part == "..":
            current = current.parent
            continue
        candidate = current / part
        host = root / candidate.relative_to("/")
        if (pending or follow_last) and host.is_symlink():
            hops += 1
            if hops > 40:
                raise RootfsError(f"too many symlinks resolving {path} in {root}")
            target = PurePosixPath(os.readlink(host))
            if target.is_absolute():
                current = PurePosixPath("/")
            pending.extend(reversed([p for p in target.parts if p != "/"]))
            continue
        current = candidate
    return root / current.relative_to("/")


def _lookup(root: Path, table: str, name: str) -> tuple[int, int]:
    """(id, gid) of `name` in the root's /etc/passwd or /etc/group; numeric names pass."""
    if name.isdigit():
        return int(name), int(name)
    for line in resolve(root, f"/etc/{table}").read_text().splitlines():
        fields = line.split(":")
        if len(fields) >= 4 and fields[0] == name:
            return int(fields[2]), int(fields[3] if table == "passwd" else fields[2])
    raise RootfsError(f"no {'user' if table == 'passwd' else 'group'} `{name}` in the image's /etc/{table}")


def user_ids(root: Path, spec: str) -> tuple[int, int]:
    """uid, gid for a Dockerfile `USER` / `--chown` value (`user`, `user:group`, numbers)."""
    user, _, group = spec.partition(":")
    uid, gid = _lookup(root, "passwd", user)
    if group:
        gid = _lookup(root, "group", group)[0]
    return uid, gid


def user_home(root: Path, uid: int) -> str:
    try:
        for line in resolve(root, "/etc/passwd").read_text().splitlines():
            fields = line.split(":")
            if len(fields) >= 6 and fields[2] == str(uid):
                return fields[5] or "/"
    except OSError:
        pass
    return "/root" if uid == 0 else "/"


def makedirs(root: Path, path: str, uid: int = 0, gid: int = 0, mode: int = 0o755) -> Path:
    """`mkdir -p` inside the root; directories it creates get the owner and mode given."""
    current = "/"
    for part in PurePosixPath(path).parts[1:]:
        current = str(PurePosixPath(current) / part)
        host = resolve(root, current)
        if not host.exists():
            host.mkdir(mode=mode)
            os.chmod(host, mode)
            os.lchown(host, uid, gid)
        elif not host.is_dir():
            raise RootfsError(f"{current} exists in the image and is not a directory")
    return resolve(root, path)


def write_file(root: Path, path: str, text: str, mode: int = 0o644, uid: int = 0, gid: int = 0) -> None:
    parent = str(PurePosixPath(path).parent)
    makedirs(root, parent)
    host = resolve(root, path, follow_last=False)
    if host.is_symlink() or host.exists():
        if host.is_dir() and not host.is_symlink():
            raise RootfsError(f"{path} is a directory in the image")
        host.unlink()
    host.write_text(text)
    os.chmod(host, mode)
    os.lchown(host, uid, gid)


def symlink(root: Path, path: str, target: str) -> None:
    makedirs(root, str(PurePosixPath(path).parent))
    host = resolve(root, path, follow_last=False)
    if host.is_symlink() or host.exists():
        host.unlink()
    host.symlink_to(target)


def remove(root: Path, path: str) -> None:
    host = resolve(root, path, follow_last=False)
    if host.is_symlink() or host.is_file():
        host.unlink()
    elif host.is_dir():
        shutil.rmtree(host)


def copy(src: Path, root: Path, dest: str, uid: int, gid: int) -> list[str]:
    """Copies a file, symlink or directory (its contents, as COPY does) to `dest` in `root`.

    Returns the image paths written. Ownership is `uid:gid` for everything copied (Docker's
    COPY gives root:root without --chown); modes are kept.
    """
    written: list[str] = []
    if src.is_dir() and not src.is_symlink():
        existed = resolve(root, dest).is_dir()
        makedirs(root, dest, uid, gid)
        if not existed:
            _own(resolve(root, dest), uid, gid, os.stat(src).st_mode)
        for entry in sorted(src.iterdir()):
            written += copy(entry, root, str(PurePosixPath(dest) / entry.name), uid, gid)
        return written
    makedirs(root, str(PurePosixPath(dest).parent))
    host = resolve(root, dest, follow_last=False)
    if host.is_dir() and not host.is_symlink():
        raise RootfsError(f"cannot copy the file {src.name} over the directory {dest}")
    if host.is_symlink() or host.exists():
        host.unlink()
    if src.is_symlink():
        host.symlink_to(os.readlink(src))
        os.lchown(host, uid, gid)
    else:
        shutil.copyfile(src, host)
        _own(host, uid, gid, os.stat(src).st_mode)
    written.append(dest)
    return written


def _own(host: Path, uid: int, gid: int, mode: int) -> None:
    os.chmod(host, stat.S_IMODE(mode))
    os.lchown(host, uid, gid)
