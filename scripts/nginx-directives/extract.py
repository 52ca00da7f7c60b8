#!/usr/bin/env python3
"""Extracts nginx's directive and variable tables from nginx's own source, as data.

For each nginx version gen knows (the tags below), reads every module's `ngx_command_t`
array (name, `NGX_*_CONF` context flags, `NGX_CONF_*` argument flags) and the module type
of its `ngx_module_t`, and every `ngx_http_variable_t` / `ngx_stream_variable_t` array
(prefix variables such as `http_` keep their trailing `_` and are marked `prefix`). Writes
facts only, no nginx code:

    data/nginx/directives.tsv  name, module, module type, contexts, arguments, block,
                               value (the generic handler's check: flag, size...),
                               variables (`vars` when nginx compiles its arguments as
                               scripts, see `SCRIPT`; `-` when a `$` there is literal),
                               versions
    data/nginx/variables.tsv   name, kind (exact|changeable|prefix), module, versions

Usage (the git directory is nginx's public repository, e.g. the one `fetch github:nginx/nginx`
brings):

    scripts/nginx-directives/extract.py /work/.mirror/nginx+nginx/repo

A row lists the versions (`1.22 1.24 ...`) that have the directive with exactly that shape;
a directive whose shape changed between versions has one row per shape.
"""

import re
import subprocess
import sys
from collections import OrderedDict
from pathlib import Path

# The nginx each base image gen knows installs: Debian 12 (1.22), Ubuntu 24.04 (1.24),
# Alpine 3.20/3.21 (1.26), Alpine 3.22 and nginx:stable (1.28), nginx:mainline (1.29).
TAGS = OrderedDict(
    [
        ("1.22", "release-1.22.1"),
        ("1.24", "release-1.24.0"),
        ("1.26", "release-1.26.3"),
        ("1.28", "release-1.28.0"),
        ("1.29", "release-1.29.8"),
    ]
)

# Sources that are not built on Linux.
SKIP = re.compile(r"src/os/win32/|ngx_(kqueue|devpoll|eventport|iocp|win32_\w+|select|poll)_module\.c$")

CONTEXT_FLAGS = OrderedDict(
    [
        ("NGX_MAIN_CONF", "main"),
        ("NGX_DIRECT_CONF", "direct"),
        ("NGX_ANY_CONF", "any"),
        ("NGX_EVENT_CONF", "event"),
        ("NGX_HTTP_MAIN_CONF", "http"),
        ("NGX_HTTP_SRV_CONF", "srv"),
        ("NGX_HTTP_LOC_CONF", "loc"),
        ("NGX_HTTP_UPS_CONF", "ups"),
        ("NGX_HTTP_SIF_CONF", "sif"),
        ("NGX_HTTP_LIF_CONF", "lif"),
        ("NGX_HTTP_LMT_CONF", "lmt"),
        ("NGX_MAIL_MAIN_CONF", "mail"),
        ("NGX_MAIL_SRV_CONF", "msrv"),
        ("NGX_STREAM_MAIN_CONF", "stream"),
        ("NGX_STREAM_SRV_CONF", "ssrv"),
        ("NGX_STREAM_UPS_CONF", "sups"),
    ]
)

ARG_FLAGS = {
    "NGX_CONF_NOARGS": ["0"],
    "NGX_CONF_TAKE1": ["1"],
    "NGX_CONF_TAKE2": ["2"],
    "NGX_CONF_TAKE3": ["3"],
    "NGX_CONF_TAKE4": ["4"],
    "NGX_CONF_TAKE5": ["5"],
    "NGX_CONF_TAKE6": ["6"],
    "NGX_CONF_TAKE7": ["7"],
    "NGX_CONF_TAKE12": ["1", "2"],
    "NGX_CONF_TAKE13": ["1", "3"],
    "NGX_CONF_TAKE23": ["2", "3"],
    "NGX_CONF_TAKE123": ["1", "2", "3"],
    "NGX_CONF_TAKE1234": ["1", "2", "3", "4"],
    "NGX_CONF_FLAG": ["flag"],
    "NGX_CONF_1MORE": ["1+"],
    "NGX_CONF_2MORE": ["2+"],
    "NGX_CONF_ANY": ["any"],
}

COMMANDS = re.compile(r"ngx_command_t\s+(\w+)\[\]\s*=\s*\{(.*?)ngx_null_command", re.S)
# A command: name, flags, handler, and the field of the module's conf it sets, if any.
COMMAND = re.compile(
    r"\{\s*ngx_string\(\"([^\"]+)\"\)\s*,\s*([A-Z0-9_|\s]+?)\s*,\s*(\w+)\s*,"
    r"(?:\s*\w+\s*,\s*offsetof\(\s*\w+\s*,\s*([\w.]+)\s*\))?",
    re.S,
)

# Which directives' arguments nginx compiles as scripts, so that a `$name` in them must be
# a variable it knows (`unknown "name" variable` otherwise); elsewhere `$` is just a
# character (`perl_set`'s Perl code, `error_log`'s file, `ssl_password_file`). A directive
# compiles when its handler (or a function of the same file it calls) compiles a complex
# value or script, counts an argument's variables, or takes the index of a variable named
# by the config (not one it has just defined: `perl_set`, nor a fixed one: `memcached_pass`'s
# `$memcached_key`); or when a generic slot stores it in a field that the module compiles
# later, when it merges the location (`proxy_set_header`, `fastcgi_param`,
# `proxy_set_body`, `ssl_certificate`).
SCRIPT = re.compile(
    r"\bngx_(?:http|stream)_(?:compile_complex_value|script_compile|script_variables_count|"
    r"set_complex_value_slot|set_complex_value_zero_slot|set_complex_value_size_slot|set_predicate_slot)\b"
)
SCRIPT_SLOTS = {
    "ngx_http_set_complex_value_slot",
    "ngx_http_set_complex_value_zero_slot",
    "ngx_http_set_complex_value_size_slot",
    "ngx_http_set_predicate_slot",
    "ngx_http_upstream_bind_set_slot",
    "ngx_stream_set_complex_value_slot",
    "ngx_stream_set_complex_value_zero_slot",
    "ngx_stream_set_complex_value_size_slot",
    "ngx_stream_upstream_bind_set_slot",
}
INDEX = re.compile(r"\bngx_(?:http|stream)_get_variable_index\(\s*cf\s*,\s*(&?(?!&?ngx_)[\w\[\]]+)\s*\)")
ADD_VARIABLE_ARG = re.compile(r"_add_variable\(\s*cf\s*,\s*(&?[\w\[\]]+)")
FUNCTION = re.compile(r"^(\w+)\([^)]*\)\s*\n\{(.*?)\n\}", re.S | re.M)
CALL = re.compile(r"\b(\w+)\s*\(")


def scripts(text):
    """A function telling, for a command's handler and field, whether nginx compiles the
    command's arguments as scripts (see `SCRIPT`)."""
    funcs = {m.group(1): m.group(2) for m in FUNCTION.finditer(text)}

    def seeds(body):
        if SCRIPT.search(body):
            return True
        for m in INDEX.finditer(body):
            added = [a.start() for a in ADD_VARIABLE_ARG.finditer(body) if a.group(1) == m.group(1)]
            if not any(at < m.start() for at in added):
                return True
        return False

    compiling = {name for name, body in funcs.items() if seeds(body)}
    changed = True
    while changed:
        changed = False
        for name, body in funcs.items():
            if name not in compiling and any(c in compiling for c in CALL.findall(body)):
                compiling.add(name)
                changed = True
    compiling |= SCRIPT_SLOTS

    def compiles(handler, field):
        if handler in compiling:
            return True
        if not field:
            return False
        f = re.escape(field.split(".")[-1])
        return bool(
            re.search(r"\.(?:source|value)\s*=\s*&?[\w>.\-\[\]]*\b" + f + r"\b", text)
            or re.search(r"variables_count\([^;]*\b" + f + r"\b", text)
            or any(re.search(r"->" + f + r"->elts", b) and SCRIPT.search(b) for b in funcs.values())
        )

    return compiles
# The generic handlers whose value check gen repeats; other handlers are "-".
SLOTS = {
    "ngx_conf_set_flag_slot": "flag",
    "ngx_conf_set_size_slot": "size",
    "ngx_conf_set_off_slot": "offset",
    "ngx_conf_set_msec_slot": "msec",
    "ngx_conf_set_sec_slot": "sec",
    "ngx_conf_set_num_slot": "num",
}
MODULE = re.compile(
    r"ngx_module_t\s+(\w+)\s*=\s*\{\s*NGX_MODULE_V1\s*,\s*&?\w+\s*,[^,]*?\s*(\w+)\s*,[^,]*?\s*(NGX_\w+_MODULE)\s*,",
    re.S,
)
VARIABLES = re.compile(r"ngx_(?:http|stream)_variable_t\s+\w+\[\]\s*=\s*\{(.*?)ngx_(?:http|stream)_null_variable", re.S)
VARIABLE = re.compile(r"\{\s*ngx_string\(\"([^\"]+)\"\)(.*?)\}", re.S)
# Variables modules add one by one (`ngx_http_add_variable(cf, &ngx_http_userid_got, ...)`):
# the string and the call with its flags.
NAMED_STR = re.compile(r"static\s+ngx_str_t\s+(\w+)\s*=\s*ngx_string\(\"([a-z0-9_]+)\"\)")
ADD_VARIABLE = re.compile(r"_add_variable\(\s*cf\s*,\s*&(\w+)\s*,\s*([^;]*?)\);", re.S)
COMMENT = re.compile(r"/\*.*?\*/", re.S)


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout


def flags(expr):
    return [f.strip() for f in expr.split("|") if f.strip()]


def kind(flags):
    """A variable's kind from its flags: a prefix (`http_`), one that `set`, `map` or a
    named capture may define again (`NGX_HTTP_VAR_CHANGEABLE`: `args`, `limit_rate`), or
    one they may not (nginx: `the duplicate "host" variable`)."""
    if "_VAR_PREFIX" in flags:
        return "prefix"
    return "changeable" if "_VAR_CHANGEABLE" in flags else "exact"


def extract(repo, tag):
    directives = []
    variables = []
    files = [f for f in git(repo, "ls-tree", "-r", "--name-only", tag, "src").splitlines() if f.endswith(".c")]
    for path in files:
        if SKIP.search(path):
            continue
        text = COMMENT.sub("", git(repo, "show", f"{tag}:{path}"))
        modules = {m.group(2): (m.group(1), m.group(3)) for m in MODULE.finditer(text)}
        compiles = scripts(text)
        for block in COMMANDS.finditer(text):
            module, mtype = modules.get(block.group(1), ("?", "?"))
            for c in COMMAND.finditer(block.group(2)):
                fl = flags(c.group(2))
                contexts = [short for flag, short in CONTEXT_FLAGS.items() if flag in fl]
                args = []
                for f in fl:
                    args.extend(ARG_FLAGS.get(f, []))
                block_flag = "block" if "NGX_CONF_BLOCK" in fl else "simple"
                directives.append(
                    (c.group(1), module, mtype.removeprefix("NGX_").removesuffix("_MODULE").lower(),
                     ",".join(contexts), ",".join(args) or "0", block_flag, SLOTS.get(c.group(3), "-"),
                     "vars" if compiles(c.group(3), c.group(4)) else "-")
                )
        module = next(iter(modules.values()), (Path(path).stem, "?"))[0]
        for block in VARIABLES.finditer(text):
            for v in VARIABLE.finditer(block.group(1)):
                variables.append((v.group(1), kind(v.group(2)), module))
        if "_add_variable(" in text:
            added = {m.group(1): m.group(2) for m in ADD_VARIABLE.finditer(text)}
            for ident, name in NAMED_STR.findall(text):
                variables.append((name, kind(added.get(ident, "")), module))
    return directives, variables


def merge(per_version):
    rows = OrderedDict()
    for version, items in per_version.items():
        for item in items:
            rows.setdefault(item, [])
            if version not in rows[item]:
                rows[item].append(version)
    return sorted(rows.items())


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    repo = sys.argv[1]
    out = Path(__file__).resolve().parents[2] / "data" / "nginx"
    out.mkdir(parents=True, exist_ok=True)
    directives, variables = OrderedDict(), OrderedDict()
    for version, tag in TAGS.items():
        directives[version], variables[version] = extract(repo, tag)
    header = "# Generated by scripts/nginx-directives/extract.py from nginx's source ({}): do not edit.\n".format(
        ", ".join(TAGS.values())
    )
    with open(out / "directives.tsv", "w") as f:
        f.write(header)
        f.write("# name\tmodule\tmodule type\tcontexts\targuments\tblock\tvalue\tvariables\tversions\n")
        for item, versions in merge(directives):
            f.write("\t".join(item) + "\t" + " ".join(versions) + "\n")
    with open(out / "variables.tsv", "w") as f:
        f.write(header)
        f.write("# name\tkind\tmodule\tversions\n")
        for item, versions in merge(variables):
            f.write("\t".join(item) + "\t" + " ".join(versions) + "\n")


if __name__ == "__main__":
    main()
