//! `gen check`: the output formats (golden files), selection and suppression, and the exit
//! codes, on a few fixtures (tests/fixtures_check.rs runs every rule fixture on its own).

use crate::harness::{fixture, gen_in, root, snapshot, workspace};
use std::fs;

/// The day the golden files were written; end-of-life results depend on it.
const TODAY: &str = "2026-11-29";

/// Builds the drift fixture into `generated/` and edits it: one line changed, one file
/// removed, one file added.
fn drifted() -> tempfile::TempDir {
    let ws = workspace("check/generated-drift/spec.toml");
    let build = gen_in(ws.path(), &["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let conf = ws.path().join("generated/web/nginx.conf");
    let text = fs::read_to_string(&conf).expect("nginx.conf");
    assert!(text.contains("server 127.0.0.1:3000;"), "{text}");
    fs::write(
        &conf,
        text.replace("server 127.0.0.1:3000;", "server 127.0.0.1:3001;"),
    )
    .expect("edit nginx.conf");
    fs::remove_file(ws.path().join("generated/web/app.js")).expect("remove app.js");
    fs::write(ws.path().join("generated/web/notes.txt"), "mine\n").expect("add notes.txt");
    ws
}

#[test]
fn reference_spec_and_generated_tree_are_clean() {
    let run = gen_in(&root(), &["check", "--today", TODAY]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "no problems in 2 containers\n")
    );
}

#[test]
fn generated_drift_fails_with_one_finding_per_file() {
    let ws = drifted();
    let run = gen_in(ws.path(), &["check", "--select", "GEN001"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "3 errors in 1 container\n");
    snapshot("check/generated-drift.human.txt", &run.stdout);
    let run = gen_in(
        ws.path(),
        &["check", "--select", "generated-drift", "--format", "json"],
    );
    assert_eq!(run.code, 1);
    snapshot("check/generated-drift.json", &run.stdout);
}

#[test]
fn generated_drift_passes_right_after_build() {
    let ws = workspace("check/generated-drift/spec.toml");
    assert_eq!(gen_in(ws.path(), &["build"]).code, 0);
    let run = gen_in(ws.path(), &["check", "--select", "GEN001"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "no problems in 1 container\n")
    );
}

#[test]
fn github_format_prints_one_annotation_per_finding() {
    let ws = drifted();
    let run = gen_in(
        ws.path(),
        &["check", "--select", "GEN001", "--format", "github"],
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "::error file=generated/web/app.js,line=1,col=1,endLine=1,endColumn=1,title=GEN001::`generated/web/app.js` is missing\n\
         ::error file=generated/web/nginx.conf,line=37,col=9,endLine=37,endColumn=46,title=GEN001::`generated/web/nginx.conf` differs from what the spec gives\n\
         ::error file=generated/web/notes.txt,line=1,col=1,endLine=1,endColumn=5,title=GEN001::`generated/web/notes.txt` is not a file the spec gives\n"
    );
}

fn check_fixture(dir: &str, args: &[&str]) -> crate::harness::Run {
    let mut all = vec!["check", "--today", TODAY];
    all.extend_from_slice(args);
    gen_in(&fixture(dir), &all)
}

#[test]
fn eol_base_image_warns_and_fails_only_when_denied() {
    let run = check_fixture(
        "check/eol-base-image/fail",
        &["--select", "DKR003", "--deny", "warnings", "--quiet"],
    );
    assert_eq!((run.code, run.stderr.as_str()), (1, ""));
}

#[test]
fn eol_base_image_depends_on_the_day() {
    let run = gen_in(
        &fixture("check/eol-base-image/fail"),
        &["check", "--select", "DKR003", "--today", "2025-05-08"],
    );
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, "no problems in 2 containers\n")
    );
    let run = gen_in(
        &fixture("check/eol-base-image/fail"),
        &["check", "--select", "DKR003", "--today", "2025-05-09"],
    );
    assert_eq!(run.stderr, "1 warning in 2 containers\n");
}

#[test]
fn a_comment_in_the_spec_allows_a_finding() {
    let run = check_fixture("check/eol-base-image/suppressed", &["--select", "DKR003"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            0,
            "",
            "no problems in 1 container (1 allowed by suppression comment)\n"
        )
    );
}

#[test]
fn check_ignore_in_the_spec_turns_a_rule_off_unless_selected() {
    // The fixture has no generated/, so generated-drift is left out.
    let run = check_fixture("check/eol-base-image/spec-ignore", &["--ignore", "GEN001"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "no problems in 1 container\n")
    );
    let run = check_fixture("check/eol-base-image/spec-ignore", &["--select", "DKR003"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, "1 warning in 1 container\n")
    );
}

#[test]
fn ignore_flag_by_name_turns_a_rule_off() {
    let run = check_fixture(
        "check/eol-base-image/fail",
        &["--select", "DKR003,GEN002", "--ignore", "eol-base-image"],
    );
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, "no problems in 2 containers\n")
    );
}

#[test]
fn unknown_rule_in_flags_is_bad_usage() {
    let run = check_fixture("check/eol-base-image/pass", &["--select", "GEN01"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "error: unknown rule `GEN01` in `--select`\nhelp: did you mean `GEN001`? `gen rules` lists every rule\n"
        )
    );
    let run = check_fixture(
        "check/eol-base-image/pass",
        &["--ignore", "nothing-like-it"],
    );
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "error: unknown rule `nothing-like-it` in `--ignore`\nhelp: `gen rules` lists every rule\n"
        )
    );
}

#[test]
fn invalid_spec_is_rendered_in_the_chosen_format_and_exits_2() {
    let run = check_fixture("check/bad-spec", &[]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: `spec.toml` is not a valid spec (1 problem); nothing was checked\n"
    );
    snapshot("check/bad-spec.human.txt", &run.stdout);
    let run = check_fixture("check/bad-spec", &["--format", "json"]);
    assert_eq!(run.code, 2);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(doc["diagnostics"][0]["code"], "SPEC003");
    assert_eq!(
        doc["diagnostics"][0]["message"],
        "unknown rule `GEN01` in `check.ignore`"
    );
}

#[test]
fn unreadable_input_exits_2() {
    let ws = tempfile::tempdir().expect("tempdir");
    let run = gen_in(ws.path(), &["check"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "error: there is no spec.toml here, and no container: no `Dockerfile`, `Containerfile`, `nginx.conf`, `supervisord.conf` or compose file in this directory or its subdirectories\nhelp: pass the container directories to check, or run `gen init` to start a project\n"
        )
    );
    let run = gen_in(ws.path(), &["check", "--spec", "spec.toml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("error: there is no `spec.toml`"),
        "{}",
        run.stderr
    );
    let run = gen_in(ws.path(), &["check", "missing-dir"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("error: cannot read `missing-dir`: "),
        "{}",
        run.stderr
    );
    fs::write(ws.path().join("file"), "x").expect("write");
    let run = gen_in(ws.path(), &["check", "file"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "error: `file` is in no container: no `Dockerfile`, `Containerfile`, `nginx.conf`, `supervisord.conf` or compose file in its directory or above\n"
        )
    );
}

#[test]
fn bad_flags_exit_2() {
    let run = gen_in(
        &fixture("check/eol-base-image/pass"),
        &["check", "--today", "2026-02-30"],
    );
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "error: `--today 2026-02-30` is not a date: write it as YYYY-MM-DD\n"
        )
    );
    let run = check_fixture("check/eol-base-image/pass", &["--format", "xml"]);
    assert_eq!(run.code, 2);
    let run = check_fixture("check/eol-base-image/pass", &["--spec", "spec.toml", "web"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
}

#[test]
fn a_directory_of_containers_is_checked_container_by_container() {
    // `fail` and `pass` are not containers; each holds the container `web`. Naming
    // `pass/web` as well checks it once.
    let run = check_fixture(
        "check/invalid-ignore-comment",
        &["fail", "pass", "pass/web", "--select", "GEN002"],
    );
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, "4 warnings in 2 containers\n")
    );
    assert!(
        run.stdout.contains("--> fail/web/nginx.conf:4:"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_directory_without_containers_is_bad_usage() {
    let run = check_fixture("check/no-container", &["."]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "error: `.` holds no container: no Dockerfile (`Dockerfile`, `Containerfile`, `Dockerfile.*`, `*.dockerfile`) in it or up to 8 levels under it, and no `nginx.conf` or `supervisord.conf` in it or in a directory directly under it\n"
        )
    );
}

#[test]
fn the_generated_tree_can_be_checked_as_paths_without_a_spec() {
    let run = gen_in(&root(), &["check", "generated", "--today", TODAY]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "no problems in 2 containers\n")
    );
}

#[test]
fn json_summary_counts_findings_and_files() {
    let run = check_fixture(
        "check/invalid-ignore-comment/fail",
        &["web", "--select", "GEN002", "--format", "json", "--quiet"],
    );
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(
        doc["summary"],
        serde_json::json!({"errors": 0, "warnings": 4, "infos": 0, "files": 3})
    );
}

#[test]
fn no_color_when_not_a_terminal() {
    let ws = drifted();
    let run = gen_in(ws.path(), &["check", "--select", "GEN001"]);
    assert!(!run.stdout.is_empty() && !run.stdout.contains('\x1b'));
}

#[test]
fn invalid_ignore_comment_in_a_compose_file_is_reported_once() {
    // The compose file lies beside the Dockerfile: it is both the container's file and the
    // project's, and its comment is judged once.
    let dir = tempfile::tempdir().expect("tempdir");
    let web = root().join("generated/express-nginx");
    for entry in fs::read_dir(&web).expect("read generated/express-nginx") {
        let path = entry.expect("entry").path();
        fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
    }
    fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    build:\n      context: .\n    # gen: ignore[PORT999]\n    ports:\n      - \"8001:80\"\n",
    )
    .expect("write compose.yaml");
    let run = gen_in(dir.path(), &["check", ".", "--select", "GEN002"]);
    assert_eq!(run.stderr, "1 warning in 1 container\n", "{}", run.stdout);
    assert!(run.stdout.contains("compose.yaml:5:19"), "{}", run.stdout);
    assert!(
        run.stdout.contains("unknown rule `PORT999`"),
        "{}",
        run.stdout
    );
}
