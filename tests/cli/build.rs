//! `gen build`: the committed generated/ is the golden output of spec.toml; --check reports
//! drift and writes nothing; a bad spec writes nothing.

use crate::support::{gen_in, repo_root, stderr, stdout};
use gen_core::commands::build::{Change, compare, read_tree};
use gen_core::generate::generate;
use std::fs;

/// generated/ equals what spec.toml gives. `GEN_BLESS=1` rewrites it instead.
#[test]
fn generated_matches_spec() {
    let root = repo_root();
    if std::env::var_os("GEN_BLESS").is_some() {
        let out = gen_in(&root, &["build"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let text = fs::read_to_string(root.join("spec.toml")).expect("spec.toml");
    let spec = gen_core::spec::load("spec.toml", &text).expect("the default spec is valid");
    let files = generate(&spec).expect("render");
    let on_disk = read_tree(&root.join("generated")).expect("read generated/");
    let stale: Vec<String> = compare(&on_disk, &files)
        .into_iter()
        .filter(|(_, c)| *c != Change::Unchanged)
        .map(|(p, c)| format!("{}: {c:?}", p.display()))
        .collect();
    assert!(
        stale.is_empty(),
        "generated/ is out of date (run `GEN_BLESS=1 cargo test` or `cargo run -- build`):\n{}",
        stale.join("\n")
    );
}

#[test]
fn build_writes_then_is_unchanged_and_check_passes() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::copy(repo_root().join("spec.toml"), dir.path().join("spec.toml")).expect("copy spec");
    let first = gen_in(dir.path(), &["build"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(
        stdout(&first)
            .ends_with("generated: 2 containers, 13 created, 0 updated, 0 removed, 0 unchanged\n")
    );
    let second = gen_in(dir.path(), &["build"]);
    assert_eq!(
        stdout(&second),
        "generated: 2 containers, 0 created, 0 updated, 0 removed, 13 unchanged\n"
    );
    let check = gen_in(dir.path(), &["build", "--check"]);
    assert_eq!(check.status.code(), Some(0));
    assert_eq!(stdout(&check), "generated is up to date with spec.toml\n");
    // No staging or retired trees are left beside the output.
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["generated", "spec.toml"]);
}

#[test]
fn check_reports_drift_with_a_diff_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::copy(repo_root().join("spec.toml"), dir.path().join("spec.toml")).expect("copy spec");
    assert!(gen_in(dir.path(), &["build"]).status.success());
    let conf = dir.path().join("generated/fastapi-nginx/nginx.conf");
    let edited = fs::read_to_string(&conf)
        .expect("read")
        .replace("server 127.0.0.1:8000;", "server 127.0.0.1:8001;");
    fs::write(&conf, &edited).expect("write");
    fs::write(dir.path().join("generated/stray.txt"), "x").expect("write");
    fs::remove_file(dir.path().join("generated/express-nginx/app.js")).expect("remove");

    let out = gen_in(dir.path(), &["build", "--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("missing: generated/express-nginx/app.js (the spec gives it)\n"));
    assert!(text.contains("extra: generated/stray.txt (the spec does not give it)\n"));
    assert!(text.contains("-        server 127.0.0.1:8001;\n+        server 127.0.0.1:8000;\n"));
    assert!(text.ends_with(
        "generated differs from what spec.toml gives in 3 files; run `gen build` to update it\n"
    ));
    // --check wrote nothing.
    assert_eq!(fs::read_to_string(&conf).expect("read"), edited);
    assert!(!dir.path().join("generated/express-nginx/app.js").exists());
}

#[test]
fn build_replaces_edits_and_removes_stray_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::copy(repo_root().join("spec.toml"), dir.path().join("spec.toml")).expect("copy spec");
    assert!(gen_in(dir.path(), &["build"]).status.success());
    fs::write(dir.path().join("generated/stray.txt"), "x").expect("write");
    let out = gen_in(dir.path(), &["build"]);
    assert_eq!(
        stdout(&out),
        "  removed generated/stray.txt\ngenerated: 2 containers, 0 created, 0 updated, 1 removed, 13 unchanged\n"
    );
    assert!(!dir.path().join("generated/stray.txt").exists());
}

#[test]
fn missing_spec_is_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = gen_in(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: cannot read `spec.toml`: "),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("generated").exists());
}
