//! Suppression comments read with the comment syntax of the role a file plays, and lexed so
//! that code that looks like a comment marker does not hide a real one.

use crate::harness::gen_in;
use std::fs;
use std::path::Path;

/// Writes `files` (relative path, text) under `dir`.
fn write_all(dir: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
}

const GUNICORN_DOCKERFILE: &str = "FROM debian:12
RUN apt-get update \\
    && apt-get install -y --no-install-recommends nginx supervisor python3 python3-venv \\
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default
RUN python3 -m venv /opt/venv \\
    && /opt/venv/bin/pip install --no-cache-dir fastapi==0.163.2 gunicorn==23.0.0 uvicorn==0.54.0
WORKDIR /srv
COPY *.py ./
COPY site.conf /etc/nginx/conf.d/site.conf
COPY app.conf /etc/supervisor/conf.d/app.conf
EXPOSE 80
CMD [\"/usr/bin/supervisord\", \"-n\", \"-c\", \"/etc/supervisor/supervisord.conf\"]
";

const SITE_CONF: &str = "server {
    listen 80;
    location / {
        proxy_pass http://127.0.0.1:8000;
    }
}
";

#[test]
fn semicolon_comment_in_a_supervisord_program_file_named_app_conf_suppresses() {
    let ws = tempfile::tempdir().expect("tempdir");
    let app_conf = "[program:nginx]
command=/usr/sbin/nginx -g \"daemon off;\"

[program:app]
; gen: ignore[NET001]
command=/opt/venv/bin/gunicorn main:app -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:8000
directory=/srv
";
    write_all(
        &ws.path().join("web"),
        &[
            ("Dockerfile", GUNICORN_DOCKERFILE),
            ("app.conf", app_conf),
            ("site.conf", SITE_CONF),
            (
                "main.py",
                "from fastapi import FastAPI\n\napp = FastAPI()\n",
            ),
        ],
    );
    let run = gen_in(ws.path(), &["check", "web", "--select", "NET001,GEN002"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            0,
            "",
            "no problems in 1 container (1 allowed by suppression comment)\n"
        )
    );
}

#[test]
fn regex_literal_with_slashes_does_not_hide_a_later_js_suppression_comment() {
    let ws = tempfile::tempdir().expect("tempdir");
    write_all(
        &ws.path().join("web"),
        &[
            (
                "supervisord.conf",
                "[supervisord]\nnodaemon=true\n\n[program:nginx]\ncommand=nginx -g \"daemon off;\"\n\n[program:app]\ncommand=node /app/app.js\n",
            ),
            (
                "nginx.conf",
                "events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n            proxy_pass http://127.0.0.1:3000;\n        }\n    }\n}\n",
            ),
            (
                "app.js",
                "const express = require(\"express\");\nconst app = express();\nconst trimmed = \"/a/\".replace(/\\//g, \"\"); app.listen(3000); // gen: ignore[NET001]\n",
            ),
        ],
    );
    let run = gen_in(ws.path(), &["check", "web", "--select", "NET001,GEN002"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            0,
            "",
            "no problems in 1 container (1 allowed by suppression comment)\n"
        )
    );
}

#[test]
fn file_wide_comment_allows_a_rule_in_the_whole_file_only() {
    let ws = tempfile::tempdir().expect("tempdir");
    let app_conf = "; gen: ignore-file[app-bound-to-all-interfaces]
[program:nginx]
command=/usr/sbin/nginx -g \"daemon off;\"

[program:app]
command=/opt/venv/bin/gunicorn main:app -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:8000
directory=/srv
";
    write_all(
        &ws.path().join("web"),
        &[
            ("Dockerfile", GUNICORN_DOCKERFILE),
            ("app.conf", app_conf),
            ("site.conf", SITE_CONF),
            (
                "main.py",
                "from fastapi import FastAPI\n\napp = FastAPI()\n",
            ),
        ],
    );
    let run = gen_in(
        ws.path(),
        &[
            "check",
            "web",
            "--select",
            "NET001,NGX001,GEN002",
            "--format",
            "concise",
        ],
    );
    // NET001 is allowed; NGX001, in another file and another rule, is not.
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            0,
            "web/site.conf:4:20: warning[NGX001] requests proxied here lack the `Host`, `X-Forwarded-For` and `X-Forwarded-Proto` headers\n",
            "1 warning in 1 container (1 allowed by suppression comment)\n1 fixable with `--fix --unsafe-fixes`\n"
        )
    );
}
