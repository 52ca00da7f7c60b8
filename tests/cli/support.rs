//! Shared helpers: run the gen binary, find external tools.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn gen_bin() -> &'static str {
    env!("CARGO_BIN_EXE_gen")
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs gen with `args` in `dir`, with a clean colour environment.
pub fn gen_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(gen_bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run gen")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// An external tool on PATH. In CI a missing tool fails the test; elsewhere the test is
/// skipped with a message saying why.
pub fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "`{name}` is not installed, and CI must run every test"
        );
        eprintln!("SKIPPED: `{name}` is not on PATH; install it to run this test");
    }
    found
}
