//! `gen check` on the fixtures of the parse, nginx-proxy, image, health-check and app rules
//! (tests/fixtures/check/<rule-name>/{fail,pass}/): each failing fixture's findings are
//! pinned in golden files (human and JSON), each passing one has none.

use crate::harness::{fixture, gen_in, snapshot};

/// The day the golden files were written; end-of-life results depend on it.
const TODAY: &str = "2026-11-29";

fn check(dir: &str, sub: &str, code: &str, extra: &[&str]) -> crate::harness::Run {
    let mut args = vec!["check", sub, "--select", code, "--today", TODAY];
    args.extend_from_slice(extra);
    gen_in(&fixture(&format!("check/{dir}")), &args)
}

/// Runs the failing fixture of `rule`, checks the exit code and summary, and pins the
/// human and JSON output.
fn fails(rule: &str, code: &str, exit: i32, summary: &str) {
    let run = check(rule, "fail", code, &[]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (exit, summary),
        "{rule}:\n{}",
        run.stdout
    );
    snapshot(&format!("check/{rule}.human.txt"), &run.stdout);
    let run = check(rule, "fail", code, &["--format", "json"]);
    assert_eq!(run.code, exit, "{rule}");
    snapshot(&format!("check/{rule}.json"), &run.stdout);
}

/// Runs the passing fixture of `rule`: no finding.
fn passes(rule: &str, code: &str, containers: usize) {
    let run = check(rule, "pass", code, &["--deny", "warnings"]);
    let plural = if containers == 1 { "" } else { "s" };
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            0,
            "",
            format!("no problems in {containers} container{plural}\n").as_str()
        ),
        "{rule}"
    );
}

#[test]
fn nginx_parse_error() {
    fails(
        "nginx-parse-error",
        "PRS001",
        1,
        "2 errors in 1 container\n",
    );
    passes("nginx-parse-error", "PRS001", 1);
}

#[test]
fn dockerfile_parse_error() {
    fails(
        "dockerfile-parse-error",
        "PRS002",
        1,
        "3 errors in 2 containers\n",
    );
    passes("dockerfile-parse-error", "PRS002", 1);
}

#[test]
fn supervisord_parse_error() {
    fails(
        "supervisord-parse-error",
        "PRS003",
        1,
        "3 errors in 2 containers\n",
    );
    passes("supervisord-parse-error", "PRS003", 1);
}

#[test]
fn unfollowable_include() {
    fails(
        "unfollowable-include",
        "PRS004",
        1,
        "2 errors in 1 container\n",
    );
    passes("unfollowable-include", "PRS004", 1);
}

#[test]
fn app_source_parse_error() {
    fails(
        "app-source-parse-error",
        "PRS005",
        1,
        "3 errors in 2 containers\n",
    );
    passes("app-source-parse-error", "PRS005", 2);
}

#[test]
fn include_limit_reached() {
    fails(
        "include-limit-reached",
        "PRS006",
        0,
        "1 warning in 1 container\n",
    );
    passes("include-limit-reached", "PRS006", 1);
}

#[test]
fn missing_forwarded_headers() {
    fails(
        "missing-forwarded-headers",
        "NGX001",
        0,
        "4 warnings in 4 containers\n3 fixable with `--fix --unsafe-fixes`\n",
    );
    passes("missing-forwarded-headers", "NGX001", 3);
}

#[test]
fn ineffective_upstream_keepalive() {
    fails(
        "ineffective-upstream-keepalive",
        "NGX003",
        0,
        "4 warnings in 4 containers\n",
    );
    passes("ineffective-upstream-keepalive", "NGX003", 2);
}

#[test]
fn pip_install_outside_venv() {
    fails(
        "pip-install-outside-venv",
        "DKR001",
        1,
        "5 errors, 1 warning in 4 containers\n",
    );
    passes("pip-install-outside-venv", "DKR001", 5);
}

#[test]
fn pip_install_with_break_system_packages_is_only_a_warning() {
    let run = check(
        "pip-install-outside-venv/fail",
        "debian-break",
        "DKR001",
        &["--format", "json"],
    );
    assert_eq!(run.code, 0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(doc["diagnostics"][0]["severity"], "warning");
}

#[test]
fn eol_base_image_from_the_dockerfile_in_path_mode() {
    let run = check("eol-base-image", "paths-fail", "DKR003", &[]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, "4 warnings in 4 containers\n")
    );
    snapshot("check/eol-base-image.paths.human.txt", &run.stdout);
    let run = check(
        "eol-base-image",
        "paths-pass",
        "DKR003",
        &["--deny", "warnings"],
    );
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "no problems in 3 containers\n")
    );
    // Before Alpine 3.18's end of life, only the older Alpine 3.17 under node:18 is out,
    // and the runtimes Python 3.6 and PHP 7.3.
    let run = gen_in(
        &fixture("check/eol-base-image"),
        &[
            "check",
            "paths-fail",
            "--select",
            "DKR003",
            "--today",
            "2025-01-01",
        ],
    );
    assert_eq!(run.stderr, "3 warnings in 4 containers\n");
}

#[test]
fn healthcheck_missing_or_broken() {
    fails(
        "healthcheck-missing-or-broken",
        "HC001",
        0,
        "5 warnings in 5 containers\n",
    );
    passes("healthcheck-missing-or-broken", "HC001", 4);
}

#[test]
fn forwarded_headers_ignored() {
    fails(
        "forwarded-headers-ignored",
        "APP001",
        0,
        "4 warnings in 4 containers\n3 fixable with `--fix`\n",
    );
    passes("forwarded-headers-ignored", "APP001", 5);
}

#[test]
fn app_keepalive_timeout_too_short() {
    fails(
        "app-keepalive-timeout-too-short",
        "APP003",
        0,
        "2 warnings in 2 containers\n",
    );
    passes("app-keepalive-timeout-too-short", "APP003", 4);
}

#[test]
fn a_comment_allows_a_proxy_finding_on_the_next_line() {
    let ws = tempfile::tempdir().expect("tempdir");
    let src = fixture("check/missing-forwarded-headers/fail/bare");
    for name in ["Dockerfile", "nginx.conf"] {
        let text = std::fs::read_to_string(src.join(name)).expect("read");
        let text = text.replace(
            "        proxy_pass http://127.0.0.1:3000;",
            "        # gen: ignore[missing-forwarded-headers]\n        proxy_pass http://127.0.0.1:3000;",
        );
        std::fs::write(ws.path().join(name), text).expect("write");
    }
    let run = gen_in(ws.path(), &["check", ".", "--select", "NGX001"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            0,
            "",
            "no problems in 1 container (1 allowed by suppression comment)\n"
        )
    );
}
