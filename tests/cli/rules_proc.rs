//! The process, log and path rules (`PROC`, `LOG`, `PATH`) on their fixtures: each failing
//! fixture gets exactly its findings (golden human and JSON output), each passing one none.

use crate::harness::{fixture, gen_in, snapshot};

/// (fixture directory under tests/fixtures/check/, code, summary of the failing fixture)
const RULES: [(&str, &str, &str); 13] = [
    (
        "console-log-rotated",
        "LOG001",
        "2 errors in 1 container\n2 fixable with `--fix`",
    ),
    (
        "logs-hidden-from-docker",
        "LOG002",
        "2 warnings in 1 container\n2 fixable with `--fix`",
    ),
    ("config-path-missing", "PATH001", "1 error in 1 container"),
    ("copy-source-missing", "PATH002", "2 errors in 1 container"),
    (
        "nginx-daemonizes",
        "PROC001",
        "1 error in 1 container\n1 fixable with `--fix`",
    ),
    (
        "duplicate-daemon-directive",
        "PROC002",
        "1 error in 1 container\n1 fixable with `--fix`",
    ),
    (
        "supervisord-daemonizes",
        "PROC003",
        "1 error in 1 container\n1 fixable with `--fix`",
    ),
    (
        "supervisord-behind-shell",
        "PROC004",
        "1 warning in 1 container\n1 fixable with `--fix`",
    ),
    (
        "supervisord-config-missing",
        "PROC005",
        "1 error in 1 container",
    ),
    (
        "program-executable-missing",
        "PROC006",
        "1 error in 1 container",
    ),
    ("program-path-missing", "PROC007", "1 error in 1 container"),
    (
        "process-group-not-stopped",
        "PROC008",
        "1 warning in 1 container\n1 fixable with `--fix`",
    ),
    ("program-daemonizes", "PROC009", "1 error in 1 container"),
];

#[test]
fn each_failing_fixture_gets_its_findings() {
    for (dir, code, summary) in RULES {
        let at = fixture(&format!("check/{dir}/fail"));
        let run = gen_in(&at, &["check", "web", "--select", code]);
        let errors = summary.contains("error");
        assert_eq!(
            (run.code, run.stderr.trim_end()),
            (i32::from(errors), summary),
            "{dir}:\n{}",
            run.stdout
        );
        assert!(
            run.stdout.matches(&format!("[{code}]")).count() >= 1,
            "{dir}:\n{}",
            run.stdout
        );
        snapshot(&format!("check/{dir}.human.txt"), &run.stdout);
        let json = gen_in(&at, &["check", "web", "--select", code, "--format", "json"]);
        snapshot(&format!("check/{dir}.json"), &json.stdout);
        if !errors {
            let denied = gen_in(
                &at,
                &["check", "web", "--select", code, "--deny", "warnings"],
            );
            assert_eq!(denied.code, 1, "{dir}");
        }
    }
}

#[test]
fn each_passing_fixture_is_clean() {
    for (dir, code, _) in RULES {
        let run = gen_in(
            &fixture(&format!("check/{dir}/pass")),
            &["check", "web", "--select", code, "--deny", "warnings"],
        );
        assert_eq!(
            (run.code, run.stdout.as_str(), run.stderr.as_str()),
            (0, "", "no problems in 1 container\n"),
            "{dir}"
        );
    }
}
