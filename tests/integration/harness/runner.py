"""Starting a process inside a container root, in namespaces of its own.

`command_line` builds what runc would do for `docker build`'s RUN and `docker run`: new
mount, pid, uts and ipc namespaces (and a new network namespace for a run; a build step
shares the host's so the registries are reachable), /proc, a read-only /sys and a minimal /dev
mounted inside the root, a hostname, then the command with a clean environment, the image's
working directory and user. The first process of the pid namespace is the command itself, as
in a container, so it gets the signals `docker stop` sends and its exit ends every other
process in the namespace.

`exec_command_line` is `docker exec`: every namespace, the root and the working directory of
the container's first process.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

DOCKER_DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The environment of the host tools that set a root up (never seen inside the root).
HOST_TOOLS_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}

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
    extra_unshare: list[str] = field(default_factory=list)


def command_line(cmd: RootCommand) -> list[str]:
    namespaces = ["--mount", "--propagation", "private", "--pid", "--fork", "--kill-child", "--uts", "--ipc"]
    if cmd.own_network:
        namespaces.append("--net")
    enter = ["/usr/bin/unshare", f"--root={cmd.root}", f"--wd={cmd.workdir}"]
    if (cmd.uid, cmd.gid) != (0, 0):
        enter += [f"--setgid={cmd.gid}", f"--setuid={cmd.uid}"]
    return [
        # The whole tree dies with the harness, however the harness ends.
        "/usr/bin/setpriv", "--pdeathsig", "KILL", "--",
        "/usr/bin/unshare", *namespaces, *cmd.extra_unshare, "--",
        "/bin/sh", "-c", _SETUP, "setup",
        str(cmd.root), cmd.hostname, str(cmd.hosts_file or ""),
        "yes" if cmd.own_network else "no", "yes" if cmd.wait_for_go else "no",
        "/usr/bin/env", "-i", *(f"{k}={v}" for k, v in cmd.env.items()),
        *enter, "--", *cmd.argv,
    ]  # fmt: skip


def exec_command_line(pid1: int, argv: list[str], env: dict[str, str]) -> list[str]:
    """`docker exec`: the container's namespaces, root and working directory."""
    return [
        "/usr/bin/setpriv", "--pdeathsig", "KILL", "--",
        "/usr/bin/nsenter", f"--target={pid1}", "--mount", "--uts", "--ipc", "--net", "--pid", "--root", "--wd",
        "--", "/usr/bin/env", "-i", *(f"{k}={v}" for k, v in env.items()), *argv,
    ]  # fmt: skip


def run(cmd: RootCommand, timeout: float, output: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Runs to completion (a build step, a one-off command); output captured or appended to a file."""
    argv = command_line(cmd)
    if output is None:
        return subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, env=HOST_TOOLS_ENV
        )
    with output.open("a") as sink:
        return subprocess.run(
            argv, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT, text=True, timeout=timeout, env=HOST_TOOLS_ENV
        )
