//! Further cases of existing rules, each a pair of fixtures beside the rule's own:
//! `tests/fixtures/check/<rule>/fail-<case>` draws exactly its findings (golden human
//! output), `pass-<case>` none.

use crate::harness::{fixture, gen_in, snapshot};

/// (rule fixture directory, case, code, what to check in it, summary of the failing fixture)
const CASES: [(&str, &str, &str, &str, &str); 10] = [
    (
        "supervisord-behind-shell",
        "no-shebang",
        "PROC004",
        "web",
        "1 warning in 1 container\n1 fixable with `--fix`",
    ),
    (
        "program-path-missing",
        "entry-point",
        "PROC007",
        "web",
        "1 error in 1 container",
    ),
    (
        "program-path-missing",
        "entry-node",
        "PROC007",
        "web",
        "1 error in 1 container",
    ),
    (
        "program-executable-missing",
        "multi-stage",
        "PROC006",
        ".",
        "2 errors in 2 containers",
    ),
    (
        "program-daemonizes",
        "config",
        "PROC009",
        ".",
        "3 errors in 3 containers",
    ),
    (
        "program-path-missing",
        "entry-uwsgi",
        "PROC007",
        ".",
        "2 errors in 2 containers",
    ),
    (
        "upstream-port-mismatch",
        "hypercorn",
        "PORT001",
        ".",
        "2 errors in 2 containers\n2 fixable with `--fix --unsafe-fixes`",
    ),
    (
        "upstream-protocol-mismatch",
        "grpc-scgi",
        "SOCK002",
        ".",
        "2 errors in 2 containers",
    ),
    (
        "socket-permission-denied",
        "alpine-php-fpm",
        "SOCK003",
        "web",
        "1 error in 1 container",
    ),
    (
        "healthcheck-missing-or-broken",
        "compose",
        "HC001",
        ".",
        "2 warnings in 2 containers",
    ),
];

#[test]
fn each_failing_case_gets_its_findings() {
    for (rule, case, code, path, summary) in CASES {
        let at = fixture(&format!("check/{rule}/fail-{case}"));
        let run = gen_in(&at, &["check", path, "--select", code]);
        let errors = summary.contains("error");
        assert_eq!(
            (run.code, run.stderr.trim_end()),
            (i32::from(errors), summary),
            "{rule}/{case}:\n{}",
            run.stdout
        );
        snapshot(&format!("check/{rule}.{case}.human.txt"), &run.stdout);
    }
}

#[test]
fn each_passing_case_is_clean() {
    for (rule, case, code, path, _) in CASES {
        let run = gen_in(
            &fixture(&format!("check/{rule}/pass-{case}")),
            &["check", path, "--select", code, "--deny", "warnings"],
        );
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (0, ""),
            "{rule}/{case}: {}",
            run.stderr
        );
        assert!(
            run.stderr.starts_with("no problems in "),
            "{rule}/{case}: {}",
            run.stderr
        );
    }
}
