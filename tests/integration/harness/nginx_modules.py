"""The nginx oracle for third-party module packages: real `nginx -t` with Debian's module
packages loaded (libnginx-mod-http-headers-more-filter, -echo, -subs-filter, -fancyindex,
-set-misc with the NDK, -uploadprogress: scripts/install-test-deps.sh installs them), and
`gen check` on a container whose Dockerfile installs the same packages (or not).

A config of directives of those modules that nginx accepts is mutated: each module
directive's name with a typo, each moved to the main context, arguments dropped, and the
`include` of `modules-enabled/` (through which the packages load their modules) removed,
with and without the packages in the Dockerfile. Agreement is the oracle's
(harness/nginx_oracle.py): nginx rejects and gen errs at nginx's line, or both accept.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from harness import nginx_oracle as oracle

PACKAGES = [
    "libnginx-mod-http-headers-more-filter",
    "libnginx-mod-http-echo",
    "libnginx-mod-http-subs-filter",
    "libnginx-mod-http-fancyindex",
    "libnginx-mod-http-set-misc",
    "libnginx-mod-http-uploadprogress",
]


def dockerfile(packages: list[str]) -> str:
    return f"""FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends nginx {" ".join(packages)}
COPY nginx.conf /etc/nginx/nginx.conf
CMD ["nginx", "-g", "daemon off;"]
"""


INCLUDE = "include /etc/nginx/modules-enabled/*.conf;\n"

BASE = (
    INCLUDE
    + """
events {
    worker_connections 64;
}

http {
    include /etc/nginx/mime.types;
    upload_progress uploads 1m;

    server {
        listen 8080;
        more_set_headers "Server: gen";
        more_clear_input_headers "X-Debug";
        subs_filter_types text/css;
        subs_filter "http://old.example" "https://new.example" g;

        location /ping {
            echo "pong";
            echo_sleep 0.1;
        }

        location /files/ {
            root /srv;
            fancyindex on;
            fancyindex_exact_size off;
        }

        location /hash {
            set_md5 $digest $arg_x;
            set_unescape_uri $name $arg_name;
            echo "$digest $name";
        }

        location /upload {
            proxy_pass http://127.0.0.1:8000;
            track_uploads uploads 30s;
        }

        location = /progress {
            report_uploads uploads;
        }
    }
}
"""
)

# The directives of the module packages in BASE.
MODULE_DIRECTIVES = [
    "upload_progress",
    "more_set_headers",
    "more_clear_input_headers",
    "subs_filter_types",
    "subs_filter",
    "echo",
    "echo_sleep",
    "fancyindex",
    "fancyindex_exact_size",
    "set_md5",
    "set_unescape_uri",
    "track_uploads",
    "report_uploads",
]


def cases() -> list[tuple[oracle.Case, list[str]]]:
    """Each config with the packages its Dockerfile installs."""
    out: list[tuple[oracle.Case, list[str]]] = [(oracle.Case("accepted", "modules", BASE, 1, "as written"), PACKAGES)]
    lines = BASE.splitlines(keepends=True)
    for i, line in enumerate(lines):
        m = re.match(r"(\s*)([a-z_0-9]+)(.*)", line)
        if not m or m.group(2) not in MODULE_DIRECTIVES:
            continue
        name = m.group(2)
        typo = name[:-1] if len(name) > 4 else name + "x"
        text = "".join(lines[:i] + [f"{m.group(1)}{typo}{m.group(3)}\n"] + lines[i + 1 :])
        out.append((oracle.Case("typo", "modules", text, i + 1, f"{name} -> {typo}"), PACKAGES))
        # Moved to the main context, after the include.
        moved = "".join(lines[:1] + [line.strip() + "\n"] + lines[1:i] + lines[i + 1 :])
        out.append((oracle.Case("moved", "modules", moved, 2, f"{name} to main"), PACKAGES))
        # No arguments.
        if m.group(3).strip() != ";":
            bare = "".join(lines[:i] + [f"{m.group(1)}{name};\n"] + lines[i + 1 :])
            out.append((oracle.Case("arguments", "modules", bare, i + 1, f"{name} without arguments"), PACKAGES))
    unloaded = BASE.replace(INCLUDE, "", 1)
    out.append((oracle.Case("unloaded", "modules", unloaded, 7, "installed, not included"), PACKAGES))
    out.append((oracle.Case("unloaded", "modules", unloaded, 7, "not installed"), []))
    return out


def run(nginx: str, gen: Path) -> list[oracle.Verdict]:
    verdicts: list[oracle.Verdict] = []
    with tempfile.TemporaryDirectory(prefix="gen-nginx-modules-") as tmp_name:
        tmp = Path(tmp_name)
        dirs = []
        for i, (case, packages) in enumerate(cases()):
            d = tmp / f"m{i:03}"
            (d / "prefix" / "logs").mkdir(parents=True)
            # The packages' `load_module modules/...` lines are relative to the prefix.
            (d / "prefix" / "modules").symlink_to("/usr/lib/nginx/modules")
            (d / "nginx.conf").write_text(case.text)
            (d / "Dockerfile").write_text(dockerfile(packages))
            ok, line, message = oracle.nginx_t(nginx, d / "nginx.conf", d / "prefix")
            # Modules not loaded: every directive of theirs is an error of its own.
            verdicts.append(oracle.Verdict(case, ok, line, message, single=case.kind != "unloaded"))
            dirs.append(d)
        found = oracle.gen_check(gen, dirs)
        for d, v in zip(dirs, verdicts):
            v.gen_lines = [line for line, _ in found[d]]
            v.gen_messages = [msg for _, msg in found[d]]
    return verdicts
