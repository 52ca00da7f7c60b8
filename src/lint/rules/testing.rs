//! Running one rule over an in-memory container directory, for the rules' unit tests.

use crate::diagnostic::Diagnostic;
use crate::lint::date::Date;
use crate::lint::{ContainerDir, Context, Rule, SourceFile};

/// The findings of `rule` on one container directory `c` holding `files` (relative path,
/// text), sorted as `gen check` sorts them.
pub fn findings(rule: &Rule, files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let mut ctx = Context::new(Date::new(2026, 11, 29).expect("a date"));
    let mut list: Vec<SourceFile> = files
        .iter()
        .map(|(rel, text)| SourceFile {
            rel: (*rel).to_owned(),
            path: format!("c/{rel}"),
            text: Some((*text).into()),
        })
        .collect();
    list.sort_by(|a, b| a.rel.cmp(&b.rel));
    ctx.containers.push(ContainerDir::new(
        "c".to_owned(),
        "c".to_owned(),
        None,
        list,
    ));
    let mut out = Vec::new();
    (rule.check)(&ctx, &mut out);
    out.sort_by(|a, b| {
        (&a.primary.file, a.primary.start, &a.message).cmp(&(
            &b.primary.file,
            b.primary.start,
            &b.message,
        ))
    });
    out
}

fn dir(name: &str, files: &[(&str, &str)]) -> ContainerDir {
    ContainerDir::from_texts(name, files)
}

/// Container directories in which every rule of the proc, log and path families finds
/// something, for the framework's every-rule test.
pub fn broken_containers() -> Vec<ContainerDir> {
    vec![
        // supervisord daemonizes and reads a config that is elsewhere, nginx forks, logs
        // rotate the console or stay in files, npm is stopped without its group, Redis
        // forks.
        dir(
            "proc-a",
            &[
                (
                    "Dockerfile",
                    "FROM ubuntu:24.04\nRUN apt-get install -y nginx supervisor nodejs npm\nCOPY s.conf /etc/supervisord.conf\nCOPY . /app/\nCMD [\"supervisord\", \"-c\", \"/etc/supervisor/conf.d/s.conf\"]\n",
                ),
                (
                    "s.conf",
                    "[supervisord]\nlogfile=/dev/stdout\n[program:nginx]\ncommand=nginx\n[program:web]\ncommand=npm start\ndirectory=/app\nstdout_logfile=/dev/stdout\nredirect_stderr=true\n[program:cache]\ncommand=redis-server --daemonize yes\nstdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\nredirect_stderr=true\n",
                ),
                (
                    "package.json",
                    "{\"scripts\": {\"start\": \"node server.js\"}}",
                ),
                (
                    "server.js",
                    "require('http').createServer().listen(3000);\n",
                ),
            ],
        ),
        // A shell in front of supervisord, `daemon` twice, a venv that is not there, an
        // app copied elsewhere, an include that is not there.
        dir(
            "proc-b",
            &[
                (
                    "Dockerfile",
                    "FROM alpine:3.22\nRUN apk add nginx supervisor nodejs\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY s.conf /etc/supervisord.conf\nCOPY server.js /srv/server.js\nCMD supervisord -n\n",
                ),
                (
                    "nginx.conf",
                    "daemon off;\nevents {}\nhttp { include /etc/nginx/conf.d/site.conf; }\n",
                ),
                (
                    "s.conf",
                    "[program:nginx]\ncommand=nginx -g 'daemon off;'\nstdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\nredirect_stderr=true\n[program:api]\ncommand=/opt/venv/bin/uvicorn main:app\nstdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\nredirect_stderr=true\n[program:web]\ncommand=node server.js\ndirectory=/\nstdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\nredirect_stderr=true\n",
                ),
                (
                    "server.js",
                    "require('http').createServer().listen(3000);\n",
                ),
            ],
        ),
    ]
}

mod never_panics {
    use super::findings;
    use crate::lint::RULES;
    use proptest::prelude::*;

    const DOCKERFILE: &str = "(FROM (alpine:3.22|ubuntu:24.04|nginx:1.27|python:3.12|scratch)|COPY (\\.|s\\.conf|n\\.conf|run\\.sh|app\\.py) (/etc/nginx/|/etc/supervisor/conf\\.d/|\\.|/app/|/etc/supervisord\\.conf|/usr/local/bin/)|RUN (apt-get install -y nginx supervisor python3|apk add nginx supervisor nodejs|rm -rf /etc/nginx|python3 -m venv /v|echo 'daemon off;' >> /etc/nginx/nginx\\.conf|\\./x\\.sh|npm run build)|(CMD|ENTRYPOINT) (\\[\"(supervisord|nginx|sh|/usr/local/bin/run\\.sh|tini)\"(, \"(-c|-n|-g|--)\")?(, \"(/etc/supervisord\\.conf|daemon off;|supervisord)\")?\\]|supervisord -n|exec supervisord)|WORKDIR (/app|/srv)|ENV PATH=/v/bin:\\$PATH|VOLUME /app|\n)*";
    const NGINX: &str = "(events \\{\\}|http \\{|server \\{|\\}|listen 80;|include (a|conf/\\*|snippets/x\\.conf|mime\\.types);|daemon (on|off);|root /app/static;|ssl_certificate /app/c\\.pem;|[ \n])*";
    const SUPERVISOR: &str = "(\\[supervisord\\]|\\[program:(a|nginx)\\]|\\[eventlistener:x\\]|\\[include\\]|files=(\\*\\.conf|/etc/nginx/\\*)|command=(nginx( -g 'daemon off;')?|/v/bin/uvicorn app:app --workers 3|node s\\.js|npm start|sh -c 'echo x >&2; exec python3 app\\.py'|gunicorn app:app|run\\.sh)|(stdout|stderr)_logfile=(/dev/stdout|/dev/stderr|/app/log/a\\.log|NONE)|(stdout_|)logfile(_maxbytes)?=(0|/dev/stdout)|redirect_stderr=true|stopasgroup=(true|false)|directory=(/app|/nope)|nodaemon=true|events=PROCESS_LOG|\n)*";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn the_rules_never_panic(
            dockerfile in DOCKERFILE,
            nginx in NGINX,
            supervisor in SUPERVISOR,
            script in "(#!/bin/sh|exec |\"\\$@\"|supervisord -n|nginx|# é|\n)*",
        ) {
            let files = [
                ("Dockerfile", dockerfile.as_str()),
                ("n.conf", nginx.as_str()),
                ("s.conf", supervisor.as_str()),
                ("run.sh", script.as_str()),
                ("app.py", "app = None\n"),
            ];
            for rule in RULES {
                let _ = findings(rule, &files);
            }
        }
    }
}
