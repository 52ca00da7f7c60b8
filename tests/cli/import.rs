//! `gen import`: hand-written container directories (tests/fixtures/import/) imported into a
//! spec, with the report, the spec and the snippet pinned in golden files; the spec then
//! built and checked.

use crate::harness::{fixture, gen_in, snapshot};
use std::path::Path;

/// A copy of `tests/fixtures/import/NAME` in a fresh directory: import writes beside it.
fn copy(name: &str) -> tempfile::TempDir {
    fn walk(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for e in std::fs::read_dir(from).expect("read fixture") {
            let e = e.expect("entry");
            let target = to.join(e.file_name());
            if e.file_type().expect("type").is_dir() {
                walk(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), &target).expect("copy");
            }
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    walk(&fixture(&format!("import/{name}")), dir.path());
    dir
}

/// Nothing of the scratch build is left beside the spec.
fn no_scratch(dir: &Path) {
    for e in std::fs::read_dir(dir).expect("read") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".gen-import-"), "left behind: {name}");
    }
}

const TODAY: &str = "2026-11-29";

#[test]
fn the_reference_setup_imports_builds_and_checks_clean_but_for_its_kept_base() {
    let t = copy("reference");
    let run = gen_in(
        t.path(),
        &["import", "fastapi-app", "express-app", "--today", TODAY],
    );
    snapshot("import/reference.stdout.txt", &run.stdout);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let spec = std::fs::read_to_string(t.path().join("spec.toml")).expect("spec written");
    snapshot("import/reference.spec.toml", &spec);
    no_scratch(t.path());
    let build = gen_in(t.path(), &["build"]);
    assert_eq!(build.code, 0, "{}{}", build.stdout, build.stderr);
    // The one finding left is the end-of-life base the originals chose and import kept,
    // which its report and the spec's comment above `base` both say.
    let line = 1 + spec
        .lines()
        .position(|l| l.starts_with("base = \"alpine:3.18\""))
        .expect("the kept base");
    let eol = format!(
        "spec.toml:{line}:8: warning[DKR003] base image `alpine:3.18` reached its end of life on 2025-05-09"
    );
    let check = gen_in(
        t.path(),
        &["check", "--today", TODAY, "--format", "concise"],
    );
    assert_eq!(check.stdout, format!("{eol}\n"));
    assert!(
        run.stdout
            .contains(&format!("still there (as in the originals): {eol}")),
        "{}",
        run.stdout
    );
    let check = gen_in(
        t.path(),
        &[
            "check", "--today", TODAY, "--ignore", "DKR003", "--deny", "warnings",
        ],
    );
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(check.stdout, "");
}

#[test]
fn a_gunicorn_app_is_not_expressible_and_nothing_is_written() {
    let t = copy("gunicorn");
    let run = gen_in(t.path(), &["import", "web", "--today", TODAY]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            1,
            "web: not imported\n  web/supervisord.conf:2:9: the app runs under gunicorn, which gen's templates cannot express yet: they run uvicorn (`kind = \"fastapi\"`) or node (`kind = \"express\"`)\n\nnothing to write: no container could be imported\n",
            ""
        )
    );
    assert!(!t.path().join("spec.toml").exists());
    no_scratch(t.path());
}

#[test]
fn an_existing_spec_is_kept_without_force() {
    let t = copy("reference");
    std::fs::write(t.path().join("spec.toml"), "# mine\n").expect("write");
    let run = gen_in(t.path(), &["import", "fastapi-app", "--today", TODAY]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "error: `spec.toml` exists; gen import does not overwrite a spec\nhelp: pass `--out` to write another file, or `--force` to replace it; nothing was written\n"
        )
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("spec.toml")).expect("read"),
        "# mine\n"
    );
    let forced = gen_in(
        t.path(),
        &["import", "fastapi-app", "--force", "--today", TODAY],
    );
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    let spec = std::fs::read_to_string(t.path().join("spec.toml")).expect("read");
    assert!(spec.contains("name = \"fastapi-nginx\""), "{spec}");
}

#[test]
fn nginx_lines_gen_has_no_key_for_are_carried_or_listed() {
    let t = copy("snippet");
    let run = gen_in(t.path(), &["import", "site", "--today", TODAY]);
    snapshot("import/snippet.stdout.txt", &run.stdout);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let spec = std::fs::read_to_string(t.path().join("spec.toml")).expect("spec written");
    snapshot("import/snippet.spec.toml", &spec);
    let snippet = t.path().join("site.nginx.conf");
    if crate_has_nginx_include(&spec) {
        let text = std::fs::read_to_string(&snippet).expect("snippet written");
        snapshot("import/snippet.nginx.conf", &text);
    } else {
        assert!(!snippet.exists());
    }
    no_scratch(t.path());
    let build = gen_in(t.path(), &["build"]);
    assert_eq!(build.code, 0, "{}{}", build.stdout, build.stderr);
    let check = gen_in(t.path(), &["check", "--today", TODAY, "--deny", "warnings"]);
    assert_eq!((check.code, check.stdout.as_str()), (0, ""));
}

fn crate_has_nginx_include(spec: &str) -> bool {
    spec.contains("\ninclude = [")
}

#[test]
fn a_file_that_does_not_parse_is_an_error_at_its_place() {
    let t = tempfile::tempdir().expect("tempdir");
    let dir = t.path().join("app");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM ubuntu:24.04\nCOPY nginx.conf /etc/nginx/nginx.conf\nCMD [\"nginx\"]\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("nginx.conf"),
        "events {}\nhttp {\n    server {\n        listen 80\n    }\n",
    )
    .expect("write");
    let run = gen_in(t.path(), &["import", "app", "--today", TODAY]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.starts_with("error: app/nginx.conf:"),
        "{}",
        run.stderr
    );
    assert!(!t.path().join("spec.toml").exists());
    no_scratch(t.path());
}

/// `upstream_keepalive = 0` (which import writes for an Express app that closes idle
/// connections sooner than nginx would reuse them) turns keep-alive off: nginx refuses
/// `keepalive 0`, so the upstream has no `keepalive` at all.
#[test]
fn no_upstream_keepalive_writes_no_keepalive_directive() {
    let t = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        t.path().join("spec.toml"),
        "[[container]]\nname = \"web\"\nhost_port = 8080\n[container.app]\nkind = \"express\"\nmessage = \"hi\"\n[container.nginx]\nupstream_keepalive = 0\n",
    )
    .expect("write");
    let build = gen_in(t.path(), &["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let conf = std::fs::read_to_string(t.path().join("generated/web/nginx.conf")).expect("read");
    assert!(
        conf.contains("    upstream app {\n        server 127.0.0.1:3000; # env APP_PORT\n    }\n"),
        "{conf}"
    );
    let check = gen_in(t.path(), &["check", "--today", TODAY, "--deny", "warnings"]);
    assert_eq!((check.code, check.stdout.as_str()), (0, ""));
}
