"""The nginx oracle: real `nginx -t` and `gen check` on the same configs.

Accepted base configs (written here for the purpose) are mutated the ways users break
theirs: a directive name with a typo, a `;` dropped, a directive moved to another block, a
bad value, a regular expression PCRE2 does not compile (or one it does), an `if`
condition nginx cannot read (or one it can), a variable nobody defines, a capture or `set`
or `map` variable named like one of nginx's own (or like one it may define again). Each
config is checked by Debian's nginx
(`nginx -t` with a temporary prefix and error log and the config given with `-c`; `-t`
writes no pid file and starts nothing) and by
`gen check` on a container directory whose Dockerfile installs Debian 12's nginx and copies
the config to /etc/nginx/nginx.conf, with only gen's load-time rules selected.

Agreement, per config: nginx rejects it and gen reports its errors at nginx's line only
(or at the line the mutation touched, where a missing `;` belongs): one mutation, one root
cause, one finding; or nginx accepts it and gen reports no error. nginx names no line for
an unknown variable: then any gen error agrees.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# gen's rules that judge what nginx judges when it loads the config.
LOAD_RULES = "PRS001,NGX010,NGX011,NGX012,NGX013,NGX014"

DOCKERFILE = """FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends nginx
COPY nginx.conf /etc/nginx/nginx.conf
CMD ["nginx", "-g", "daemon off;"]
"""

# Accepted configs, each a different shape: gen's reverse proxy, a static site with regex
# locations and captures, an upstream with a map, and the main-context directives, and one
# with a regular expression in every place nginx compiles one and `if`s of every kind.
BASES: dict[str, str] = {
    "proxy": """\
user www-data;
worker_processes auto;
worker_rlimit_nofile 2048;

events {
    worker_connections 1024;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    server_tokens off;
    access_log /dev/stdout;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65s;
    client_max_body_size 1m;

    upstream app {
        server 127.0.0.1:8000;
        keepalive 16;
    }

    server {
        listen 80 default_server;
        server_name _;

        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_connect_timeout 5;
        proxy_read_timeout 60;

        location = /healthz {
            access_log off;
            return 200 "ok";
        }

        location / {
            proxy_pass http://app;
        }
    }
}
""",
    "static": """\
events {
}

http {
    include /etc/nginx/mime.types;
    gzip on;
    gzip_types text/css application/javascript;

    server {
        listen 8080;
        server_name ~^(?<site>[a-z]+)\\.example\\.com$;
        root /srv/www;
        index index.html;

        location /assets/ {
            alias /srv/assets/;
            expires 7d;
            add_header Cache-Control "public";
        }

        location ~ ^/users/(?<user>[0-9]+)$ {
            try_files /users/$user.html =404;
        }

        location / {
            if ($request_method = POST) {
                return 405;
            }
            try_files $uri $uri/ /index.html;
        }

        error_page 404 /404.html;
    }
}
""",
    "map": """\
worker_processes 2;

events {
    worker_connections 512;
    multi_accept on;
}

http {
    map $http_upgrade $connection_upgrade {
        default upgrade;
        '' close;
    }

    limit_req_zone $binary_remote_addr zone=per_ip:10m rate=10r/s;

    server {
        listen 127.0.0.1:8081;
        client_body_timeout 30s;
        set $backend http://127.0.0.1:3000;

        location /ws {
            proxy_pass http://127.0.0.1:3000;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 1h;
        }

        location /api/ {
            limit_req zone=per_ip burst=20 nodelay;
            proxy_pass $backend;
            proxy_set_header X-Page $arg_page;
            proxy_buffering off;
        }
    }
}
""",
    "regex": """\
events {
}

http {
    map $http_user_agent $is_bot {
        default 0;
        "~*(googlebot|bingbot)" 1;
        ~^curl/ 2;
    }

    map $request_uri $page {
        default "";
        ~^/page/(?<num>\\d+)$ $num;
    }

    server {
        listen 8082;
        server_name ~^(?<tenant>[a-z0-9-]+)\\.example\\.org$ www.example.org;
        gzip on;
        gzip_disable "MSIE [1-6]\\.";

        location ~ ^/api/v(?<ver>[0-9]+)/ {
            proxy_pass http://127.0.0.1:9000;
            proxy_redirect ~^http://127\\.0\\.0\\.1:9000/(.*)$ /$1;
            proxy_cookie_path ~*^/internal(/.*)?$ /app$1;
            proxy_cookie_domain ~\\.internal$ example.org;
            proxy_set_header X-Api-Version $ver;
            proxy_set_header X-Tenant $tenant;
        }

        location ~* "(?<=/img/)[a-z0-9_]++\\.(?:png|jpe?g|gif)$" {
            valid_referers none blocked server_names ~\\.example\\.org$;
            if ($invalid_referer) {
                return 403;
            }
            root /srv/img;
        }

        location ~ \\.php$ {
            fastcgi_split_path_info ^(.+?\\.php)(/.*)$;
            fastcgi_pass 127.0.0.1:9001;
            fastcgi_param PATH_INFO $fastcgi_path_info;
        }

        location / {
            if ($http_x_mode ~* "^(?i)debug|trace$") {
                return 403;
            }
            if ($request_uri !~ "^/(?:healthz|readyz)$") {
                set $log_me 1;
            }
            if (!-f $request_filename) {
                rewrite "^/old/(?<rest>.*)$" /new/$rest permanent;
            }
            if ($args ~ (^|&)debug=1) {
                return 400;
            }
            return 200 "$is_bot $page $num $log_me";
        }
    }
}
""",
}

VALUE_SWAPS = [
    ("1m;", "1mb;"),
    ("65s;", "65sec;"),
    ("sendfile on;", "sendfile yes;"),
    ("gzip on;", "gzip enabled;"),
    ("listen 80 default_server;", "listen 80 defualt_server;"),
    ("listen 8080;", "listen 80800;"),
    ("$request_method = POST", "$request_method == POST"),
    ("proxy_buffering off;", "proxy_buffering of;"),
    ("worker_connections 512;", "worker_connections 5x2;"),
    ("client_body_timeout 30s;", "client_body_timeout 30 s;"),
    ("expires 7d;", "expires 7 days;"),
    # `none`/`blocked` need a referer matched by name; a regular expression is not one.
    ("location = /healthz {", "location = /healthz {\n            valid_referers none blocked ~\\.example\\.com$;"),
    ("location = /healthz {", "location = /healthz {\n            valid_referers blocked;"),
    ("location = /healthz {", "location = /healthz {\n            valid_referers none blocked server_names ~\\.example\\.com$;"),
    ("location = /healthz {", "location = /healthz {\n            valid_referers none example.com;"),
    ("        location / {\n            proxy_pass", "        location / {\n            root /srv;\n            alias /srv/;\n            proxy_pass"),
    ("        location / {\n            if", "        location /assets/ {\n        }\n        location / {\n            if"),
]

VARIABLE_SWAPS = [
    ("$host;", "$hots;"),
    ("$remote_addr;", "$remote_address;"),
    ("/users/$user.html", "/users/$usr.html"),
    ("$connection_upgrade;", "$connection_upgrad;"),
    ("$arg_page;", "$args_page;"),
    ("proxy_pass $backend;", "proxy_pass $backnd;"),
    ("~^curl/ 2;", "~^curl/ $curl_version;"),
]

# `$` in arguments nginx does not compile as scripts (its file names, header names, URIs
# of subrequests: a `$` there is a character, nginx accepts an unknown name), and in some it
# does (`log_format`, `sub_filter`, `access_log`'s path), where it refuses one.
LITERAL_SWAPS = [
    ("access_log /dev/stdout;", "access_log /dev/stdout;\n    error_log logs/error-$undefined.log;"),
    ("default_type application/octet-stream;", "default_type application/$undefined;"),
    ("proxy_pass http://app;", "proxy_pass http://app;\n            proxy_pass_header X-$undefined;\n            proxy_hide_header X-$undefined;"),
    ("location = /healthz {", "location = /healthz {\n            mirror /mirror$undefined;"),
    ("location / {\n            proxy_pass", "location / {\n            auth_request /auth$undefined;\n            post_action /done$undefined;\n            proxy_pass"),
    ('add_header Cache-Control "public";', 'add_header Cache-Control "public";\n            add_before_body /head$undefined.html;\n            add_after_body /foot$undefined.html;'),
    ("gzip_types text/css application/javascript;", "gzip_types text/css application/$undefined;"),
    ("access_log /dev/stdout;", "access_log /dev/stdout;\n    log_format main '$remote_addr $undefined';"),
    ('add_header Cache-Control "public";', 'add_header Cache-Control "public";\n            sub_filter old $undefined;'),
    ("access_log /dev/stdout;", "access_log logs/access-$undefined.log;"),
    # A header's or parameter's name is copied as it is; its value is a script.
    ('add_header Cache-Control "public";', 'add_header Cache-Control "public";\n            add_header X-$undefined "1" always;\n            add_trailer X-$undefined "1";'),
    ("proxy_pass http://app;", "proxy_pass http://app;\n            proxy_set_header X-$undefined 1;\n            grpc_set_header X-$undefined 1;\n            fastcgi_param X_$undefined 1;\n            uwsgi_param X_$undefined 1;\n            scgi_param X_$undefined 1;"),
    ('add_header Cache-Control "public";', 'add_header Cache-Control "public";\n            add_header X-Undefined $undefined;'),
    # A key no certificate pairs with is never compiled.
    ("listen 80 default_server;", "listen 80 default_server;\n        ssl_certificate_key /etc/ssl/$undefined.key;"),
]

# Variables the config defines (a named capture, `set`, `map`) with the name of one of
# nginx's own (`the duplicate "host" variable`), or with a name nginx lets it define again
# (a `set` or `map` variable, `$args`, a `$http_` prefix): each a set of replacements made
# together, so that what reads the variable follows its new name.
CAPTURE_SWAPS = [
    [("(?<site>", "(?<host>")],
    [("(?<site>", "(?<Server_Addr>")],
    [("(?<site>", "(?<http_x_site>")],
    [("(?<user>", "(?<args>"), ("/users/$user.html", "/users/$args.html")],
    [("(?<user>", "(?<uri>"), ("/users/$user.html", "/users/$uri.html")],
    [("~^/page/(?<num>\\d+)$ $num;", "~^/page/(?<Request_URI>\\d+)$ $Request_URI;")],
    [("(?<tenant>", "(?<server_name>"), ("X-Tenant $tenant;", "X-Tenant $server_name;")],
    [("(?<ver>", "(?<status>"), ("X-Api-Version $ver;", "X-Api-Version $status;")],
    [("(?<ver>", "(?<is_bot>"), ("X-Api-Version $ver;", "X-Api-Version $is_bot;")],
    [("(?<rest>", "(?<log_me>"), ("/new/$rest", "/new/$log_me")],
    [("(?<rest>", "(?<limit_rate>"), ("/new/$rest", "/new/$limit_rate")],
    [("if ($http_x_mode ~* \"^(?i)debug|trace$\")", "if ($http_x_mode ~* \"^(?<remote_port>debug)|trace$\")")],
    [("set $backend http", "set $host http")],
    [("map $http_upgrade $connection_upgrade {", "map $http_upgrade $scheme {"), ("Connection $connection_upgrade;", "Connection $scheme;")],
    [("map $http_upgrade $connection_upgrade {", "map $http_upgrade $page {"), ("Connection $connection_upgrade;", "Connection $page;")],
]

# Regular expressions broken (nginx refuses them: PCRE2 does not compile them, or a
# directive wants what they lack) or changed to others PCRE2 accepts (lookbehind, possessive
# and atomic groups, inline options, named groups of the three syntaxes, `\K`, Unicode
# properties), which must get no error.
REGEX_SWAPS = [
    ('"~*(googlebot|bingbot)"', '"~*(googlebot|bingbot"'),
    ("~^curl/ 2;", "~^curl/[ 2;"),
    ("~^curl/ 2;", "~^(?|(curl)|(wget))/ 2;"),
    ("~^curl/ 2;", "~^curl/\\K 2;"),
    ("(?<num>\\d+)$", "(?<num>\\d+$"),
    ("(?<num>\\d+)$", "(?P<num>\\d+)$"),
    # A `{` in a pattern needs quotes (unquoted, it opens a block: gen's PRS001).
    ("~^/page/(?<num>\\d+)$ $num;", "\"~^/page/(?'num'\\d{1,})$\" $num;"),
    ("~^/page/(?<num>\\d+)$ $num;", "\"~^/page/(?<num>\\d{3,1})$\" $num;"),
    ("~^/page/(?<num>\\d+)$ $num;", "~^/page/(?<num>\\d+)$ ^/x/$num$;"),
    ("~^/page/(?<num>\\d+)$ $num;", "~^/page/(?<num>\\d+)$ ${num;"),
    ("(?<tenant>[a-z0-9-]+)", "(?<tenant>[z-a]+)"),
    ("(?<tenant>[a-z0-9-]+)", "(?<tenant>[[:alnum:]-]+)"),
    ("(?<tenant>[a-z0-9-]+)", "(?<tenant>[a-z0-9-]+"),
    ('"MSIE [1-6]\\."', '"MSIE [1-6\\."'),
    ('"MSIE [1-6]\\."', '"MSIE (?<!Opera )[1-6]\\."'),
    ("^/api/v(?<ver>[0-9]+)/", "^/api/v(?<ver>[0-9]+/"),
    ("^/api/v(?<ver>[0-9]+)/", "\"^/api/v(?<ver>\\p{Nd}+)/\""),
    ("^/api/v(?<ver>[0-9]+)/", "\"^/api/v(?<ver>\\p{Nd+)/\""),
    ("^/api/v(?<ver>[0-9]+)/", "^/api/v(?<ver>[0-9]+)/)"),
    ("(.*)$ /$1;", "(.*$ /$1;"),
    ("(.*)$ /$1;", "(.*+)$ /$1;"),
    ("~*^/internal(/.*)?$", "~*^/internal(/.*?$"),
    ("~*^/internal(/.*)?$", "~^/internal(/.*)??$"),
    ("~\\.internal$", "~*\\.internal$"),
    ("~\\.internal$", "~(?i)\\.INTERNAL$"),
    ("(?<=/img/)", "(?<=/img/+)"),
    ("(?<=/img/)", "(?<!/tmp/)"),
    ("[a-z0-9_]++", "[a-z0-9_]+++"),
    ("[a-z0-9_]++", "[a-z0-9_]*+"),
    ("~\\.example\\.org$;", "~\\.example\\.org$);"),
    ("~\\.example\\.org$;", "~;"),
    ("^(.+?\\.php)(/.*)$", "^(.+?\\.php)/.*$"),
    ("^(.+?\\.php)(/.*)$", "^(.+?\\.php)(/.*$"),
    ("^(.+?\\.php)(/.*)$", "^(?<script>.+?\\.php)(?<info>/.*)$"),
    ('"^(?i)debug|trace$"', '"^(?i)debug|trace$("'),
    ('"^(?i)debug|trace$"', '"^(?i:debug|trace)$"'),
    ('"^/(?:healthz|readyz)$"', '"^/(?:healthz|readyz$"'),
    ('"^/(?:healthz|readyz)$"', '"^/(?>healthz|readyz)\\z"'),
    ('"^/old/(?<rest>.*)$"', '"^/old/(?<rest>.*)$)"'),
    ('"^/old/(?<rest>.*)$"', '"^/old/(?<1rest>.*)$"'),
    ("(^|&)debug=1)", "(^|&debug=1)"),
    ("(^|&)debug=1)", "(^|&)debug=1))"),
    ("(^|&)debug=1)", "(?<![a-z])debug=1)"),
    ("location ~ \\.php$", "location ~ \\.php$\\"),
    ("location ~ \\.php$", "location ~ \\.php$\\\\"),
    ("location ~ \\.php$", "location ~* \\.PHP\\b"),
    ("location ~ \\.php$", "location ~ \\.php$ {\n        }\n        location ~ \\.(?:php$"),
    ("location ~ \\.php$", "location php \\.php$"),
    ("rewrite \"^/old/(?<rest>.*)$\" /new/$rest", "rewrite \"^/old/(?<rest>.*)$\" \"\""),
]

# A `{` quantifier in an unquoted regular expression: nginx's token reader ends the word at
# `{` and opens a block there, so nginx stops at the line (an unknown directive `3}$` in a
# location, a block after `rewrite` or `server_name`, a condition cut short, a `{` in a
# `map`), not at the end of the file where the extra `{` shows. Quoted, each is accepted.
BRACE_SWAPS = [
    ("location ~ \\.php$", "location ~ ^/x/\\d{3}$"),
    ("location ~ \\.php$", "location ~ ^/x/\\d{3}"),
    ("location ~ \\.php$", "location ~ \"^/x/\\d{3}$\""),
    ("^/api/v(?<ver>[0-9]+)/", "^/api/v(?<ver>[0-9]{1,2})/"),
    ("^/api/v(?<ver>[0-9]+)/", "\"^/api/v(?<ver>[0-9]{1,2})/\""),
    ('"^/old/(?<rest>.*)$"', "^/old/(?<rest>.{2,})$"),
    ("(^|&)debug=1)", "^debug={1}$)"),
    ("(^|&)debug=1)", "\"^debug={1}$\")"),
    ("~^curl/ 2;", "~^curl/{1,2} 2;"),
    ("(?<tenant>[a-z0-9-]+)", "(?<tenant>[a-z0-9-]{1,63})"),
    ("^(.+?\\.php)(/.*)$", "^(.{1,}?\\.php)(/.*)$"),
    ("~*^/internal(/.*)?$", "~*^/internal(/.*){0,1}$"),
]

# `if` conditions as nginx reads them: no parentheses, bad operators and file tests, too
# many or too few words, quotes; and spellings nginx accepts.
CONDITION_SWAPS = [
    ("if ($invalid_referer) {", "if $invalid_referer {"),
    ("if ($invalid_referer) {", "if ($invalid_referer {"),
    ("if ($invalid_referer) {", "if $invalid_referer) {"),
    ("if ($invalid_referer) {", "if ( $invalid_referer ) {"),
    ("if ($invalid_referer) {", "if ($invalid_referer)) {"),
    ("if ($invalid_referer) {", "if () {"),
    ("if ($invalid_referer) {", "if (\"$invalid_referer\") {"),
    ("if ($invalid_referer) {", "if (invalid_referer) {"),
    ("if ($invalid_referer) {", "if ($) {"),
    ("if ($invalid_referer) {", "if ($invalid_referer) x {"),
    ("if ($invalid_referer) {", "if ($invalid_referer # a comment\n) {"),
    ("if (!-f $request_filename)", "if (!-F $request_filename)"),
    ("if (!-f $request_filename)", "if (! -f $request_filename)"),
    ("if (!-f $request_filename)", "if (-f)"),
    ("if (!-f $request_filename)", "if (-e $request_filename $uri)"),
    ("if (!-f $request_filename)", "if (-x $request_filename)"),
    ("if (!-f $request_filename)", "if (!-d $request_filename)"),
    ("if (!-f $request_filename)", "if (-fd $request_filename)"),
    ("if ($request_uri !~ ", "if ($request_uri ~! "),
    ("if ($request_uri !~ ", "if ($request_uri =~ "),
    ("if ($request_uri !~ ", "if ($request_uri !~* "),
    ("if ($http_x_mode ~* ", "if ($http_x_mode ~** "),
    ("if ($http_x_mode ~* ", "if ($http_x_mode ~ "),
    ("if ($http_x_mode ~* ", "if ($http_x_mode "),
    ("if ($args ~ ", "if (args ~ "),
    ("if ($args ~ ", "if ($args ~ a "),
    ("if ($args ~ ", "if ($args = "),
    ("if ($args ~ ", "if ($args ~"),
    ("$request_method = POST", "$request_method = POST extra"),
    ("$request_method = POST", "$request_method = \"POST\""),
    ("$request_method = POST", "$request_method != 'POST'"),
    ("$request_method = POST", "$request_method="),
    ("$request_method = POST", "$request_method=POST"),
    ("$request_method = POST", "$request_method ="),
    ("$request_method = POST", "$request_method"),
]

NAME = re.compile(r"^(\s*)([a-z_][a-z0-9_]*)(\s)", re.M)


@dataclass
class Case:
    kind: str
    base: str
    text: str
    # The 1-based line the mutation touched.
    line: int
    what: str


@dataclass
class Verdict:
    case: Case
    nginx_ok: bool
    nginx_line: int | None
    nginx_message: str
    gen_lines: list[int] = field(default_factory=list)
    gen_messages: list[str] = field(default_factory=list)
    # The mutation is one root cause: gen reports nothing but nginx's error.
    single: bool = True

    @property
    def agrees(self) -> bool:
        if self.nginx_ok:
            return not self.gen_lines
        if not self.gen_lines:
            return False
        if self.nginx_line is None:
            return True
        # nginx stops at its first error: gen's first is at nginx's line, or, for a dropped
        # `;`, at the line where it belongs. A mutation that is one root cause gets no other
        # gen error (`single`); one that breaks many directives at once (a module not
        # loaded) may get one for each, after nginx's.
        allowed = {self.nginx_line}
        if self.case.kind == "semicolon":
            allowed.add(self.case.line)
        if self.single:
            return all(line in allowed for line in self.gen_lines)
        return min(self.gen_lines) in allowed


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _typo(name: str) -> list[str]:
    out = []
    if len(name) > 4:
        out.append(name[:-1])  # a letter dropped at the end
        i = len(name) // 2
        out.append(name[:i] + name[i + 1] + name[i] + name[i + 2 :])  # two letters swapped
    return out


def mutations() -> list[Case]:
    cases: list[Case] = []
    for base, text in BASES.items():
        cases.append(Case("accepted", base, text, 0, "the base config"))
        lines = text.split("\n")
        # Typos in directive names.
        for m in NAME.finditer(text):
            for typo in _typo(m.group(2)):
                if typo == m.group(2):
                    continue
                mutated = text[: m.start(2)] + typo + text[m.end(2) :]
                cases.append(Case("typo", base, mutated, _line_at(text, m.start(2)), f"{m.group(2)} -> {typo}"))
        # Dropped `;` at the end of a line.
        for i, line in enumerate(lines):
            if line.rstrip().endswith(";"):
                mutated = "\n".join(lines[:i] + [line.rstrip()[:-1]] + lines[i + 1 :])
                cases.append(Case("semicolon", base, mutated, i + 1, f"`;` dropped: {line.strip()}"))
        # A simple directive moved into the main context, `events`, `http` or a location.
        simple = [i for i, l in enumerate(lines) if l.rstrip().endswith(";") and "{" not in l and "}" not in l]
        openers = [i for i, l in enumerate(lines) if l.rstrip().endswith("{")]
        for i in simple:
            for target in [-1] + openers[:3]:
                if target == i - 1 or target == i:
                    continue
                moved = [l for k, l in enumerate(lines) if k != i]
                at = target + 1 if target < i else target
                moved.insert(at, lines[i].strip())
                cases.append(
                    Case("moved", base, "\n".join(moved), at + 1, f"{lines[i].strip()} moved after line {target + 1}")
                )
        for old, new in VALUE_SWAPS:
            if old in text:
                at = text.index(old)
                first = old.split("\n")[0]
                offset = at + len(first) + 1 if "\n" in old and first == new.split("\n")[0] else at
                cases.append(Case("value", base, text.replace(old, new, 1), _line_at(text, offset), f"{old!r} -> {new!r}"))
        for kind, swaps in (("regex", REGEX_SWAPS), ("if", CONDITION_SWAPS), ("brace", BRACE_SWAPS)):
            for old, new in swaps:
                if old in text:
                    at = text.index(old)
                    cases.append(Case(kind, base, text.replace(old, new, 1), _line_at(text, at), f"{old!r} -> {new!r}"))
        for old, new in LITERAL_SWAPS:
            if old in text:
                cases.append(
                    Case("literal", base, text.replace(old, new, 1), _line_at(text, text.index(old)), f"{old!r} -> {new!r}")
                )
        for swaps in CAPTURE_SWAPS:
            if all(old in text for old, _ in swaps):
                mutated = text
                for old, new in swaps:
                    mutated = mutated.replace(old, new, 1)
                first = swaps[0][0]
                what = "; ".join(f"{old!r} -> {new!r}" for old, new in swaps)
                cases.append(Case("capture", base, mutated, _line_at(text, text.index(first)), what))
        for old, new in VARIABLE_SWAPS:
            if old in text:
                cases.append(
                    Case("variable", base, text.replace(old, new, 1), _line_at(text, text.index(old)), f"{old} -> {new}")
                )
    return cases


NGINX_ERROR = re.compile(r"\[emerg\] (.*?)(?: in (\S+):(\d+))?$", re.M)


def nginx_t(nginx: str, conf: Path, tmp: Path) -> tuple[bool, int | None, str]:
    """`nginx -t` on `conf`: whether it accepts it, and the line and message of its error."""
    run = subprocess.run(
        [nginx, "-t", "-q", "-e", str(tmp / "error.log"), "-p", str(tmp) + "/", "-c", str(conf)],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    if run.returncode == 0:
        return True, None, ""
    m = NGINX_ERROR.search(run.stderr)
    if m is None:
        return False, None, run.stderr.strip()
    line = int(m.group(3)) if m.group(3) and Path(m.group(2)).resolve() == conf.resolve() else None
    return False, line, m.group(1)


def gen_check(gen: Path, dirs: list[Path]) -> dict[Path, list[tuple[int, str]]]:
    """gen's load-time errors for each container directory: (line, message) in nginx.conf."""
    run = subprocess.run(
        [str(gen), "check", *map(str, dirs), "--select", LOAD_RULES, "--format", "json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if run.returncode not in (0, 1):
        raise RuntimeError(f"gen check failed ({run.returncode}): {run.stderr}")
    out: dict[Path, list[tuple[int, str]]] = {d: [] for d in dirs}
    for d in json.loads(run.stdout)["diagnostics"]:
        if d["severity"] != "error":
            continue
        path = Path(d["file"])
        for k in out:
            if path == k / "nginx.conf":
                out[k].append((d["line"], f"{d['code']} {d['message']}"))
    return out


def run_oracle(nginx: str, gen: Path, cases: list[Case]) -> list[Verdict]:
    verdicts: list[Verdict] = []
    with tempfile.TemporaryDirectory(prefix="gen-nginx-oracle-") as tmp_name:
        tmp = Path(tmp_name)
        dirs = []
        for i, case in enumerate(cases):
            d = tmp / f"c{i:04}"
            (d / "prefix" / "logs").mkdir(parents=True)
            (d / "nginx.conf").write_text(case.text)
            (d / "Dockerfile").write_text(DOCKERFILE)
            ok, line, message = nginx_t(nginx, d / "nginx.conf", d / "prefix")
            verdicts.append(Verdict(case, ok, line, message))
            dirs.append(d)
        found: dict[Path, list[tuple[int, str]]] = {}
        for start in range(0, len(dirs), 200):
            found.update(gen_check(gen, dirs[start : start + 200]))
        for d, v in zip(dirs, verdicts):
            v.gen_lines = [line for line, _ in found[d]]
            v.gen_messages = [msg for _, msg in found[d]]
    return verdicts


def corpus_configs(root: Path) -> list[Path]:
    """The corpus's main configs: files with an `events` block at the top."""
    out = []
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.suffix in (".json", ".bz2", ".md"):
            continue
        try:
            text = p.read_text()
        except (UnicodeDecodeError, OSError):
            continue
        if re.search(r"^events\s*\{", text, re.M):
            out.append(p)
    return out


def summary(verdicts: list[Verdict]) -> dict[str, tuple[int, int]]:
    """Per kind: (agreeing, total)."""
    out: dict[str, tuple[int, int]] = {}
    for v in verdicts:
        ok, total = out.get(v.case.kind, (0, 0))
        out[v.case.kind] = (ok + int(v.agrees), total + 1)
    return out


def describe(v: Verdict) -> str:
    nginx = "accepts" if v.nginx_ok else f"rejects at line {v.nginx_line}: {v.nginx_message}"
    gen = "; ".join(f"{line}: {m}" for line, m in zip(v.gen_lines, v.gen_messages)) or "no error"
    return f"[{v.case.kind}] {v.case.base}: {v.case.what} (line {v.case.line})\n    nginx {nginx}\n    gen {gen}"
