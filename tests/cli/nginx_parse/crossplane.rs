//! gen against the real crossplane (PyPI `crossplane==0.5.8`): for every corpus file, every
//! generated nginx.conf and the edge cases of tests/fixtures/nginx/ (CRLF, a no-break space,
//! `}` ending a word, `;;`, Lua long brackets, `if` forms, map/geo/types/split_clients
//! blocks), `gen parse --include-comments` and crossplane's
//! `parse --single-file --include-comments` must agree on directive names, arguments, lines,
//! nesting and comments, except for the differences listed in
//! tests/fixtures/crossplane-known-differences.toml, each with its reason and nginx's verdict.
//!
//! crossplane is found at `$GEN_CROSSPLANE` or `.venv/bin/crossplane`; without it the test
//! fails when `CI` is set and is skipped (saying so) otherwise. The CLI always runs
//! crossplane's analyzer, which drops every directive it does not expect in the file's
//! top-level context, so an included fragment (`server { ... }`, `fastcgi_param ...`) would
//! compare as empty. The test therefore calls what the CLI calls, `crossplane.parse(file,
//! single=True, comments=True)`, with `check_ctx=False, check_args=False`, through the Python
//! interpreter of the crossplane script, all files in one process.

use super::diff::{
    Difference, check_against_known, corpus_files, corpus_text, diff_file, normalize,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const CROSSPLANE_VERSION: &str = "crossplane 0.5.8";

const BATCH: &str = r"
import json, sys
import crossplane
out = {}
for path in json.load(sys.stdin):
    out[path] = crossplane.parse(
        path, single=True, comments=True, catch_errors=True,
        check_ctx=False, check_args=False,
    )
json.dump(out, sys.stdout)
";

fn crossplane_binary() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = std::env::var_os("GEN_CROSSPLANE")
        .map_or_else(|| root.join(".venv/bin/crossplane"), PathBuf::from);
    if path.is_file() {
        return Some(path);
    }
    let why = format!(
        "crossplane not found at {} (set GEN_CROSSPLANE, or run \
         `python3 -m venv .venv && .venv/bin/pip install crossplane==0.5.8`)",
        path.display()
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "{why}; it is required on CI"
    );
    eprintln!("SKIPPED the crossplane comparison: {why}");
    None
}

/// The Python that runs the crossplane script, from its `#!` line.
fn interpreter(script: &Path) -> PathBuf {
    let text = std::fs::read_to_string(script).unwrap_or_default();
    let first = text.lines().next().unwrap_or_default();
    let python = first
        .strip_prefix("#!")
        .map(str::trim)
        .filter(|p| p.contains("python"))
        .unwrap_or_else(|| {
            panic!(
                "{} is not the Python crossplane script (first line {first:?})",
                script.display()
            )
        });
    PathBuf::from(python)
}

fn run_gen(path: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args([
            "parse",
            "--include-comments",
            "--no-check-ctx",
            "--no-check-args",
        ])
        .arg(path)
        .output()
        .expect("run gen");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "gen parse {path:?}: {:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("gen prints JSON")
}

fn run_crossplane(script: &Path, files: &[PathBuf]) -> BTreeMap<String, Value> {
    let version = Command::new(script)
        .arg("--version")
        .output()
        .expect("run crossplane --version");
    let version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
    assert_eq!(
        version, CROSSPLANE_VERSION,
        "the known differences are for {CROSSPLANE_VERSION}"
    );
    let mut child = Command::new(interpreter(script))
        .args(["-c", BATCH])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("run crossplane's Python");
    let list: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(serde_json::to_string(&list).expect("JSON").as_bytes())
        .expect("write file list");
    let out = child.wait_with_output().expect("crossplane output");
    assert!(out.status.success(), "crossplane failed: {:?}", out.status);
    serde_json::from_slice(&out.stdout).expect("crossplane prints JSON")
}

#[test]
fn gen_agrees_with_crossplane_except_known_differences() {
    let Some(script) = crossplane_binary() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = tempfile::tempdir().expect("temp dir");
    // (name in the known differences, path to parse)
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for rel in corpus_files() {
        let name = rel.to_string_lossy().replace('\\', "/");
        if rel.extension().is_some_and(|e| e == "bz2") {
            let path = scratch.path().join(format!("{}.conf", files.len()));
            std::fs::write(&path, corpus_text(&rel)).expect("write decompressed config");
            files.push((name, path));
        } else {
            files.push((name, super::diff::corpus_dir().join(&rel)));
        }
    }
    let generated = root.join("generated");
    let mut containers: Vec<_> = std::fs::read_dir(&generated)
        .expect("read generated/")
        .map(|e| e.expect("entry").path().join("nginx.conf"))
        .filter(|p| p.is_file())
        .collect();
    containers.sort();
    assert!(!containers.is_empty(), "no generated nginx.conf");
    let mut edge_cases: Vec<_> = std::fs::read_dir(root.join("tests/fixtures/nginx"))
        .expect("read tests/fixtures/nginx")
        .map(|e| e.expect("entry").path())
        .collect();
    edge_cases.sort();
    for path in containers.into_iter().chain(edge_cases) {
        let name = path
            .strip_prefix(root)
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        files.push((name, path));
    }

    let paths: Vec<PathBuf> = files.iter().map(|(_, p)| p.clone()).collect();
    let theirs = run_crossplane(&script, &paths);
    let mut found: Vec<Difference> = Vec::new();
    let mut same = 0;
    for (name, path) in &files {
        let mut mine = run_gen(path)["config"][0].clone();
        let key = path.display().to_string();
        let mut other = theirs
            .get(&key)
            .unwrap_or_else(|| panic!("no crossplane result for {key}"))["config"][0]
            .clone();
        normalize(&mut mine);
        normalize(&mut other);
        let diffs = diff_file(name, CROSSPLANE_VERSION, &mine, &other);
        if diffs.is_empty() {
            same += 1;
        }
        found.extend(diffs);
    }
    eprintln!(
        "crossplane comparison: {} files, {same} identical, {} differences",
        files.len(),
        found.len()
    );
    check_against_known(&found, |a| a == CROSSPLANE_VERSION);
}
