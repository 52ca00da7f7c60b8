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

/// A fixture under tests/fixtures, as the tests see it: under `check/`, the tree is
/// materialized (its bases laid in, tests/cli/fixture_tree.rs) into a temporary directory
/// that lives as long as the value; elsewhere it is the directory itself.
pub struct Fixture {
    path: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

impl std::ops::Deref for Fixture {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for Fixture {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// The fixture `rel`, a path under tests/fixtures.
pub fn fixture(rel: &str) -> Fixture {
    let path = root().join("tests/fixtures").join(rel);
    if rel != "check" && !rel.starts_with("check/") {
        return Fixture { path, _tmp: None };
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let name = path.file_name().expect("a file name");
    let at = tmp.path().join(name);
    if path.is_dir() {
        crate::fixture_tree::materialize(&path, &at);
    } else {
        std::fs::copy(&path, &at).expect("copy fixture");
    }
    Fixture {
        path: at,
        _tmp: Some(tmp),
    }
}

pub use crate::review::blessing;

/// Compares `actual` byte for byte with tests/snapshots/`name` (tests/cli/review.rs: with
/// `GEN_BLESS=1` a difference is written as `.new` for review).
pub fn snapshot(name: &str, actual: &str) {
    crate::review::assert_snapshot(&root().join("tests/snapshots").join(name), actual);
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
