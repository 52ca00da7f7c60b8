//! Running the `gen` binary, fixtures, and golden files (rewritten with `GEN_BLESS=1`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// What one run of `gen` did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `gen ARGS` in `dir`, with no colour and no terminal.
pub fn gen_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(dir)
        .env_remove("GEN_BLESS")
        .env("NO_COLOR", "1")
        .output()
        .expect("run gen");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under tests/fixtures.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// Whether golden files should be rewritten rather than compared.
pub fn blessing() -> bool {
    std::env::var_os("GEN_BLESS").is_some_and(|v| v == "1")
}

/// Compares `actual` byte for byte with tests/snapshots/`name`; with `GEN_BLESS=1`, writes it.
pub fn snapshot(name: &str, actual: &str) {
    let path = root().join("tests/snapshots").join(name);
    if blessing() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create snapshot dir");
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with GEN_BLESS=1 to create it", path.display()));
    assert!(
        expected == actual,
        "{} differs (GEN_BLESS=1 rewrites it):\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

/// A temporary directory holding a copy of the fixture spec `rel` as `spec.toml`.
pub fn workspace(rel: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(fixture(rel), dir.path().join("spec.toml")).expect("copy spec");
    dir
}

/// Checks `tests/fixtures/check/<rule>/<dir>` as a path, with only `code` selected: the
/// rule fixtures of tests/cli/rules_*.rs.
pub fn rule_check(rule: &str, dir: &str, code: &str, format: &str) -> crate::harness::Run {
    gen_in(
        &fixture(&format!("check/{rule}")),
        &["check", dir, "--select", code, "--format", format],
    )
}

/// The failing fixture: exit code, summary, and the human and JSON output pinned.
pub fn rule_fails(rule: &str, code: &str, exit: i32, summary: &str) {
    let run = rule_check(rule, "fail", code, "human");
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (exit, summary),
        "{}",
        run.stdout
    );
    snapshot(&format!("check/{rule}.human.txt"), &run.stdout);
    let run = rule_check(rule, "fail", code, "json");
    assert_eq!(run.code, exit);
    snapshot(&format!("check/{rule}.json"), &run.stdout);
}

/// The passing fixture: no finding of the rule.
pub fn rule_passes(rule: &str, code: &str, containers: usize) {
    let run = rule_check(rule, "pass", code, "human");
    let want = format!(
        "no problems in {containers} container{}\n",
        if containers == 1 { "" } else { "s" }
    );
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", want.as_str())
    );
}
