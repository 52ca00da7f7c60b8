"""Linux namespace and mount calls the harness makes on itself (Python 3.11 has no os.unshare).

Everything else that needs a namespace runs in a child started by util-linux's `unshare` or
`nsenter`; only the harness process itself enters a private mount namespace (so its tmpfs and
overlays are seen by no one else and vanish with it), and the port forwarder leaves the host's
network namespace after binding its listening socket.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal

CLONE_NEWNS = 0x00020000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def enter_private_mount_namespace() -> None:
    """Moves this (single-threaded) process into a mount namespace of its own.

    Mounts made afterwards are invisible to the host and are dropped when the last process
    in the namespace exits, so an interrupted run leaves no mount behind.
    """
    unshare(CLONE_NEWNS)
    _check(
        _libc.mount(b"none", b"/", None, ctypes.c_ulong(MS_REC | MS_PRIVATE), None),
        "mount --make-rprivate /",
    )


def namespace_id(pid: int, kind: str) -> str | None:
    """`pid:[4026532…]`-style identity of a process's namespace, None once it is gone."""
    try:
        return os.readlink(f"/proc/{pid}/ns/{kind}")
    except OSError:
        return None


def kill_in(pid: int, sig: int, pidns: str | None) -> bool:
    """Signals `pid` only if it is (still) that process of the pid namespace `pidns`.

    The pidfd pins the process first, so a pid reused after the check cannot be hit: if the
    process died in between, the signal goes nowhere. True when the signal was delivered.
    """
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return False
    try:
        if pidns is None or namespace_id(pid, "pid") != pidns:
            return False
        signal.pidfd_send_signal(fd, sig)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
