//! `gen build`: the committed generated/ is the golden output of spec.toml; --check reports
//! drift and writes nothing; a bad spec writes nothing.

use crate::support::{gen_in, repo_root, stderr, stdout};
use gen_core::commands::build::{Change, compare, read_tree};
use gen_core::generate::generate;
use gen_core::generate::project::Project;
use std::fs;

/// The committed specs and their generated trees: the default spec and every example.
const GOLDEN: &[(&str, &str)] = &[
    ("spec.toml", "generated"),
    ("examples/lb/spec.toml", "examples/lb/generated"),
];

/// Each committed generated tree equals what its spec gives. `GEN_BLESS=1` rewrites them.
#[test]
fn generated_matches_spec() {
    let root = repo_root();
    for (spec_path, out) in GOLDEN {
        if std::env::var_os("GEN_BLESS").is_some() {
            let o = gen_in(
                &root,
                &["build", "--force", "--spec", spec_path, "--out", out],
            );
            assert!(o.status.success(), "{}", stderr(&o));
        }
        let text = fs::read_to_string(root.join(spec_path)).expect("spec");
        let spec = gen_core::spec::load(spec_path, &text).expect("the committed spec is valid");
        let files = generate(&spec, &Project::default()).expect("render");
        let on_disk = read_tree(&root.join(out)).expect("read the generated tree");
        let stale: Vec<String> = compare(&on_disk, &files)
            .into_iter()
            .filter(|(_, c)| *c != Change::Unchanged)
            .map(|(p, c)| format!("{}: {c:?}", p.display()))
            .collect();
        assert!(
            stale.is_empty(),
            "{out} is out of date with {spec_path} (run `GEN_BLESS=1 cargo test` or `gen build`):\n{}",
            stale.join("\n")
        );
    }
}

#[test]
fn build_writes_then_is_unchanged_and_check_passes() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::copy(repo_root().join("spec.toml"), dir.path().join("spec.toml")).expect("copy spec");
    let first = gen_in(dir.path(), &["build"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(
        stdout(&first)
            .ends_with("generated: 2 containers, 21 created, 0 updated, 0 removed, 0 unchanged\n")
    );
    let second = gen_in(dir.path(), &["build"]);
    assert_eq!(
        stdout(&second),
        "generated: 2 containers, 0 created, 0 updated, 0 removed, 21 unchanged\n"
    );
    let verbose = gen_in(dir.path(), &["build", "--verbose"]);
    assert!(stdout(&verbose).starts_with("unchanged generated/.compose-lint.yml\n"));
    assert_eq!(stdout(&verbose).lines().count(), 22);
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
    let edited = fs::read_to_string(&conf).expect("read").replace(
        "server 127.0.0.1:8000; # env",
        "server 127.0.0.1:8001; # env",
    );
    fs::write(&conf, &edited).expect("write");
    fs::write(dir.path().join("generated/stray.txt"), "x").expect("write");
    fs::remove_file(dir.path().join("generated/express-nginx/app.js")).expect("remove");

    let out = gen_in(dir.path(), &["build", "--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("missing: generated/express-nginx/app.js (the spec gives it)\n"));
    assert!(text.contains("extra: generated/stray.txt (the spec does not give it)\n"));
    assert!(text.contains(
        "-        server 127.0.0.1:8001; # env APP_PORT\n+        server 127.0.0.1:8000; # env APP_PORT\n"
    ));
    assert!(text.ends_with(
        "generated differs from what spec.toml gives in 3 files; run `gen build` to update it\n"
    ));
    // --check wrote nothing.
    assert_eq!(fs::read_to_string(&conf).expect("read"), edited);
    assert!(!dir.path().join("generated/express-nginx/app.js").exists());
}

#[test]
fn build_refuses_to_lose_hand_edits_until_forced() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::copy(repo_root().join("spec.toml"), dir.path().join("spec.toml")).expect("copy spec");
    assert!(gen_in(dir.path(), &["build"]).status.success());
    let conf = dir.path().join("generated/fastapi-nginx/nginx.conf");
    let edited = fs::read_to_string(&conf)
        .expect("read")
        .replace("keepalive 16;", "keepalive 32;");
    fs::write(&conf, &edited).expect("write");
    fs::write(dir.path().join("generated/notes.txt"), "mine").expect("write");

    let refused = gen_in(dir.path(), &["build"]);
    assert_eq!(refused.status.code(), Some(2));
    let err = stderr(&refused);
    assert!(
        err.contains("-        keepalive 32;\n+        keepalive 16;\n"),
        "{err}"
    );
    assert!(err.contains("generated/notes.txt would be removed: the spec does not give it\n"));
    assert!(err.contains(
        "error: 2 files in generated changed since gen wrote them:\n  generated/fastapi-nginx/nginx.conf\n  generated/notes.txt\n"
    ));
    assert!(err.ends_with("run `gen build --force` to overwrite them; nothing was written\n"));
    assert_eq!(fs::read_to_string(&conf).expect("read"), edited);
    assert!(dir.path().join("generated/notes.txt").exists());

    // The drift check sees the edit too.
    let check = gen_in(dir.path(), &["build", "--check"]);
    assert_eq!(check.status.code(), Some(1));

    let forced = gen_in(dir.path(), &["build", "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert_eq!(
        stdout(&forced),
        "  updated generated/fastapi-nginx/nginx.conf\n  removed generated/notes.txt\ngenerated: 2 containers, 0 created, 1 updated, 1 removed, 20 unchanged\n"
    );
    assert!(!dir.path().join("generated/notes.txt").exists());
}

#[test]
fn a_spec_change_updates_files_gen_wrote_without_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = fs::read_to_string(repo_root().join("spec.toml")).expect("spec");
    fs::write(dir.path().join("spec.toml"), &spec).expect("write");
    assert!(gen_in(dir.path(), &["build"]).status.success());
    fs::write(
        dir.path().join("spec.toml"),
        spec.replace("port = 8000", "port = 8010"),
    )
    .expect("write");
    let out = gen_in(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let conf =
        fs::read_to_string(dir.path().join("generated/fastapi-nginx/nginx.conf")).expect("read");
    assert!(conf.contains("server 127.0.0.1:8010;"));
}

/// `gen build` killed with SIGKILL at 100 points spread over its run always leaves a complete
/// old or complete new generated/, never a mix.
#[test]
fn killed_build_leaves_old_or_new_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec_a = fs::read_to_string(repo_root().join("spec.toml")).expect("spec");
    let spec_b = spec_a.replace("port = 3000", "port = 3030").replace(
        "Hello from container 1 - fastapi",
        "Hello again from container 1",
    );
    let tree = |text: &str| {
        let spec = gen_core::spec::load("spec.toml", text).expect("valid");
        generate(&spec, &Project::default())
            .expect("render")
            .into_iter()
            .map(|f| (f.path, f.contents.into_bytes()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (tree_a, tree_b) = (tree(&spec_a), tree(&spec_b));
    fs::write(dir.path().join("spec.toml"), &spec_a).expect("write");
    assert!(gen_in(dir.path(), &["build"]).status.success());
    let (mut old_seen, mut new_seen) = (0, 0);
    for i in 0..100u64 {
        let next = if i % 2 == 0 { &spec_b } else { &spec_a };
        let before = read_tree(&dir.path().join("generated")).expect("read");
        fs::write(dir.path().join("spec.toml"), next).expect("write");
        let mut child = std::process::Command::new(crate::support::gen_bin())
            .arg("build")
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        // Spread the kills over the whole run: 0 to 15 ms, in a scrambled order.
        std::thread::sleep(std::time::Duration::from_micros((i * 7919) % 15_000));
        let _ = child.kill();
        let _ = child.wait();
        let after = read_tree(&dir.path().join("generated")).expect("read");
        let want_new = if i % 2 == 0 { &tree_b } else { &tree_a };
        if after == before {
            old_seen += 1;
        } else if &after == want_new {
            new_seen += 1;
        } else {
            panic!("run {i}: generated/ is neither the old nor the new tree");
        }
        // Make sure the next run starts from a complete new tree.
        let done = gen_in(dir.path(), &["build"]);
        assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    }
    eprintln!("killed builds: {old_seen} left the old tree, {new_seen} the new one");
}

#[test]
fn missing_spec_is_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = gen_in(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: there is no `spec.toml`"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("generated").exists());
}
