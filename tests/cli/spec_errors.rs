//! Bad specs: each fixture in tests/fixtures/spec-errors/NAME.toml gets exactly the errors in
//! NAME.stderr, exit code 2, and nothing written. `GEN_BLESS=1` rewrites the .stderr files.

use crate::support::{gen_in, repo_root, stderr};
use std::fs;

#[test]
fn every_bad_spec_gets_its_exact_errors_and_writes_nothing() {
    let dir = repo_root().join("tests/fixtures/spec-errors");
    let bless = std::env::var_os("GEN_BLESS").is_some();
    let mut cases: Vec<_> = fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "fixtures missing in {}", dir.display());
    let mut failures = Vec::new();
    for case in &cases {
        let work = tempfile::tempdir().expect("tempdir");
        fs::copy(case, work.path().join("spec.toml")).expect("copy");
        let out = gen_in(work.path(), &["build"]);
        let got = stderr(&out);
        let expected_path = case.with_extension("stderr");
        if bless {
            fs::write(&expected_path, &got).expect("bless");
        }
        let want = fs::read_to_string(&expected_path).unwrap_or_default();
        let name = case.file_name().map(|n| n.to_string_lossy().into_owned());
        if out.status.code() != Some(2) {
            failures.push(format!("{name:?}: exit {:?}, want 2", out.status.code()));
        }
        if got != want {
            failures.push(format!(
                "{name:?}: stderr differs\n--- want\n{want}--- got\n{got}"
            ));
        }
        if work.path().join("generated").exists() {
            failures.push(format!("{name:?}: generated/ was written"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
