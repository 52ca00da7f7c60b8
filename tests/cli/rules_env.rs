//! The configuration rules (`ENV`) on their fixtures: each failing fixture gets exactly its
//! findings (golden human and JSON output), each passing one none.

use crate::harness::{fixture, gen_in, snapshot};

/// (fixture directory under tests/fixtures/check/, code, summary of the failing fixture)
const RULES: [(&str, &str, &str); 2] = [
    ("env-marker-mismatch", "ENV002", "2 errors in 1 container"),
    ("env-value-refused", "ENV003", "2 errors in 1 container"),
];

#[test]
fn each_failing_fixture_gets_its_findings() {
    for (dir, code, summary) in RULES {
        let at = fixture(&format!("check/{dir}/fail"));
        let run = gen_in(&at, &["check", "web", "--select", code]);
        assert_eq!(
            (run.code, run.stderr.trim_end()),
            (1, summary),
            "{dir}:\n{}",
            run.stdout
        );
        snapshot(&format!("check/{dir}.human.txt"), &run.stdout);
        let json = gen_in(&at, &["check", "web", "--select", code, "--format", "json"]);
        snapshot(&format!("check/{dir}.json"), &json.stdout);
    }
}

#[test]
fn each_passing_fixture_is_clean() {
    for (dir, code, _) in RULES {
        let at = fixture(&format!("check/{dir}/pass"));
        let run = gen_in(
            &at,
            &["check", "web", "--select", code, "--deny", "warnings"],
        );
        assert_eq!(
            (run.code, run.stdout.as_str(), run.stderr.trim_end()),
            (0, "", "no problems in 1 container"),
            "{dir}"
        );
    }
}
