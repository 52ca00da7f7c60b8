"""Starting a process inside a container root, in namespaces of its own.

`command_line` builds what runc would do for `docker build`'s RUN and `docker run`: new
mount, pid, uts and ipc namespaces (and a new network namespace for a run; a build step
shares the host's so the registries are reachable), /proc, a read-only /sys and a minimal /dev
mounted inside the root, a hostname, then the command with a clean environment, the image's
working directory and user. The first process of the pid namespace is the command itself, as
in a container, so it gets the signals `docker stop` sends and its exit ends every other
process in the namespace.

Docker's runtime restrictions come along: the capability bounding set (Docker's default
set, or a compose file's `cap_drop`/`cap_add`), `no-new-privileges`, a read-only root with
tmpfs mounts, and `init: true` (tini as `/sbin/docker-init`, pid 1, in front of the command).

`exec_command_line` is `docker exec`: every namespace, the root and the working directory of
the container's first process, and the same capabilities.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

DOCKER_DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The environment of the host tools that set a root up (never seen inside the root).
HOST_TOOLS_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
# What a container keeps of root's capabilities unless told otherwise (moby's defaults).
DOCKER_DEFAULT_CAPS = [
    "chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw", "setgid", "setuid",
    "setfcap", "setpcap", "net_bind_service", "sys_chroot", "kill", "audit_write",
]  # fmt: skip
# Docker's init (`docker run --init`, compose `init: true`) is tini, statically linked.
TINI = "/usr/bin/tini-static"

# Runs as pid 1 of the new namespaces, with the host's tools, before entering the root.
_SETUP = r"""
set -eu
root=$1 hostname=$2 hosts=$3 own_net=$4 wait=$5
shift 5
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount --bind "$root/proc/sys" "$root/proc/sys"
mount -o remount,bind,ro "$root/proc/sys"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
mount -t tmpfs -o nosuid,mode=755,size=65536k tmpfs "$root/dev"
for node in null zero full random urandom tty; do
    : >"$root/dev/$node"
    mount --bind "/dev/$node" "$root/dev/$node"
done
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mkdir "$root/dev/shm" "$root/dev/pts"
mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
hostname "$hostname"
if [ -n "$hosts" ]; then
    mount --bind "$hosts" "$root/etc/hosts"
fi
for dir in $GEN_TMPFS; do
    mount -t tmpfs -o rw,nosuid,nodev,noexec,size=65536k tmpfs "$root$dir"
done
if [ -n "$GEN_INIT" ]; then
    : >"$root/sbin/docker-init"
    mount --bind -o ro "$GEN_INIT" "$root/sbin/docker-init"
fi
if [ "$GEN_READ_ONLY" = yes ]; then
    # This mount only: the overlay stays writable for the harness.
    mount -o remount,bind,ro "$root"
fi
if [ "$own_net" = yes ]; then
    ip link set lo up
fi
if [ "$wait" = yes ]; then
    # The harness wires the network namespace up, then says go on stdin; the command itself
    # gets /dev/null, as under `docker run` without -i.
    read -r _ || true
    exec </dev/null
fi
exec "$@"
"""


@dataclass
class RootCommand:
    root: Path
    argv: list[str]
    env: dict[str, str]
    workdir: str = "/"
    uid: int = 0
    gid: int = 0
    hostname: str = "buildkitsandbox"
    hosts_file: Path | None = None
    own_network: bool = False
    wait_for_go: bool = False  # read a line on stdin before starting the command
    caps: list[str] = field(default_factory=lambda: list(DOCKER_DEFAULT_CAPS))
    no_new_privs: bool = False
    read_only: bool = False
    tmpfs: list[str] = field(default_factory=list)
    init: bool = False


def _restrict(caps: list[str], no_new_privs: bool, uid: int, gid: int) -> list[str]:
    """setpriv, run inside the root: what a container does not have is dropped."""
    spec = ",".join(["-all", *(f"+{c}" for c in caps)])
    argv = ["/usr/bin/setpriv", f"--bounding-set={spec}", f"--inh-caps={spec}"]
    if no_new_privs:
        argv.append("--no-new-privs")
    if (uid, gid) != (0, 0):
        argv += [f"--regid={gid}", f"--reuid={uid}", "--clear-groups"]
    return [*argv, "--"]


def setup_env(cmd: RootCommand) -> dict[str, str]:
    """The environment of the setup script (the command itself starts from `env -i`)."""
    return {
        **HOST_TOOLS_ENV,
        "GEN_TMPFS": " ".join(cmd.tmpfs),
        "GEN_INIT": TINI if cmd.init else "",
        "GEN_READ_ONLY": "yes" if cmd.read_only else "no",
    }


def command_line(cmd: RootCommand) -> list[str]:
    namespaces = ["--mount", "--propagation", "private", "--pid", "--fork", "--kill-child", "--uts", "--ipc"]
    if cmd.own_network:
        namespaces.append("--net")
    argv = ["/sbin/docker-init", "--", *cmd.argv] if cmd.init else cmd.argv
    return [
        # The whole tree dies with the harness, however the harness ends.
        "/usr/bin/setpriv", "--pdeathsig", "KILL", "--",
        "/usr/bin/unshare", *namespaces, "--",
        "/bin/sh", "-c", _SETUP, "setup",
        str(cmd.root), cmd.hostname, str(cmd.hosts_file or ""),
        "yes" if cmd.own_network else "no", "yes" if cmd.wait_for_go else "no",
        "/usr/bin/env", "-i", *(f"{k}={v}" for k, v in cmd.env.items()),
        "/usr/bin/unshare", f"--root={cmd.root}", f"--wd={cmd.workdir}", "--",
        *_restrict(cmd.caps, cmd.no_new_privs, cmd.uid, cmd.gid), *argv,
    ]  # fmt: skip


def exec_command_line(
    pid1: int, argv: list[str], env: dict[str, str], caps: list[str], no_new_privs: bool
) -> list[str]:
    """`docker exec`: the container's namespaces, root, working directory and capabilities."""
    return [
        "/usr/bin/setpriv", "--pdeathsig", "KILL", "--",
        "/usr/bin/nsenter", f"--target={pid1}", "--mount", "--uts", "--ipc", "--net", "--pid", "--root", "--wd",
        "--", "/usr/bin/env", "-i", *(f"{k}={v}" for k, v in env.items()),
        *_restrict(caps, no_new_privs, 0, 0), *argv,
    ]  # fmt: skip


def run(cmd: RootCommand, timeout: float, output: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Runs to completion (a build step, a one-off command); output captured or appended to a file."""
    argv = command_line(cmd)
    if output is None:
        return subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, env=setup_env(cmd)
        )
    with output.open("a") as sink:
        return subprocess.run(
            argv, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT, text=True, timeout=timeout,
            env=setup_env(cmd),
        )  # fmt: skip
