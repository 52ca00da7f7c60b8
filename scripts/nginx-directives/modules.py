#!/usr/bin/env python3
"""Extracts the directive and variable tables of the third-party nginx modules that the
distributions package as dynamic modules (Debian's and Ubuntu's `libnginx-mod-*`, Alpine's
`nginx-mod-*`, nginx.org's njs), from each module's own source, as data.

For every module below and every version a distribution gen knows packages, reads the
module's `ngx_command_t` arrays and its `ngx_http_variable_t` / `ngx_stream_variable_t`
arrays the way extract.py reads nginx's own, and writes facts only, no code:

    data/nginx/modules.tsv             ngx module, .so file, Debian/Ubuntu package, Alpine
                                       package, the releases that package it, the .so files
                                       it needs loaded first, the source versions read
    data/nginx/modules-directives.tsv  as directives.tsv (with its `variables` column), with
                                       the releases (not nginx versions) whose package has
                                       the row
    data/nginx/modules-variables.tsv   as variables.tsv, with releases

The releases: `bookworm` (Debian 12) and `trixie` (Debian 13) at the versions their
packages build (`apt-cache policy libnginx-mod-...` on each suite, recorded below);
`noble` (Ubuntu 24.04), `alpine` (3.20 to 3.23) and `nginx.org` (the official image's
njs), whose exact module versions are not all recorded here: their rows are the union of
the Debian versions and the module's newest release (and for Alpine, the version Alpine
3.22 builds, `alpine322`, verified), so gen accepts whatever any of those declares (never
a false "unknown directive"), at the cost of missing a directive added after the version
such an image has. Ubuntu 24.04's module versions are not verified (Launchpad is not
reachable from where this table was made, and no copy of Ubuntu's nginx packaging was
found).

Usage: the module repositories' git directories under one folder, named `owner+name`
(as the `fetch` tool lays them out: /work/.mirror/owner+name/repo):

    scripts/nginx-directives/modules.py /work/.mirror
"""

import re
import sys
from collections import OrderedDict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import extract  # noqa: E402  (the parser of nginx's own tables)

RELEASES = ["bookworm", "trixie", "noble", "alpine", "nginx.org"]

# Each packaged module: its repository, `variables="open"` when its directives define
# variables (`set_by_lua $x`, a `geoip2` block's `$name ...`) or it adds variables this
# script cannot read (so gen does not judge variables where it is loaded), the files of one .so (a path prefix or regex, when
# the repository builds several), the .so, the package per distribution, the .so files its
# package needs loaded (its dependencies), and the source version per release.
# `newest` is the newest release tag of the module when this table was made.
# Debian 12 and 13 versions: `apt-cache show` of each package on that suite.
# `alpine322`: the version Alpine 3.22's nginx 1.28.0-r1 builds, read from aports'
# main/nginx/APKBUILD at pkgver 1.28.0, pkgrel 1 (`_add_module "http-echo" "v0.63" ...`,
# njs's `_njs_ver`), whose subpackage names are the `alpine` packages below; Alpine builds
# upstream-fair from itoffshore/nginx-upstream-fair 0.1.3, a fork of gnosek's that declares
# the same two directives. Alpine 3.20, 3.21, 3.23 and edge are not verified here (aports
# is too large to bring, and no copy of their APKBUILD was found): Alpine's rows are the
# union of the Debian versions, the newest release and 3.22's version.
MODULES = [
    dict(repo="sto/ngx_http_auth_pam_module", so="ngx_http_auth_pam_module.so",
         debian="libnginx-mod-http-auth-pam", alpine=None,
         bookworm="v1.5.3", trixie="v1.5.5", newest="v1.5.5"),
    dict(repo="stnoonan/spnego-http-auth-nginx-module", variables="open", so="ngx_http_auth_spnego_module.so",
         debian="libnginx-mod-http-auth-spnego", alpine=None,
         bookworm=None, trixie="v1.1.3", newest="v1.1.3", noble=False),
    dict(repo="google/ngx_brotli", files=r"^filter/", so="ngx_http_brotli_filter_module.so",
         debian="libnginx-mod-http-brotli-filter", alpine="nginx-mod-http-brotli",
         bookworm="v1.0.0rc", trixie="v1.0.0rc", alpine322="v1.0.0rc", newest="v1.0.0rc"),
    dict(repo="google/ngx_brotli", files=r"^static/", so="ngx_http_brotli_static_module.so",
         debian="libnginx-mod-http-brotli-static", alpine="nginx-mod-http-brotli",
         bookworm="v1.0.0rc", trixie="v1.0.0rc", alpine322="v1.0.0rc", newest="v1.0.0rc"),
    dict(repo="nginx-modules/ngx_cache_purge", so="ngx_http_cache_purge_module.so",
         debian="libnginx-mod-http-cache-purge", alpine="nginx-mod-http-cache-purge",
         bookworm="2.3", trixie="2.5.3", alpine322="2.5.3", newest="3.0.1"),
    dict(repo="arut/nginx-dav-ext-module", so="ngx_http_dav_ext_module.so",
         debian="libnginx-mod-http-dav-ext", alpine="nginx-mod-http-dav-ext",
         bookworm="v3.0.0", trixie="v3.0.0", alpine322="v3.0.0", newest="v3.0.0"),
    dict(repo="openresty/echo-nginx-module", so="ngx_http_echo_module.so",
         debian="libnginx-mod-http-echo", alpine="nginx-mod-http-echo",
         bookworm="v0.63", trixie="v0.63", alpine322="v0.63", newest="v0.65"),
    dict(repo="aperezdc/ngx-fancyindex", so="ngx_http_fancyindex_module.so",
         debian="libnginx-mod-http-fancyindex", alpine="nginx-mod-http-fancyindex",
         bookworm="v0.5.2", trixie="v0.5.2", alpine322="v0.5.2", newest="v0.6.0"),
    dict(repo="leev/ngx_http_geoip2_module", variables="open", files=r"^ngx_http_", so="ngx_http_geoip2_module.so",
         debian="libnginx-mod-http-geoip2", alpine="nginx-mod-http-geoip2",
         bookworm="3.4", trixie="3.4", alpine322="3.4", newest="3.4"),
    dict(repo="leev/ngx_http_geoip2_module", variables="open", files=r"^ngx_stream_", so="ngx_stream_geoip2_module.so",
         debian="libnginx-mod-stream-geoip2", alpine="nginx-mod-stream-geoip2",
         bookworm="3.4", trixie="3.4", alpine322="3.4", newest="3.4", needs=["ngx_stream_module.so"]),
    dict(repo="openresty/headers-more-nginx-module", so="ngx_http_headers_more_filter_module.so",
         debian="libnginx-mod-http-headers-more-filter", alpine="nginx-mod-http-headers-more",
         bookworm="v0.34", trixie="v0.38", alpine322="v0.38", newest="v0.39"),
    dict(repo="openresty/lua-nginx-module", variables="open", so="ngx_http_lua_module.so",
         debian="libnginx-mod-http-lua", alpine="nginx-mod-http-lua",
         bookworm="v0.10.23", trixie="v0.10.28", alpine322="v0.10.28", newest="v0.10.28", needs=["ndk_http_module.so"]),
    dict(repo="openresty/memc-nginx-module", so="ngx_http_memc_module.so",
         debian="libnginx-mod-http-memc", alpine=None,
         bookworm="v0.19", trixie="v0.20", newest="v0.20"),
    dict(repo="owasp-modsecurity/ModSecurity-nginx", so="ngx_http_modsecurity_module.so",
         debian="libnginx-mod-http-modsecurity", alpine=None,
         bookworm="v1.0.3", trixie="v1.0.3", newest="v1.0.3", needs=["ndk_http_module.so"]),
    dict(repo="vision5/ngx_devel_kit", variables="open", files=r"^src/ndk", so="ndk_http_module.so",
         debian="libnginx-mod-http-ndk", alpine="nginx-mod-devel-kit",
         bookworm="v0.3.2", trixie="v0.3.4", alpine322="v0.3.3", newest="v0.3.4",
         # NDK's one directive is declared in a header its generated config includes.
         loose=["src/ndk_upstream_list.h"]),
    dict(repo="wandenberg/nginx-push-stream-module", variables="open", so="ngx_http_push_stream_module.so",
         debian="libnginx-mod-http-push-stream", alpine=None,
         bookworm=None, trixie="0.6.0", newest="0.6.0", noble=False),
    dict(repo="openresty/set-misc-nginx-module", variables="open", so="ngx_http_set_misc_module.so",
         debian="libnginx-mod-http-set-misc", alpine="nginx-mod-http-set-misc",
         bookworm="v0.33", trixie="v0.33", alpine322="v0.33", newest="v0.33", needs=["ndk_http_module.so"]),
    dict(repo="openresty/srcache-nginx-module", so="ngx_http_srcache_filter_module.so",
         debian="libnginx-mod-http-srcache-filter", alpine=None,
         bookworm="v0.33", trixie="v0.33", newest="v0.33", needs=["ndk_http_module.so"]),
    dict(repo="yaoweibin/ngx_http_substitutions_filter_module", so="ngx_http_subs_filter_module.so",
         debian="libnginx-mod-http-subs-filter", alpine=None,
         bookworm="v0.6.4", trixie="v0.6.4", newest="v0.6.4"),
    dict(repo="masterzen/nginx-upload-progress-module", so="ngx_http_uploadprogress_module.so",
         debian="libnginx-mod-http-uploadprogress", alpine="nginx-mod-http-upload-progress",
         bookworm="v0.9.2", trixie="v0.9.4", alpine322="v0.9.4", newest="v0.9.4"),
    dict(repo="gnosek/nginx-upstream-fair", so="ngx_http_upstream_fair_module.so",
         debian="libnginx-mod-http-upstream-fair", alpine="nginx-mod-http-upstream-fair",
         bookworm="a18b409", trixie="a18b409", alpine322="a18b409", newest="a18b409"),
    dict(repo="nginx/njs", files=r"^nginx/(ngx_http_js_module|ngx_js)", so="ngx_http_js_module.so",
         debian="libnginx-mod-http-js", alpine="nginx-mod-http-js", nginx_org=True,
         bookworm="0.7.9", trixie="0.8.9", alpine322="0.8.10", newest="1.0.0"),
    dict(repo="nginx/njs", files=r"^nginx/(ngx_stream_js_module|ngx_js)", so="ngx_stream_js_module.so",
         debian="libnginx-mod-stream-js", alpine="nginx-mod-stream-js", nginx_org=True,
         bookworm="0.7.9", trixie="0.8.9", alpine322="0.8.10", newest="1.0.0", needs=["ngx_stream_module.so"]),
    dict(repo="slact/nchan", variables="open", files=r"^src/", so="ngx_nchan_module.so",
         debian="libnginx-mod-nchan", alpine="nginx-mod-http-nchan",
         bookworm="v1.3.6", trixie="v1.3.7", alpine322="v1.3.7", newest="v1.3.7"),
    dict(repo="arut/nginx-rtmp-module", so="ngx_rtmp_module.so",
         debian="libnginx-mod-rtmp", alpine="nginx-mod-rtmp",
         bookworm="v1.2.2", trixie="v1.2.2", alpine322="v1.2.2", newest="v1.2.2"),
    # Alpine only.
    dict(repo="tokers/zstd-nginx-module", files=r"^filter/", so="ngx_http_zstd_filter_module.so",
         debian=None, alpine="nginx-mod-http-zstd",
         bookworm=None, trixie=None, alpine322="0.1.1", newest="0.1.1"),
    dict(repo="tokers/zstd-nginx-module", files=r"^static/", so="ngx_http_zstd_static_module.so",
         debian=None, alpine="nginx-mod-http-zstd",
         bookworm=None, trixie=None, alpine322="0.1.1", newest="0.1.1"),
    dict(repo="openresty/redis2-nginx-module", so="ngx_http_redis2_module.so",
         debian=None, alpine="nginx-mod-http-redis2",
         bookworm=None, trixie=None, alpine322="v0.15", newest="v0.15"),
]

# Sources that are tests or examples, not the module.
NOT_MODULE = re.compile(r"(^|/)(t|test|tests|examples?|util|misc|docs?)/")
# `//` comments (after a separator, so that `http://` in a string stays).
LINE_COMMENT = re.compile(r"(?<=[,;{}\s])//[^\n]*")
MODULE_TYPES = {"core", "conf", "event", "http", "mail", "stream"}
# A command; some modules write `ngx_string ("name")`.
COMMAND = re.compile(
    r"\{\s*ngx_string\s*\(\s*\"([^\"]+)\"\s*\)\s*,\s*([A-Z0-9_|\s]+?)\s*,\s*(\w+)\s*,"
    r"(?:\s*\w+\s*,\s*offsetof\(\s*\w+\s*,\s*([\w.]+)\s*\))?",
    re.S,
)
VARIABLE = re.compile(r"\{\s*ngx_string\s*\(\s*\"([^\"]+)\"\s*\)(.*?)\}", re.S)
DEFINE = re.compile(r"^#define\s+(\w+)\s+((?:[A-Z0-9_|()\s]|\\\n)+)$", re.M)
# Variable arrays; modules end them with `ngx_http_null_variable` or a `{ ngx_null_string, ... }`.
VARIABLES = re.compile(r"ngx_(?:http|stream)_variable_t\s+\w+\[\]\s*=\s*\{(.*?)\n\s*\};", re.S)


def read_tree(repo, tag, files):
    """The text of every C source and header of the module at `tag`, comments removed."""
    names = extract.git(repo, "ls-tree", "-r", "--name-only", tag).splitlines()
    out = {}
    for path in names:
        if not path.endswith((".c", ".h")) or NOT_MODULE.search(path):
            continue
        if files and not re.search(files, path):
            continue
        text = extract.git(repo, "show", f"{tag}:{path}")
        out[path] = LINE_COMMENT.sub("", extract.COMMENT.sub("", text))
    return out


def extract_module(repo, tag, spec):
    """Directive and variable rows of one module version."""
    texts = read_tree(repo, tag, spec.get("files"))
    # Module definitions across the files: a command array may be in a file of its own.
    modules = {}
    for text in texts.values():
        for m in extract.MODULE.finditer(text):
            modules[m.group(2)] = (m.group(1), m.group(3))
    # Flag macros (`#define SPNEGO_NGX_CONF_FLAGS NGX_HTTP_MAIN_CONF|...`).
    defines = {}
    for text in texts.values():
        for m in DEFINE.finditer(text):
            defines[m.group(1)] = m.group(2).replace("\\", " ").replace("(", " ").replace(")", " ")
    directives, variables = [], []
    # Whether a command's arguments are compiled as scripts, read from all of the module's
    # files at once: a handler may call a compiling function of another file.
    compiles = extract.scripts("\n".join(texts.values()))

    def expand(expr, depth=0):
        out = []
        for f in extract.flags(expr):
            if f in defines and depth < 4:
                out.extend(expand(defines[f], depth + 1))
            else:
                out.append(f)
        return out

    def command(c, module, mtype):
        fl = expand(c.group(2))
        contexts = [short for flag, short in extract.CONTEXT_FLAGS.items() if flag in fl]
        args = []
        for f in fl:
            args.extend(extract.ARG_FLAGS.get(f, []))
        mt = mtype.removeprefix("NGX_").removesuffix("_MODULE").lower()
        if mt not in MODULE_TYPES or not contexts:
            # rtmp's modules: directives of a block gen does not judge.
            return
        directives.append(
            (c.group(1), module, mt, ",".join(contexts), ",".join(sorted(set(args), key=args.index)) or "0",
             "block" if "NGX_CONF_BLOCK" in fl else "simple", extract.SLOTS.get(c.group(3), "-"),
             "vars" if compiles(c.group(3), c.group(4)) else "-")
        )

    first = next(iter(modules.items()), (None, ("?", "?")))[1]
    for path, text in texts.items():
        for block in extract.COMMANDS.finditer(text):
            module, mtype = modules.get(block.group(1), first)
            found = 0
            for c in COMMAND.finditer(block.group(2)):
                command(c, module, mtype)
                found += 1
            entries = len(re.findall(r"\{\s*ngx_string\s*\(", block.group(2)))
            if entries != found:
                print(f"{spec['repo']}@{tag} {path}: read {found} of {entries} commands", file=sys.stderr)
        file_modules = [v for v in modules.values() if v[0] in text] or [first]
        module = file_modules[0][0]
        for block in VARIABLES.finditer(text):
            for v in VARIABLE.finditer(block.group(1)):
                kind = "prefix" if "_VAR_PREFIX" in v.group(2) else "exact"
                variables.append((v.group(1), kind, module))
        if "_add_variable(" in text:
            for _, name in extract.NAMED_STR.findall(text):
                variables.append((name, "exact", module))
    for path in spec.get("loose", []):
        text = extract.COMMENT.sub("", extract.git(repo, "show", f"{tag}:{path}"))
        module, mtype = first
        for c in COMMAND.finditer(text):
            command(c, module, mtype)
    return sorted(set(directives)), sorted(set(variables)), sorted(m for m, _ in modules.values())


def tags_of(spec):
    """The source versions each release's rows come from."""
    debian = [spec[r] for r in ("bookworm", "trixie") if spec.get(r)]
    union = sorted(set(debian + [spec["newest"]]))
    alpine = sorted(set(union + ([spec["alpine322"]] if spec.get("alpine322") else [])))
    out = OrderedDict()
    if spec["debian"]:
        for r in ("bookworm", "trixie"):
            if spec.get(r):
                out[r] = [spec[r]]
        # Ubuntu 24.04 packages what both Debian releases do.
        if spec.get("noble", True) and spec.get("bookworm") and spec.get("trixie"):
            out["noble"] = union
    if spec["alpine"]:
        out["alpine"] = alpine
    if spec.get("nginx_org"):
        out["nginx.org"] = union
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    mirrors = Path(sys.argv[1])
    out = Path(__file__).resolve().parents[2] / "data" / "nginx"
    directives, variables, modules = OrderedDict(), OrderedDict(), []
    for spec in MODULES:
        repo = str(mirrors / spec["repo"].replace("/", "+") / "repo")
        per_release = tags_of(spec)
        cache = {}
        names = set()
        for release, tags in per_release.items():
            for tag in tags:
                if tag not in cache:
                    cache[tag] = extract_module(repo, tag, spec)
                ds, vs, ms = cache[tag]
                names.update(ms)
                for d in ds:
                    directives.setdefault(d, [])
                    if release not in directives[d]:
                        directives[d].append(release)
                for v in vs:
                    variables.setdefault(v, [])
                    if release not in variables[v]:
                        variables[v].append(release)
        used = {d[1] for d in directives} | {v[2] for v in variables}
        source = " ".join(f"{r}={'+'.join(t)}" for r, t in per_release.items())
        for name in sorted(names & used):
            modules.append(
                (name, spec["so"], spec["debian"] or "-", spec["alpine"] or "-",
                 " ".join(per_release), " ".join(spec.get("needs", [])) or "-",
                 spec.get("variables", "table"),
                 f"{spec['repo']} {source}")
            )
    header = "# Generated by scripts/nginx-directives/modules.py from the modules' own source: do not edit.\n"
    order = {r: i for i, r in enumerate(RELEASES)}

    def releases(rs):
        return " ".join(sorted(rs, key=order.get))

    with open(out / "modules.tsv", "w") as f:
        f.write(header)
        f.write("# module\tso\tdebian package\talpine package\treleases\tneeds\tvariables\tsource\n")
        for row in sorted(set(modules)):
            f.write("\t".join(row) + "\n")
    with open(out / "modules-directives.tsv", "w") as f:
        f.write(header)
        f.write("# name\tmodule\tmodule type\tcontexts\targuments\tblock\tvalue\tvariables\treleases\n")
        for item, rs in sorted(directives.items()):
            f.write("\t".join(item) + "\t" + releases(rs) + "\n")
    with open(out / "modules-variables.tsv", "w") as f:
        f.write(header)
        f.write("# name\tkind\tmodule\treleases\n")
        for item, rs in sorted(variables.items()):
            f.write("\t".join(item) + "\t" + releases(rs) + "\n")


if __name__ == "__main__":
    main()
