//! Rules about nginx: whether it loads the config at all (directives, contexts, arguments,
//! values and variables as `nginx -t` judges them, worked out once per container by
//! [`crate::lint::analysis::nginx_load`], each rule showing one kind of its findings with
//! [`report`]), and as a reverse proxy: the headers it passes to the app and whether its
//! upstream keep-alive works. What they share with other families is in
//! [`crate::lint::analysis::nginx`].

pub mod ineffective_upstream_keepalive;
pub mod invalid_nginx_arguments;
pub mod invalid_nginx_value;
pub mod missing_forwarded_headers;
pub mod nginx_directive_not_allowed_here;
pub mod packaged_default_site_answers;
pub mod unknown_nginx_directive;
pub mod unknown_nginx_variable;
pub mod unknown_upstream_host;

use crate::diagnostic::Diagnostic;
use crate::lint::analysis::nginx_load::{self, Finding, Kind};
use crate::lint::{ContainerDir, Context, Rule};

/// The diagnostic of a load-time finding, for the rule that shows its kind.
fn diagnostic(rule: &Rule, c: &ContainerDir, f: &Finding) -> Diagnostic {
    let mut diag = rule
        .diagnostic(
            f.message.clone(),
            c.label_or(&f.origin, "nginx.conf", f.label.clone()),
        )
        .with_help(f.help.clone());
    for (o, msg) in &f.related {
        if let Some(l) = c.label(o, msg.clone()) {
            diag.related.push(l);
        }
    }
    diag
}

/// Pushes the load-time findings of `kind` of every container, as `rule`.
fn report(ctx: &Context, rule: &Rule, kind: Kind, out: &mut Vec<Diagnostic>) {
    for c in &ctx.containers {
        for f in nginx_load::of(c).iter().filter(|f| f.kind == kind) {
            out.push(diagnostic(rule, c, f));
        }
    }
}

#[cfg(test)]
mod never_panics {
    use crate::lint::date::Date;
    use crate::lint::{ContainerDir, Context, RULES, run};
    use proptest::prelude::*;

    const DOCKERFILE: &str = "(FROM (alpine:3\\.1[89]|ubuntu:2[24]\\.04|debian:12|node:18-alpine3\\.17|python:3\\.12-slim|b)( AS b)?|RUN (apk add nginx curl|apt-get install -y nginx python3-pip curl|pip3 install x|python3 -m venv /v|\\. /v/bin/activate && pip install y|rm /etc/nginx/mime\\.types)|ENV (PATH=/v/bin:\\$PATH|PIP_BREAK_SYSTEM_PACKAGES=1)|COPY (n\\.conf|s\\.conf|a\\.js|m\\.py) (/etc/nginx/nginx\\.conf|/etc/supervisord\\.conf|/app/)|HEALTHCHECK (NONE|CMD (curl|wget) -f http://(localhost|127\\.0\\.0\\.1:(80|3000|x)|\\[::1\\])/|CMD \\[\"curl\", \"http://localhost:8\"\\])|CMD \\[\"supervisord\"\\]|COPPY x|\n)*";
    const NGINX: &str = "(events \\{\\}|http \\{|server \\{|location / \\{|\\}|listen (80|\\$p|unix:/s);|proxy_pass (http://a|http://a\\$request_uri|http://127\\.0\\.0\\.1:3000|http://\\[::1\\]:8000|http://unix:/s:|https://x\\.com|\\$v);|fastcgi_pass a;|upstream a \\{|server (127\\.0\\.0\\.1:3000|unix:/s|\\[::1\\]:8000);|keepalive 4;|keepalive_timeout (1s|x|60);|proxy_http_version 1\\.(0|1);|proxy_set_header (Host \\$(host|http_host)|X-Forwarded-For x|Connection (\"\"|close|\\$c));|map \\$h \\$c \\{|'' (close|'');|include (proxy_params|/x/y|n\\.conf|mime\\.types);|[ \n])*";
    const SUPERVISOR: &str = "(\\[supervisord\\]|\\[program:(a|n)\\]|command=(nginx|node /app/a\\.js|uvicorn m:app --uds /s|gunicorn m:app -k uvicorn\\.workers\\.UvicornWorker -b unix:/s|uvicorn m:app --host ::1 --port 8000 --timeout-keep-alive 3)|autostart=maybe|x|\n)*";
    const APP: &str = "(const express = require\\('express'\\);|app\\.set\\('trust proxy', (1|'loopback'|x)\\);|const s = app\\.listen\\((3000|p)\\);|s\\.keepAliveTimeout = (0|65 \\* 1000|t);|\\(|\\)|'|`|[ \n])*";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn on_generated_directories(
            dockerfile in DOCKERFILE,
            nginx in NGINX,
            supervisor in SUPERVISOR,
            app in APP,
        ) {
            let files = [
                ("Dockerfile", dockerfile.as_str()),
                ("n.conf", nginx.as_str()),
                ("nginx.conf", nginx.as_str()),
                ("s.conf", supervisor.as_str()),
                ("a.js", app.as_str()),
                ("m.py", app.as_str()),
                ("package.json", app.as_str()),
            ];
            let mut ctx = Context::new(Date::from_unix_days(20_000));
            ctx.containers.push(ContainerDir::from_texts("c", &files));
            let _ = run(&ctx, RULES);
        }
    }
}
