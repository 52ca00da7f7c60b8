//! Fixing, property-tested: over containers made by breaking a clean one in the ways the
//! rules with fixes look for (and mixes of them), applying every fix never adds a finding,
//! a second round has nothing left to do, and a clean container is left as it is.

use super::*;
use crate::lint::date::Date;
use crate::lint::{ContainerDir, RULES};
use proptest::prelude::*;

const DOCKERFILE: &str = "FROM ubuntu:24.04
RUN apt-get update \\
    && apt-get install -y --no-install-recommends nginx supervisor python3 python3-venv curl \\
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default
RUN python3 -m venv /opt/venv
WORKDIR /app
COPY requirements.txt .
RUN /opt/venv/bin/pip install --no-cache-dir -r requirements.txt
COPY main.py .
COPY nginx.conf /etc/nginx/nginx.conf
COPY supervisord.conf /etc/supervisor/conf.d/supervisord.conf
EXPOSE 80
HEALTHCHECK CMD curl -fsS -o /dev/null http://127.0.0.1:80/ || exit 1
";

const MAIN: &str = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get(\"/\")\ndef index():\n    return {\"message\": \"hello\"}\n";

/// The ways to break the clean container, each on or off.
#[derive(Debug, Clone, Copy)]
struct Breaks {
    nodaemon: u8,
    nginx_g: bool,
    daemon_in_conf: u8,
    maxbytes: bool,
    all_interfaces: bool,
    headers: u8,
    workers: bool,
    shell_form: bool,
    crlf: bool,
}

fn container(b: Breaks) -> Vec<(&'static str, String)> {
    let nodaemon = ["nodaemon=true\n", "", "nodaemon=false\n"][usize::from(b.nodaemon % 3)];
    let g = if b.nginx_g { "" } else { " -g 'daemon off;'" };
    let max = if b.maxbytes {
        ""
    } else {
        "stdout_logfile_maxbytes=0\n"
    };
    let host = if b.all_interfaces {
        "0.0.0.0"
    } else {
        "127.0.0.1"
    };
    let workers = if b.workers { " --workers 2" } else { "" };
    let sup = format!(
        "[supervisord]\n{nodaemon}logfile=/dev/null\nlogfile_maxbytes=0\n\n[program:nginx]\ncommand=/usr/sbin/nginx{g}\nstdout_logfile=/dev/stdout\n{max}redirect_stderr=true\n\n[program:api]\ncommand=/opt/venv/bin/uvicorn main:app --host {host} --port 8000{workers}\ndirectory=/app\nstdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\nredirect_stderr=true\n"
    );
    let daemon = ["", "daemon on;\n", "daemon off;\n"][usize::from(b.daemon_in_conf % 3)];
    let headers = [
        "            proxy_set_header Host $host;\n            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n            proxy_set_header X-Forwarded-Proto $scheme;\n",
        "",
        "            proxy_set_header Host $http_host;\n            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n            proxy_set_header X-Forwarded-Proto $scheme;\n",
        "            proxy_set_header Host $host;\n",
    ][usize::from(b.headers % 4)];
    let nginx = format!(
        "{daemon}events {{}}\n\nhttp {{\n    server {{\n        listen 80;\n        location / {{\n{headers}            proxy_pass http://127.0.0.1:8000;\n        }}\n    }}\n}}\n"
    );
    let cmd = if b.shell_form {
        "CMD /usr/bin/supervisord -n -c /etc/supervisor/conf.d/supervisord.conf\n"
    } else {
        "CMD [\"/usr/bin/supervisord\", \"-c\", \"/etc/supervisor/conf.d/supervisord.conf\"]\n"
    };
    let eol = |s: String| if b.crlf { s.replace('\n', "\r\n") } else { s };
    vec![
        ("Dockerfile", format!("{DOCKERFILE}{cmd}")),
        ("main.py", MAIN.to_owned()),
        ("requirements.txt", "fastapi\nuvicorn\n".to_owned()),
        ("supervisord.conf", eol(sup)),
        ("nginx.conf", eol(nginx)),
    ]
}

fn context(files: &[(&str, String)]) -> Context {
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let mut ctx = Context::new(Date::parse("2026-01-01").expect("date"));
    ctx.containers.push(ContainerDir::from_texts("web", &files));
    ctx
}

fn codes(diags: &[Diagnostic]) -> Vec<String> {
    let mut c: Vec<String> = diags.iter().map(|d| d.code.clone()).collect();
    c.sort();
    c
}

#[test]
fn the_clean_container_is_clean() {
    let clean = Breaks {
        nodaemon: 0,
        nginx_g: false,
        daemon_in_conf: 0,
        maxbytes: false,
        all_interfaces: false,
        headers: 0,
        workers: false,
        shell_form: false,
        crlf: false,
    };
    let ctx = context(&container(clean));
    let found = lint::run(&ctx, RULES).diagnostics;
    assert_eq!(codes(&found), Vec::<String>::new(), "{found:#?}");
    let fixed = fix(ctx, RULES, Applicability::Unsafe, &|_| {});
    assert!(fixed.changed.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn fixing_never_adds_a_finding_and_settles(
        nodaemon in 0u8..3,
        nginx_g: bool,
        daemon_in_conf in 0u8..3,
        maxbytes: bool,
        all_interfaces: bool,
        headers in 0u8..4,
        workers: bool,
        shell_form: bool,
        crlf: bool,
    ) {
        let b = Breaks { nodaemon, nginx_g, daemon_in_conf, maxbytes, all_interfaces, headers, workers, shell_form, crlf };
        let ctx = context(&container(b));
        let before = codes(&lint::run(&ctx, RULES).diagnostics);
        for level in [Applicability::Safe, Applicability::Unsafe] {
            let fixed = fix(ctx.clone(), RULES, level, &|_| {});
            prop_assert!(fixed.settled);
            let after = codes(&fixed.outcome.diagnostics);
            prop_assert!(
                after.iter().all(|c| before.contains(c)) && after.len() <= before.len(),
                "{:?}: {:?} -> {:?}\n{:#?}", b, before, after, fixed.changed
            );
            // What the rules with fixes found is gone.
            let mut fixable = vec!["LOG001", "PROC001", "PROC002", "PROC003", "PROC004", "PROC008"];
            if level == Applicability::Unsafe {
                fixable.extend(["NET001", "NGX001"]);
            }
            prop_assert!(
                after.iter().all(|c| !fixable.contains(&c.as_str())),
                "{:?}: {:?} -> {:?}\n{:#?}", b, before, after, fixed.changed
            );
            if before.is_empty() {
                prop_assert!(fixed.changed.is_empty());
            }
            // Every edit keeps the file's line endings.
            for (old, new) in fixed.changed.values() {
                prop_assert_eq!(old.contains("\r\n"), new.contains("\r\n"));
                let all_crlf = |t: &str| t.matches('\n').count() == t.matches("\r\n").count();
                if all_crlf(old) {
                    prop_assert!(all_crlf(new), "{}", new);
                }
                if !old.contains('\r') {
                    prop_assert!(!new.contains('\r'), "{}", new);
                }
            }
            // A second round finds nothing left to fix.
            let again = fix(fixed.ctx, RULES, level, &|_| {});
            prop_assert!(again.changed.is_empty(), "{:?}: {:#?}", b, again.changed);
        }
    }
}
