//! Tests of the framework: the rule list's invariants, selection, and what `run` does with
//! findings (suppression comments, the help's last line, order).

use super::*;
use crate::lint::date::Date;

#[test]
fn every_rule_is_declared_well() {
    let mut codes = std::collections::HashSet::new();
    let mut names = std::collections::HashSet::new();
    for r in RULES {
        let (prefix, digits) = r.code.split_at(r.code.len().saturating_sub(3));
        assert!(
            (2..=4).contains(&prefix.len())
                && prefix.starts_with(|c: char| c.is_ascii_uppercase())
                // `K8S`: a digit may stand for letters, as in the name people use.
                && prefix.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                && digits.len() == 3
                && digits.bytes().all(|b| b.is_ascii_digit()),
            "code {}",
            r.code
        );
        assert!(
            !r.name.is_empty()
                && !r.name.starts_with('-')
                && !r.name.ends_with('-')
                && !r.name.contains("--")
                && r.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "name {} is not kebab-case",
            r.name
        );
        assert!(codes.insert(r.code), "code {} declared twice", r.code);
        assert!(names.insert(r.name), "name {} declared twice", r.name);
        for section in ["What it does", "Why is this bad?", "Example"] {
            assert!(
                r.section(section).is_some(),
                "{} lacks `## {section}`",
                r.code
            );
        }
        let summary = r.summary();
        assert!(!summary.is_empty() && !summary.contains('\n'), "{}", r.code);
    }
    let mut sorted: Vec<&str> = RULES.iter().map(|r| r.code).collect();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        RULES.iter().map(|r| r.code).collect::<Vec<_>>(),
        "RULES is sorted by code"
    );
}

#[test]
fn find_takes_code_or_name_in_any_case() {
    for key in ["GEN001", "gen001", "generated-drift", "Generated-Drift"] {
        assert_eq!(find(key).map(|r| r.code), Some("GEN001"), "{key}");
    }
    assert!(find("GEN01").is_none());
    assert_eq!(suggest("GEN01"), Some("GEN001"));
    assert_eq!(suggest("generated-drft"), Some("generated-drift"));
    assert_eq!(suggest("zzzzzzzzzzzz"), None);
}

#[test]
fn resolve_selects_then_ignores() {
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let codes = |r: Vec<&Rule>| r.iter().map(|r| r.code).collect::<Vec<_>>();
    let resolve = |select: &[String], ignore: &[String]| {
        let mut warnings = Vec::new();
        let rules = resolve(select, ignore, &mut warnings);
        assert!(warnings.is_empty(), "{warnings:?}");
        rules
    };
    assert_eq!(codes(resolve(&[], &[]).expect("ok")).len(), RULES.len());
    assert_eq!(
        codes(resolve(&s(&["generated-drift", "DKR003"]), &[]).expect("ok")),
        ["DKR003", "GEN001"]
    );
    assert_eq!(
        codes(resolve(&s(&["GEN001", "DKR003"]), &s(&["dkr003"])).expect("ok")),
        ["GEN001"]
    );
    let all_but = codes(resolve(&[], &s(&["GEN001"])).expect("ok"));
    assert!(!all_but.contains(&"GEN001") && all_but.len() == RULES.len() - 1);
    let err = resolve(&[], &s(&["GEN01"])).expect_err("unknown");
    assert_eq!(err.to_string(), "unknown rule `GEN01` in `--ignore`");
    assert_eq!(
        err.help(),
        "did you mean `GEN001`? `gen rules` lists every rule"
    );
}

declare_rule! {
    /// ## What it does
    /// Flags every line containing `BAD`, for testing the framework.
    ///
    /// ## Why is this bad?
    /// It is not.
    ///
    /// ## Example
    /// ```text
    /// BAD
    /// ```
    static TEST_RULE = {
        code: "TST001",
        name: "test-rule",
        severity: Warning,
        check: flag_bad_lines,
    }
}

fn flag_bad_lines(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for f in ctx.containers.iter().flat_map(|c| &c.files) {
        let Some(text) = &f.text else { continue };
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            if let Some(at) = line.find("BAD") {
                let span = crate::parse::span::Span::new(offset + at, offset + at + 3);
                out.push(
                    TEST_RULE
                        .diagnostic("found `BAD`", Label::new(&f.path, text, span, ""))
                        .with_help("remove it"),
                );
            }
            offset += line.len();
        }
    }
}

declare_rule! {
    /// ## What it does
    /// Reports under another rule's code, for testing that `run` refuses it.
    ///
    /// ## Why is this bad?
    /// A finding under a borrowed code escapes `--ignore` of the rule that made it.
    ///
    /// ## Example
    /// ```text
    /// x
    /// ```
    static BORROWING_RULE = {
        code: "TST002",
        name: "borrowing-rule",
        severity: Warning,
        check: report_under_gen001,
    }
}

fn report_under_gen001(_: &Context, out: &mut Vec<Diagnostic>) {
    out.push(GENERATED_DRIFT_LOOKALIKE.diagnostic("x", Label::file("x", "")));
}

/// The code and name of a real rule, borrowed.
static GENERATED_DRIFT_LOOKALIKE: Rule = Rule {
    code: "GEN001",
    name: "generated-drift",
    severity: Severity::Error,
    doc: "",
    check: |_, _| {},
};

#[test]
#[cfg(debug_assertions)]
#[should_panic(
    expected = "rule TST002 (borrowing-rule) reported a finding under GEN001 (generated-drift)"
)]
fn a_finding_under_another_rules_code_fails_a_debug_build() {
    let ctx = container(&[("nginx.conf", "x;\n")], None);
    let _ = run(&ctx, &[&BORROWING_RULE]);
}

#[test]
#[cfg(not(debug_assertions))]
fn a_finding_under_another_rules_code_is_dropped_in_a_release_build() {
    let ctx = container(&[("nginx.conf", "x;\n")], None);
    assert!(run(&ctx, &[&BORROWING_RULE]).diagnostics.is_empty());
}

fn container(files: &[(&str, &str)], spec_index: Option<usize>) -> Context {
    let mut ctx = Context::new(Date::from_unix_days(0));
    ctx.containers.push(dir("c", files, spec_index));
    ctx
}

fn dir(name: &str, files: &[(&str, &str)], spec_index: Option<usize>) -> ContainerDir {
    let mut d = ContainerDir::from_texts(name, files);
    d.spec_index = spec_index;
    d
}

#[test]
fn run_applies_suppression_comments_per_file_type() {
    let ctx = container(
        &[
            ("nginx.conf", "# gen: ignore[TST001]\nBAD;\nBAD;\n"),
            ("app.js", "BAD(); // gen: ignore[test-rule]\n"),
            (
                "Dockerfile",
                "RUN BAD # gen: ignore[TST001]\n# gen: ignore[tst001]\nRUN BAD \\\n  BAD\n",
            ),
            ("supervisord.conf", "; gen: ignore[OTHER]\nBAD=1\n"),
            ("app.py", "x = 'BAD'  # gen: ignore[TST001]\n"),
            ("package.json", "{\"BAD\": 1}\n"),
        ],
        None,
    );
    let outcome = run(&ctx, &[&TEST_RULE]);
    let found: Vec<(String, usize)> = outcome
        .diagnostics
        .iter()
        .map(|d| (d.primary.file.clone(), d.primary.start.line))
        .collect();
    assert_eq!(
        found,
        [
            ("c/Dockerfile".to_owned(), 1),
            ("c/nginx.conf".to_owned(), 3),
            ("c/package.json".to_owned(), 1),
            ("c/supervisord.conf".to_owned(), 2),
        ]
    );
    assert_eq!(outcome.suppressed, 5);
}

#[test]
fn findings_carry_no_suppression_hint_in_their_help() {
    // The hint is the human renderer's, once under the summary: JSON and SARIF get the
    // rule's own help only.
    let ctx = container(&[("nginx.conf", "BAD;\n")], Some(0));
    let outcome = run(&ctx, &[&TEST_RULE]);
    assert_eq!(outcome.diagnostics[0].help.as_deref(), Some("remove it"));
}

/// A context in which every rule finds something: drift, an end-of-life base, a bad
/// suppression comment.
fn everything_wrong() -> Context {
    let spec_text = "[[container]]\nname = \"c\"\nbase = \"alpine:3.18\"\nhost_port = 8001\n[container.app]\nkind = \"express\"\nmessage = \"m\"\n";
    let mut ctx = container(&[("nginx.conf", "# gen: ignore[NOPE]\nx;\n")], None);
    ctx.today = Date::parse("2026-11-29").expect("date");
    ctx.spec = Some(SpecFile {
        path: "spec.toml".into(),
        text: spec_text.into(),
        spec: crate::spec::load("spec.toml", spec_text).expect("valid"),
        out: "generated".into(),
    });
    ctx.containers
        .extend(crate::lint::rules::testing::broken_containers());
    ctx.drift.push(FileDrift {
        path: "generated/c/app.js".into(),
        container: "c".into(),
        kind: DriftKind::Missing {
            expected: "x\n".into(),
        },
    });
    ctx.containers.push(dir("ports", &PORTS_WRONG, None));
    ctx.containers.push(dir("unproxied", &UNPROXIED, None));
    ctx.containers.extend(proxy_and_parse_mistakes());
    ctx.containers.push(copies_wrong());
    ctx.containers.push(dir("markers", &MARKERS_WRONG, None));
    deploy_wrong(&mut ctx);
    ctx
}

/// An nginx line the entrypoint rewrites from `APP_PORT`, with another value than the
/// image's default, which the entrypoint refuses besides.
const MARKERS_WRONG: [(&str, &str); 3] = [
    (
        "Dockerfile",
        "FROM debian:12\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY --chmod=755 entrypoint.sh /usr/local/bin/start\nENV APP_PORT=9000\nENTRYPOINT [\"/usr/local/bin/start\"]\nCMD [\"nginx\"]\n",
    ),
    (
        "nginx.conf",
        "events {}\nhttp { upstream a {\nserver 127.0.0.1:8000; # env APP_PORT\n} }\n",
    ),
    (
        "entrypoint.sh",
        "#!/bin/sh\nport APP_PORT \"${APP_PORT-}\" 9000\nsed -e \"s/[^ :;]*\\(; # env APP_PORT\\)\\$/${APP_PORT}\\1/\" /etc/nginx/nginx.conf\nexec \"$@\"\n",
    ),
];

/// A compose project and manifests with every deployment mistake, over a supervisord
/// container `web` and a load balancer `lb`.
fn deploy_wrong(ctx: &mut Context) {
    let web = ctx.containers.len();
    ctx.containers.push(ContainerDir::from_texts(
        "web",
        &[
            (
                "Dockerfile",
                "FROM alpine:3.22\nRUN apk add --no-cache nginx nodejs supervisor && rm -f /etc/nginx/http.d/default.conf\nENV APP_PORT=3000\nCOPY app.js /app/app.js\nCOPY site.conf /etc/nginx/http.d/site.conf\nCOPY supervisord.conf /etc/supervisord.conf\nHEALTHCHECK CMD wget -q -O /dev/null http://127.0.0.1/healthz || exit 1\nCMD [\"supervisord\", \"-n\", \"-c\", \"/etc/supervisord.conf\"]\n",
            ),
            (
                "site.conf",
                "server {\n    listen 80;\n    location / {\n        proxy_pass http://127.0.0.1:3000;\n    }\n}\n",
            ),
            (
                "supervisord.conf",
                "[supervisord]\nnodaemon=true\n[program:nginx]\ncommand=nginx -g \"daemon off;\"\nstopwaitsecs=5\n[program:app]\ncommand=node /app/app.js\nstopwaitsecs=30\n",
            ),
            (
                "app.js",
                "require(\"http\").createServer((q, s) => s.end()).listen(3000, \"127.0.0.1\");\n",
            ),
        ],
    ));
    let lb = ctx.containers.len();
    ctx.containers.push(ContainerDir::from_texts(
        "lb",
        &[
            (
                "Dockerfile",
                "FROM nginx:1.27-alpine\nCOPY default.conf /etc/nginx/conf.d/default.conf\n",
            ),
            (
                "default.conf",
                "server {\n    listen 80;\n    location / {\n        proxy_pass http://wbe;\n    }\n}\n",
            ),
        ],
    ));
    let file = |path: &str, text: &str| crate::deploy::DeployFile {
        path: path.to_owned(),
        text: text.to_owned(),
    };
    let mut project = crate::deploy::Project::new(
        "proj".to_owned(),
        Some(file(
            "proj/compose.yaml",
            "services:\n  web:\n    build: ./web\n    ports: [\"8080:3000\", \"9000:9000\"]\n    environment: [APP_POTR=1]\n    depends_on:\n      lb:\n        condition: service_healthy\n    healthcheck:\n      test: [\"CMD\", \"wget\", \"http://127.0.0.1:81/health\"]\n  lb:\n    build: ./lb\n    ports: [\"8080:80\"]\n  api:\n    build:\n      context: ./api\n      dockerfile: Dockerfile.backend\n",
        )),
        vec![
            file(
                "proj/k8s/web.yaml",
                "kind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - image: web\n          ports: [{name: http, containerPort: 8080}]\n          readinessProbe: {httpGet: {path: /, port: htp}}\n---\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: wbe}\n---\nkind: Ingress\nmetadata: {name: lb}\nspec:\n  defaultBackend: {service: {name: webb, port: {number: 80}}}\n",
            ),
            file("proj/k8s/bad.yaml", "a: [\n"),
        ],
    );
    if let Some(c) = project.compose.as_mut() {
        c.services[0].container = Some(web);
        c.services[1].container = Some(lb);
        // The command found the Dockerfile the service names missing.
        c.services[2].build_missing = Some(crate::deploy::compose::BuildMissing::Dockerfile);
    }
    let names: Vec<&str> = ctx.containers.iter().map(|c| c.name.as_str()).collect();
    project.link_k8s(&names);
    ctx.projects.push(project);
}

/// A COPY of a file that is not there, and a config that is not text.
fn copies_wrong() -> ContainerDir {
    let file = |rel: &str, text: Option<&str>| SourceFile {
        rel: rel.into(),
        path: format!("copies/{rel}"),
        text: text.map(Into::into),
    };
    ContainerDir::new(
        "copies".into(),
        "copies".into(),
        None,
        vec![
            file(
                "Dockerfile",
                Some(
                    "FROM debian:12\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY gone.conf /etc/nginx/conf.d/\n",
                ),
            ),
            file("nginx.conf", None),
        ],
    )
}

/// nginx and its apps at odds: a port mismatch, an app on every interface and EXPOSEd,
/// `localhost` to an IPv4-only app, a socket at another path in a directory that is not
/// there, and nginx's port not EXPOSEd.
const PORTS_WRONG: [(&str, &str); 3] = [
    (
        "Dockerfile",
        "FROM debian:12\nRUN apt-get install -y nginx supervisor\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY supervisord.conf /etc/supervisord.conf\nEXPOSE 8000\nCMD [\"supervisord\", \"-n\", \"-c\", \"/etc/supervisord.conf\"]\n",
    ),
    (
        "nginx.conf",
        "events {}\nhttp { server { listen 80;\nlocation / { proxy_pass http://127.0.0.1:8080; }\nlocation /b { proxy_pass http://localhost:7000; }\nlocation /c { proxy_pass http://unix:/run/a.sock:; } } }\n",
    ),
    (
        "supervisord.conf",
        "[program:nginx]\ncommand=nginx -g 'daemon off;'\n[program:a]\ncommand=uvicorn a:app --host 0.0.0.0 --port 8000\n[program:b]\ncommand=uvicorn b:app --port 7000\n[program:c]\ncommand=uvicorn c:app --uds /run/c/c.sock\n",
    ),
];

/// An app nginx does not proxy to.
const UNPROXIED: [(&str, &str); 2] = [
    (
        "nginx.conf",
        "events {}\nhttp { server { listen 80; location / { proxy_pass http://127.0.0.1:8000; } } }\n",
    ),
    (
        "supervisord.conf",
        "[program:a]\ncommand=uvicorn a:app --port 8000\n[program:b]\ncommand=uvicorn b:app --port 8001\n",
    ),
];

/// Containers with what the parse, nginx, image, health-check and app rules find.
fn proxy_and_parse_mistakes() -> Vec<ContainerDir> {
    let dir = ContainerDir::from_texts;
    let sup = "[supervisord]\nnodaemon=true\n[program:nginx]\ncommand=nginx -g 'daemon off;'\n[program:app]\ncommand=node /app/server.js\n";
    vec![
        dir(
            "uwsgi",
            &[
                (
                    "Dockerfile",
                    "FROM debian:12\nRUN apt-get install -y nginx supervisor\nRUN pip install pyuwsgi\nCOPY uwsgi.ini /srv/uwsgi.ini\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY supervisord.conf /etc/supervisor/supervisord.conf\nCMD [\"supervisord\", \"-n\"]\n",
                ),
                (
                    "nginx.conf",
                    "user www-data;\nevents {}\nhttp { server { listen 80; location / { uwsgi_pass 127.0.0.1:8000; } location /b { uwsgi_pass unix:/run/b.sock; } } }\n",
                ),
                (
                    "supervisord.conf",
                    "[supervisord]\nnodaemon=true\n[program:nginx]\ncommand=nginx -g 'daemon off;'\n[program:app]\ncommand=uwsgi --ini /srv/uwsgi.ini\n",
                ),
                (
                    "uwsgi.ini",
                    "[uwsgi]\nmodule = app:app\nhttp-socket = 127.0.0.1:8000\nsocket = /run/b.sock\nchmod-socket = 600\n",
                ),
            ],
        ),
        dir(
            "unreadable",
            &[
                ("Dockerfile", "FROM alpine:3.22\nCOPPY a b\n"),
                ("nginx.conf", "events {}\nhttp { server { listen 80 } }\n"),
                ("supervisord.conf", "nodaemon=true\n"),
                ("package.json", "{,}\n"),
            ],
        ),
        dir(
            "proxy",
            &[
                (
                    "Dockerfile",
                    "FROM ubuntu:24.04\nRUN apt-get install -y nginx python3-pip && rm /etc/nginx/mime.types\nRUN pip3 install flask\nCOPY nginx.conf /etc/nginx/nginx.conf\nCMD [\"nginx\"]\n",
                ),
                (
                    "nginx.conf",
                    "events {}\nhttp {\ninclude /etc/nginx/mime.types;\nupstream a { server 127.0.0.1:3000; keepalive 4; }\nserver { listen 80; location / { proxy_pass http://a; } }\n}\n",
                ),
            ],
        ),
        dir(
            "app",
            &[
                (
                    "Dockerfile",
                    "FROM alpine:3.18\nRUN apk add nginx nodejs supervisor\nCOPY server.js /app/server.js\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY supervisord.conf /etc/supervisord.conf\nHEALTHCHECK CMD wget -q -O- http://127.0.0.1:81/\nCMD [\"supervisord\"]\n",
                ),
                (
                    "nginx.conf",
                    "events {}\nhttp {\nupstream a { server 127.0.0.1:3000; keepalive 4; }\nserver { listen 80; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Proto $scheme; location / { proxy_pass http://a; } }\n}\n",
                ),
                ("supervisord.conf", sup),
                (
                    "server.js",
                    "const express = require('express');\nconst app = express();\napp.listen(3000, '127.0.0.1');\n",
                ),
            ],
        ),
        dir(
            "load",
            &[
                (
                    "Dockerfile",
                    "FROM debian:12\nRUN apt-get install -y nginx\nCOPY nginx.conf /etc/nginx/nginx.conf\nCMD [\"nginx\"]\n",
                ),
                (
                    "nginx.conf",
                    "proxy_pas x;\nevents {}\nhttp {\nserver { listen 80 defualt; location / { worker_connections 1; } }\nserver { location /; }\n}\n",
                ),
            ],
        ),
        dir(
            "default-site",
            &[
                (
                    "Dockerfile",
                    "FROM debian:12\nRUN apt-get install -y nginx\nCOPY app.conf /etc/nginx/conf.d/app.conf\nCMD [\"nginx\"]\n",
                ),
                ("app.conf", "server { listen 80; }\n"),
            ],
        ),
        dir(
            "variables",
            &[
                (
                    "Dockerfile",
                    "FROM debian:12\nRUN apt-get install -y nginx\nCOPY nginx.conf /etc/nginx/nginx.conf\nCMD [\"nginx\"]\n",
                ),
                (
                    "nginx.conf",
                    "events {}\nhttp {\nserver { return 200 $nope; }\n}\n",
                ),
            ],
        ),
        dir(
            "deep",
            &[
                (
                    "Dockerfile",
                    "FROM alpine:3.22\nRUN apk add nginx\nCOPY . /etc/nginx/\nCMD [\"nginx\"]\n",
                ),
                ("nginx.conf", "include 0.conf;\n"),
                ("0.conf", "include 1.conf;\n"),
                ("1.conf", "include 2.conf;\n"),
                ("2.conf", "include 3.conf;\n"),
                ("3.conf", "include 4.conf;\n"),
                ("4.conf", "include 5.conf;\n"),
                ("5.conf", "include 6.conf;\n"),
                ("6.conf", "include 7.conf;\n"),
                ("7.conf", "include 8.conf;\n"),
                ("8.conf", "include 9.conf;\n"),
                ("9.conf", "include 10.conf;\n"),
                ("10.conf", "include 11.conf;\n"),
                ("11.conf", "include 12.conf;\n"),
                ("12.conf", "include 13.conf;\n"),
                ("13.conf", "include 14.conf;\n"),
                ("14.conf", "include 15.conf;\n"),
                ("15.conf", "include 16.conf;\n"),
                ("16.conf", "include 17.conf;\n"),
                ("17.conf", "events {}\n"),
            ],
        ),
    ]
}

/// One context with many things wrong, all rules at once: the findings follow the message
/// conventions and carry their rule's name and severity. (That each rule fires is checked
/// on its own failing fixture, tests/fixtures_check.rs, so a new rule need not extend this.)
#[test]
fn everything_wrong_follows_the_message_conventions() {
    let outcome = run(&everything_wrong(), RULES);
    assert!(!outcome.diagnostics.is_empty());
    for d in &outcome.diagnostics {
        let first = d.message.chars().next().unwrap_or(' ');
        assert!(
            !first.is_uppercase() && !d.message.ends_with('.') && !d.message.is_empty(),
            "message `{}` is not lowercase without a trailing period",
            d.message
        );
        let rule = find(&d.code).expect("a declared rule");
        assert_eq!((d.name.as_str(), d.severity), (rule.name, rule.severity));
    }
}
