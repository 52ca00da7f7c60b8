"""Stand-ins for the base images and their package managers.

Every stage's root is this machine's own `/` (Debian) under an overlay, so the Dockerfile's
package installs (`apt-get install` of Ubuntu's versions, Alpine's `apk add`) cannot run.
They are skipped, visibly, and what they would have installed is laid down where it matters:
for apt, this machine's Debian packages of the same names must be installed; for Alpine, the
packaged files and users that the generated files rely on (the `nginx` user, nginx's
http.d/ layout, /etc/supervisord.conf) are written into the root, and BusyBox's `sh`, `wget`,
`adduser` and `addgroup` take the places they have on Alpine. Everything else in a RUN step
(users the Dockerfile creates, files it removes, `npm ci`, `pip install`) runs for real.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import rootfs

PACKAGE_MANAGERS = {"apt-get", "apt", "aptitude", "dpkg", "apk"}


class BuildError(Exception):
    pass


# --- splitting a RUN command line -------------------------------------------------------


@dataclass
class Segment:
    text: str
    op: str  # the operator after it: "&&", "||", ";" or "" at the end


def split_commands(script: str) -> list[Segment]:
    """Splits a shell command line at top-level `&&`, `||` and `;` (quotes and subshells kept)."""
    segments: list[Segment] = []
    start = i = depth = 0
    quote: str | None = None
    while i < len(script):
        ch = script[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch == "\\":
            i += 2
            continue
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and script.startswith(("&&", "||"), i):
            segments.append(Segment(script[start:i], script[i : i + 2]))
            i += 2
            start = i
            continue
        elif depth == 0 and ch in ";\n":
            segments.append(Segment(script[start:i], ";"))
            start = i + 1
        i += 1
    segments.append(Segment(script[start:], ""))
    return segments


def join_commands(segments: list[Segment]) -> str:
    return "".join(s.text + s.op for s in segments)


def command_words(segment: str) -> list[str]:
    """The words of a simple command, leading `VAR=value` assignments dropped ([] if not simple)."""
    try:
        words = shlex.split(segment)
    except ValueError:
        return []
    while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
        words.pop(0)
    return words


def package_manager(segment: str) -> str | None:
    words = command_words(segment)
    if words and Path(words[0]).name in PACKAGE_MANAGERS:
        return Path(words[0]).name
    return None


def _operands(words: list[str], options_with_value: set[str]) -> tuple[str | None, list[str]]:
    """(subcommand, the operands after it) of a package manager's command line."""
    sub = None
    operands = []
    skip = False
    for word in words[1:]:
        if skip:
            skip = False
            continue
        if word in options_with_value:
            skip = True
            continue
        if word.startswith("-"):
            continue
        if sub is None:
            sub = word
        else:
            operands.append(word)
    return sub, operands


def _package_name(spec: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9+._-]*", spec)
    name = match.group(0) if match else spec
    return name.split(":")[0]


# --- profiles ---------------------------------------------------------------------------


@dataclass
class Stage:
    """What a profile needs from the build: the stage's root and a way to run in it."""

    who: str
    root: Path
    run: Callable[[str], None]  # runs a /bin/sh command line in the root, raises on failure
    note: Callable[[str], None]


def _host_os() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.partition("=")[2].strip('"')
    except OSError:
        pass
    return "this machine's Linux"


def _tool_version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else "?"


def _dpkg_version(package: str) -> str | None:
    out = subprocess.run(
        ["dpkg-query", "-W", "-f=${db:Status-Status} ${Version}", package], capture_output=True, text=True
    )
    status, _, version = out.stdout.partition(" ")
    return version if out.returncode == 0 and status == "installed" else None


class Profile:
    name = "?"
    managers: set[str] = set()

    def __init__(self, image: str) -> None:
        self.image = image

    def prepare(self, stage: Stage) -> None:
        stage.note(f"FROM {self.image}: the root of this machine ({_host_os()}) stands in for the image")

    def provide(self, stage: Stage, manager: str, words: list[str]) -> str:
        raise BuildError(f"{self.image}: `{manager}` is not this image's package manager")


class Debian(Profile):
    """ubuntu:*, debian:*: this machine is Debian, its packages of the same names stand in."""

    name = "debian"
    managers = {"apt-get", "apt", "aptitude", "dpkg"}

    def provide(self, stage: Stage, manager: str, words: list[str]) -> str:
        if manager not in self.managers:
            raise BuildError(f"{self.image} has no `{manager}`: `{' '.join(words)}` cannot work in this image")
        sub, operands = _operands(words, {"-o", "-c", "-t", "--target-release"})
        if sub != "install":
            return "nothing to stand in for"
        found, missing = [], []
        for spec in operands:
            name = _package_name(spec)
            version = _dpkg_version(name)
            (found if version else missing).append(f"{name} {version}" if version else name)
        if missing:
            raise BuildError(
                f"the image installs {', '.join(missing)}, which this machine does not have "
                "(scripts/install-test-deps.sh installs the stand-ins)"
            )
        return "stood in by this machine's Debian packages " + ", ".join(found)


# Alpine's packaged configuration files, as far as the generated files depend on them: the
# main nginx.conf includes http.d/*.conf, whose default.conf answers 404 on port 80;
# supervisord's /etc/supervisord.conf is the sample configuration (no nodaemon) including
# /etc/supervisor.d/*.ini. Written for the harness after Alpine's layout, not copied from it.
ALPINE_NGINX_CONF = """\
# Stand-in (gen test harness) for Alpine's packaged /etc/nginx/nginx.conf: its layout,
# with the virtual hosts in /etc/nginx/http.d/*.conf.
user nginx;
worker_processes auto;
error_log /var/log/nginx/error.log warn;
include /etc/nginx/modules/*.conf;
include /etc/nginx/conf.d/*.conf;

events {
    worker_connections 1024;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    server_tokens off;
    client_max_body_size 1m;
    sendfile on;
    tcp_nopush on;
    access_log /var/log/nginx/access.log;
    include /etc/nginx/http.d/*.conf;
}
"""

ALPINE_NGINX_DEFAULT_SITE = """\
# Stand-in (gen test harness) for Alpine's packaged /etc/nginx/http.d/default.conf:
# every request is a 404.
server {
    listen 80 default_server;
    listen [::]:80 default_server;
    location / {
        return 404;
    }
    location = /404.html {
        internal;
    }
}
"""

ALPINE_SUPERVISORD_CONF = """\
; Stand-in (gen test harness) for Alpine's packaged /etc/supervisord.conf: supervisor's
; sample configuration, programs in /etc/supervisor.d/*.ini.
[unix_http_server]
file=/run/supervisord.sock

[supervisord]
logfile=/var/log/supervisord.log

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix:///run/supervisord.sock

[include]
files = /etc/supervisor.d/*.ini
"""

# Debian's busybox is built without adduser/addgroup; these take BusyBox's options and do the
# same with shadow's tools, and refuse any option they do not know.
ADDGROUP_SHIM = r"""#!/bin/sh
# Stand-in (gen test harness) for BusyBox's addgroup on Alpine: addgroup [-g GID] [-S] [USER] GROUP
set -eu
system= gid=
while getopts Sg: opt; do
    case $opt in
        S) system=--system ;;
        g) gid=$OPTARG ;;
        *) echo "addgroup: option not supported by the harness stand-in" >&2; exit 1 ;;
    esac
done
shift $((OPTIND - 1))
case $# in
    1) exec /usr/sbin/groupadd $system ${gid:+--gid "$gid"} "$1" ;;
    2) exec /usr/sbin/usermod -a -G "$2" "$1" ;;
    *) echo "usage: addgroup [-g GID] [-S] [USER] GROUP" >&2; exit 1 ;;
esac
"""

ADDUSER_SHIM = r"""#!/bin/sh
# Stand-in (gen test harness) for BusyBox's adduser on Alpine:
# adduser [-h DIR] [-g GECOS] [-s SHELL] [-G GROUP] [-S] [-D] [-H] [-u UID] [-k SKEL] USER [GROUP]
set -eu
home= gecos= shell=/bin/sh group= system= nohome= uid=
while getopts h:g:s:G:SDHu:k: opt; do
    case $opt in
        h) home=$OPTARG ;;
        g) gecos=$OPTARG ;;
        s) shell=$OPTARG ;;
        G) group=$OPTARG ;;
        S) system=--system ;;
        D) ;;
        H) nohome=1 ;;
        u) uid=$OPTARG ;;
        k) ;;
        *) echo "adduser: option not supported by the harness stand-in" >&2; exit 1 ;;
    esac
done
shift $((OPTIND - 1))
if [ $# -eq 2 ]; then
    exec /usr/sbin/usermod -a -G "$2" "$1"
fi
[ $# -eq 1 ] || { echo "usage: adduser [OPTIONS] USER [GROUP]" >&2; exit 1; }
user=$1
set -- --home-dir "${home:-/home/$user}" --shell "$shell"
[ -n "$system" ] && set -- "$@" --system
[ -n "$gecos" ] && set -- "$@" --comment "$gecos"
[ -n "$uid" ] && set -- "$@" --uid "$uid"
if [ -n "$group" ]; then set -- "$@" --gid "$group" --no-user-group; else set -- "$@" --user-group; fi
if [ -n "$nohome" ]; then set -- "$@" --no-create-home; else set -- "$@" --create-home; fi
exec /usr/sbin/useradd "$@" "$user"
"""

# Debian-only parts of /etc that Alpine's packages do not have.
DEBIAN_ONLY_NGINX = [
    "sites-available", "sites-enabled", "modules-available", "modules-enabled", "snippets",
    "proxy_params", "koi-utf", "koi-win", "win-utf",
]  # fmt: skip


class Alpine(Profile):
    """alpine:*, *-alpine*: apk cannot run here; the packages' files that matter are laid down."""

    name = "alpine"
    managers = {"apk"}

    def prepare(self, stage: Stage) -> None:
        super().prepare(stage)
        if not Path("/usr/bin/busybox").is_file():
            raise BuildError("the Alpine stand-in needs BusyBox (/usr/bin/busybox): run scripts/install-test-deps.sh")
        # Alpine's /bin/sh, wget, adduser and addgroup are BusyBox.
        rootfs.symlink(stage.root, "/bin/sh", "busybox")
        rootfs.symlink(stage.root, "/usr/bin/wget", "busybox")
        rootfs.write_file(stage.root, "/usr/sbin/addgroup", ADDGROUP_SHIM, mode=0o755)
        rootfs.write_file(stage.root, "/usr/sbin/adduser", ADDUSER_SHIM, mode=0o755)
        version = re.search(r"v[\d.]+", _tool_version(["busybox"]))
        stage.note(
            f"{self.image}: /bin/sh and wget are BusyBox {version.group(0) if version else ''} (Debian's); "
            "adduser/addgroup are BusyBox-compatible stand-ins over shadow's useradd/groupadd"
        )

    def provide(self, stage: Stage, manager: str, words: list[str]) -> str:
        if manager != "apk":
            raise BuildError(f"{self.image} has no `{manager}`: `{' '.join(words)}` cannot work in this image")
        sub, operands = _operands(
            words, {"-t", "--virtual", "-X", "--repository", "--repositories-file", "-p", "--root", "--arch"}
        )
        if sub != "add":
            return "nothing to stand in for"
        done = []
        for spec in operands:
            name = _package_name(spec)
            stand_in = getattr(self, f"_provide_{name.replace('-', '_')}", None)
            if stand_in is None:
                raise BuildError(
                    f"no stand-in for the Alpine package `{name}`: teach harness/distro.py what it installs"
                )
            done.append(f"{name}: {stand_in(stage)}")
        return "; ".join(done)

    @staticmethod
    def _need(path: str, package: str) -> None:
        if not Path(path).exists():
            raise BuildError(f"{path} is missing on this machine: run scripts/install-test-deps.sh ({package})")

    def _provide_nginx(self, stage: Stage) -> str:
        self._need("/usr/sbin/nginx", "nginx")
        root = stage.root
        for name in DEBIAN_ONLY_NGINX:
            rootfs.remove(root, f"/etc/nginx/{name}")
        # The package's pre-install script creates its user as Alpine does.
        stage.run(
            "addgroup -S nginx 2>/dev/null; adduser -S -D -H -h /var/lib/nginx -s /sbin/nologin -G nginx -g nginx nginx"
        )
        uid, gid = rootfs.user_ids(root, "nginx:nginx")
        rootfs.write_file(root, "/etc/nginx/nginx.conf", ALPINE_NGINX_CONF)
        rootfs.write_file(root, "/etc/nginx/http.d/default.conf", ALPINE_NGINX_DEFAULT_SITE)
        rootfs.makedirs(root, "/etc/nginx/modules")
        for path in ("/run/nginx", "/var/lib/nginx/tmp", "/var/lib/nginx/logs", "/var/log/nginx"):
            rootfs.makedirs(root, path)
            rootfs.resolve(root, path).chmod(0o750 if "lib" in path else 0o755)
            os.lchown(rootfs.resolve(root, path), uid, gid)
        return (
            f"{_tool_version(['nginx', '-v'])} (Debian's binary), user nginx, "
            "/etc/nginx/nginx.conf with http.d/default.conf"
        )

    def _provide_nodejs(self, stage: Stage) -> str:
        self._need("/usr/bin/node", "nodejs")
        return f"node {_tool_version(['node', '--version'])} (this machine's /usr/bin/node)"

    def _provide_npm(self, stage: Stage) -> str:
        self._need("/usr/bin/npm", "npm")
        return f"npm {_tool_version(['npm', '--version'])} (this machine's /usr/bin/npm)"

    def _provide_supervisor(self, stage: Stage) -> str:
        self._need("/usr/bin/supervisord", "supervisor")
        rootfs.remove(stage.root, "/etc/supervisor")  # Debian's layout; Alpine has none
        rootfs.write_file(stage.root, "/etc/supervisord.conf", ALPINE_SUPERVISORD_CONF)
        rootfs.makedirs(stage.root, "/etc/supervisor.d")
        return f"supervisord {_tool_version(['supervisord', '--version'])} (Debian's), /etc/supervisord.conf"


class NodeImage:
    """The official node images: node and npm in /usr/local/bin; this machine's stand in."""

    def __init__(self, base: Profile) -> None:
        self.base = base

    def prepare(self, stage: Stage) -> None:
        self.base.prepare(stage)
        for tool in ("node", "npm"):
            if shutil.which(tool, path="/usr/local/bin:/usr/bin") is None:
                raise BuildError(f"{self.base.image} needs `{tool}`, which this machine does not have")
        stage.note(
            f"{self.base.image}: node {_tool_version(['node', '--version'])} and npm "
            f"{_tool_version(['npm', '--version'])} of this machine stand in for the image's"
        )

    def provide(self, stage: Stage, manager: str, words: list[str]) -> str:
        return self.base.provide(stage, manager, words)


def profile_for(image: str) -> Profile | NodeImage:
    """The stand-in for a FROM image, or BuildError when the harness knows none."""
    name, _, tag = image.partition(":")
    repo = name.rsplit("/", 1)[-1]
    if repo == "alpine" or "alpine" in tag:
        base: Profile = Alpine(image)
    elif repo in ("ubuntu", "debian") or repo == "node":
        base = Debian(image)
    else:
        raise BuildError(f"no stand-in for the base image `{image}`: teach harness/distro.py about it")
    return NodeImage(base) if repo == "node" else base
