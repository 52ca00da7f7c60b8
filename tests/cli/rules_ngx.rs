//! Further checks on the fixtures of the parse, nginx-proxy, image, health-check and app
//! rules (tests/fixtures/check/<rule-name>/): what the fixture harness
//! (tests/fixtures_check.rs) does not pin, such as a finding's severity or another day.

use crate::harness::{fixture, gen_in};

/// The day the golden files were written; end-of-life results depend on it.
const TODAY: &str = "2026-11-29";

fn check(dir: &str, sub: &str, code: &str, extra: &[&str]) -> crate::harness::Run {
    let mut args = vec!["check", sub, "--select", code, "--today", TODAY];
    args.extend_from_slice(extra);
    gen_in(&fixture(&format!("check/{dir}")), &args)
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
fn eol_base_image_from_the_dockerfile_in_path_mode_depends_on_the_day() {
    // Before Alpine 3.18's end of life, only the older Alpine 3.17 under node:18 is out,
    // and the runtimes Python 3.6 and PHP 7.3.
    let run = gen_in(
        &fixture("check/eol-base-image"),
        &[
            "check",
            "fail-paths",
            "--select",
            "DKR003",
            "--today",
            "2025-01-01",
        ],
    );
    assert_eq!(run.stderr, "3 warnings in 4 containers\n");
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
