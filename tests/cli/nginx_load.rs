//! nginx as `nginx -t` loads it: each example under "Why" of the issue that asked for the
//! load-time checks gives exactly one error, at the right line, with the fix in its help,
//! on a reference-like container (tests/fixtures/nginx-why/) with `gen check` and every
//! rule on.

use crate::harness::{fixture, gen_in};
use std::path::Path;

/// Copies the fixture container `base` into a temporary directory as `case/`, replaces
/// `from` with `to` in its file `file`, and checks it with every rule.
fn check_mutated(base: &str, file: &str, from: &str, to: &str) -> serde_json::Value {
    let tmp = tempfile::tempdir().expect("tempdir");
    let case = tmp.path().join("case");
    std::fs::create_dir(&case).expect("mkdir");
    let src = fixture(&format!("nginx-why/{base}"));
    for entry in std::fs::read_dir(&src).expect("read fixture") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), case.join(entry.file_name())).expect("copy");
    }
    let path = case.join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{base}/{file} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    let run = gen_in(tmp.path(), &["check", "case", "--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("json")
}

/// The one error of a report: its code, file, line and help.
fn one_error(report: &serde_json::Value) -> (String, String, u64, String) {
    let errors: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "want exactly one error: {report:#}");
    let e = errors[0];
    let s = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
    (
        s("code"),
        s("file"),
        e["line"].as_u64().unwrap_or(0),
        s("help"),
    )
}

fn assert_one(report: &serde_json::Value, code: &str, file: &str, line: u64, help: &str) {
    let (c, f, l, h) = one_error(report);
    assert_eq!(
        (c.as_str(), Path::new(&f), l),
        (code, Path::new(file), line),
        "{report:#}"
    );
    assert!(h.contains(help), "help `{h}` does not say `{help}`");
}

#[test]
fn base_containers_have_no_error() {
    for base in ["fastapi", "alpine"] {
        let report = check_mutated(base, "Dockerfile", "FROM", "FROM");
        let errors = report["summary"]["errors"].as_u64();
        assert_eq!(errors, Some(0), "{base}: {report:#}");
    }
}

#[test]
fn a_typo_in_proxy_pass_is_one_unknown_directive() {
    let report = check_mutated("fastapi", "nginx.conf", "proxy_pass http", "proxy_pas http");
    assert_one(
        &report,
        "NGX010",
        "case/nginx.conf",
        20,
        "did you mean `proxy_pass`?",
    );
}

#[test]
fn proxy_pass_without_semicolon_is_one_missing_semicolon_on_its_line() {
    let report = check_mutated(
        "fastapi",
        "nginx.conf",
        "proxy_pass http://127.0.0.1:8000;",
        "proxy_pass http://127.0.0.1:8000",
    );
    assert_one(
        &report,
        "NGX012",
        "case/nginx.conf",
        20,
        "end the line with `;`",
    );
}

#[test]
fn listen_without_semicolon_is_one_missing_semicolon_on_its_line() {
    let report = check_mutated("fastapi", "nginx.conf", "listen 80;", "listen 80");
    assert_one(
        &report,
        "NGX012",
        "case/nginx.conf",
        16,
        "end the line with `;`",
    );
}

#[test]
fn a_server_file_in_alpines_conf_d_is_in_the_main_context() {
    let report = check_mutated(
        "alpine",
        "Dockerfile",
        "/etc/nginx/http.d/default.conf",
        "/etc/nginx/conf.d/default.conf",
    );
    assert_one(
        &report,
        "NGX011",
        "case/site.conf",
        1,
        "this nginx reads `/etc/nginx/http.d/*.conf` in `http`: put the file there",
    );
    let related = &report["diagnostics"][0]["related"][0];
    assert_eq!(
        related["file"],
        "/etc/nginx/nginx.conf (packaged by alpine)"
    );
    assert_eq!(related["line"], 18);
}

#[test]
fn an_undefined_variable_in_if_is_one_unknown_variable() {
    let report = check_mutated(
        "fastapi",
        "nginx.conf",
        "        location / {",
        "        if ($bad_request) { return 400; }\n        location / {",
    );
    assert_one(&report, "NGX014", "case/nginx.conf", 19, "define it");
}

/// `none` or `blocked` without a referer matched by name: nginx refuses it when it merges
/// the location, and names no line; gen points at the directive.
#[test]
fn valid_referers_with_only_none_and_a_regex_is_one_error() {
    let report = check_mutated(
        "fastapi",
        "nginx.conf",
        "        location / {",
        "        location / {\n            valid_referers none blocked ~\\.example\\.com$;",
    );
    assert_one(
        &report,
        "NGX013",
        "case/nginx.conf",
        20,
        "a regular expression does not count",
    );
    let report = check_mutated(
        "fastapi",
        "nginx.conf",
        "        location / {",
        "        location / {\n            valid_referers none blocked server_names;",
    );
    assert!(
        !report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .any(|d| d["severity"] == "error"),
        "{report:#}"
    );
}

#[test]
fn a_missing_semicolon_before_a_brace_is_one_parse_error() {
    let report = check_mutated(
        "fastapi",
        "nginx.conf",
        "X-Forwarded-Proto $scheme;",
        "X-Forwarded-Proto $scheme",
    );
    assert_one(&report, "PRS001", "case/nginx.conf", 24, "fix the syntax");
    let (_, _, _, help) = one_error(&report);
    assert!(help.contains("PORT002, PORT003"), "{help}");
}

/// An unquoted `{` quantifier in a regular expression opens a block where nginx reads it:
/// nginx stops at that line (`nginx -t`, Debian's 1.22.1), so gen gives that one error
/// there, with the expression quoted in the help, not a syntax error at the end of the file
/// where the brace is left open, nor what follows from either.
#[test]
fn an_unquoted_brace_in_a_regex_is_one_error_at_its_line() {
    let cases = [
        // nginx: unknown directive "3}$"
        (
            "location / {",
            "location ~ ^/x/\\d{3}$ {",
            "NGX010",
            19,
            "`location ~ \"^/x/\\d{3}$\" {`",
        ),
        // nginx: directive "server_name" is not terminated by ";"
        (
            "server_name _;",
            "server_name ~^a{2}\\.example\\.com$;",
            "NGX012",
            17,
            "`server_name \"~^a{2}\\.example\\.com$\";`",
        ),
        // nginx: directive "rewrite" is not terminated by ";"
        (
            "server_name _;",
            "server_name _;\n        rewrite ^/a{2}$ /b last;",
            "NGX012",
            18,
            "`rewrite \"^/a{2}$\" /b last;`",
        ),
        // nginx: invalid condition "^a"
        (
            "server_name _;",
            "server_name _;\n        if ($uri ~ ^a{2}$) { return 404; }",
            "NGX013",
            18,
            "`if ($uri ~ \"^a{2}$\") { return 404; }`",
        ),
        // nginx: unexpected "{"
        (
            "    server {",
            "    map $uri $x {\n        ~^/a{2}$ 1;\n    }\n    server {",
            "NGX013",
            16,
            "`\"~^/a{2}$\" 1;`",
        ),
    ];
    for (from, to, code, line, help) in cases {
        let report = check_mutated("fastapi", "nginx.conf", from, to);
        assert_one(&report, code, "case/nginx.conf", line, help);
        let (_, _, _, help) = one_error(&report);
        assert!(
            help.contains("PRS001"),
            "the syntax error is held back: {help}"
        );
    }
}

/// Writes `files` into a temporary directory and checks it with every rule, as JSON.
fn check_files(files: &[(&str, &str)]) -> (serde_json::Value, tempfile::TempDir) {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = tmp.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
    }
    let run = gen_in(tmp.path(), &["check", ".", "--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    (serde_json::from_str(&run.stdout).expect("json"), tmp)
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

const SITE: &str = "server {\n    listen 80;\n    location / {\n        proxy_pass http://127.0.0.1:8000;\n    }\n}\n";

/// nginx installed from nginx.org's repository on Debian has nginx.org's layout, not
/// Debian's (no `sites-enabled/default` to answer in place of the user's server), and a
/// version gen cannot tell.
#[test]
fn nginx_from_another_repository_has_no_debian_default_site() {
    let debian = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y nginx\nCOPY site.conf /etc/nginx/conf.d/site.conf\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n";
    // `http2 on;` came with nginx 1.25.1: Debian 12's 1.22 does not know it, nginx.org's
    // mainline does.
    let site = SITE.replace("listen 80;", "listen 80;\n    http2 on;");
    let (report, _tmp) = check_files(&[("Dockerfile", debian), ("site.conf", &site)]);
    assert!(codes(&report).contains(&"NGX015".to_owned()), "{report:#}");
    assert!(codes(&report).contains(&"NGX010".to_owned()), "{report:#}");
    let nginx_org = debian.replace(
        "RUN apt-get update",
        "RUN echo \"deb http://nginx.org/packages/mainline/debian/ bookworm nginx\" >> /etc/apt/sources.list && apt-get update",
    );
    let (report, _tmp) = check_files(&[("Dockerfile", &nginx_org), ("site.conf", &site)]);
    let codes = codes(&report);
    assert!(
        !codes
            .iter()
            .any(|c| c == "NGX015" || c == "NGX013" || c == "NGX010"),
        "{report:#}"
    );
}

/// A start script that fills in placeholders (`sed -i "s/\$NGINX_PORT/$PORT/"`) before
/// nginx starts: the placeholder is not a variable nginx will see.
#[test]
fn placeholders_a_start_script_fills_in_are_not_variables() {
    let dockerfile = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y nginx\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY start.sh /start.sh\nCMD [\"/bin/sh\", \"/start.sh\"]\n";
    let conf = "events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n            return 200 \"$NGINX_GREETING\";\n        }\n    }\n}\n";
    let plain = "#!/bin/sh\nexec nginx -g 'daemon off;'\n";
    let (report, _tmp) = check_files(&[
        ("Dockerfile", dockerfile),
        ("nginx.conf", conf),
        ("start.sh", plain),
    ]);
    assert!(codes(&report).contains(&"NGX014".to_owned()), "{report:#}");
    let templating = "#!/bin/sh\nsed -i \"s/\\$NGINX_GREETING/${GREETING}/g\" /etc/nginx/nginx.conf\nexec nginx -g 'daemon off;'\n";
    let (report, _tmp) = check_files(&[
        ("Dockerfile", dockerfile),
        ("nginx.conf", conf),
        ("start.sh", templating),
    ]);
    assert!(!codes(&report).contains(&"NGX014".to_owned()), "{report:#}");
}
