//! Hostile inputs (tests/fixtures/hostile/ and large ones made here): each gets its exact
//! outcome, within a time bound, without reading outside its directory or writing anything.

use crate::harness::{fixture, root, snapshot};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs `gen ARGS` in `dir` and kills it if it runs longer than `limit`: a hang fails. The
/// output is read while it runs, so a large one cannot fill the pipe and stall it.
fn gen_bounded(dir: &Path, args: &[&str], limit: Duration) -> (i32, String, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn gen");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let Ok(out) = rx.recv_timeout(limit) else {
        let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
        panic!("gen {args:?} ran longer than {limit:?}");
    };
    let out = out.expect("output");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const LIMIT: Duration = Duration::from_secs(30);

/// The codes of the findings, in order.
fn codes(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| {
            let rest = l
                .strip_prefix("error[")
                .or_else(|| l.strip_prefix("warning["))?;
            Some(rest.split(']').next()?.to_owned())
        })
        .collect()
}

fn check_dir(dir: &Path) -> (i32, String, String) {
    gen_bounded(dir, &["check", ".", "--today", "2026-11-29"], LIMIT)
}

/// Nothing of the host's /etc/passwd or /etc/shadow reaches the output.
fn assert_no_host_files(out: &str) {
    assert!(!out.contains("root:x:0:0"), "{out}");
    assert!(
        !out.contains("root:*:") && !out.contains("root:!:"),
        "{out}"
    );
}

#[test]
fn committed_hostile_directories() {
    let cases: [(&str, i32, &[&str]); 4] = [
        ("binary-config", 0, &["HC001", "PRS007"]),
        ("include-cycle", 1, &["HC001", "PRS004"]),
        ("copy-outside", 1, &["HC001", "PATH002"]),
        ("symlink-loop", 0, &["HC001"]),
    ];
    for (name, code, want) in cases {
        let dir = fixture(&format!("hostile/{name}"));
        let (got_code, stdout, stderr) = check_dir(&dir);
        assert_eq!(got_code, code, "{name}: {stdout}{stderr}");
        let mut got = codes(&stdout);
        got.sort();
        assert_eq!(got, want, "{name}: {stdout}");
        assert_no_host_files(&stdout);
        snapshot(&format!("hostile/{name}.human.txt"), &stdout);
    }
}

/// The large inputs: a 10 MB line, nesting 100,000 deep, 3,000 included files, a FIFO named
/// nginx.conf (reading it would hang), each a finding or nothing, never a hang.
#[test]
fn large_and_odd_inputs_are_bounded() {
    let dockerfile = "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends nginx\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY conf.d/ /etc/nginx/conf.d/\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\nHEALTHCHECK CMD [\"true\"]\n";
    let make = |nginx: &str| {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("Dockerfile"), dockerfile).expect("write");
        std::fs::create_dir(dir.path().join("conf.d")).expect("mkdir");
        std::fs::write(dir.path().join("conf.d/empty.conf"), "").expect("write");
        std::fs::write(dir.path().join("nginx.conf"), nginx).expect("write");
        dir
    };
    // A 10 MB line: read and parsed.
    let long = format!(
        "events {{}}\nhttp {{ server {{ listen 80; return 200 \"{}\"; }} }}\n",
        "a".repeat(10_000_000)
    );
    let (code, stdout, _) = check_dir(make(&long).path());
    assert_eq!((code, codes(&stdout)), (0, vec![]), "{stdout}");
    // Regular expressions: parentheses nested 300 deep (PCRE2 refuses more than 250, in
    // nginx too), 5,000 locations, and a 1 MB pattern (past gen's limit: not judged).
    let regexes = format!(
        "events {{}}\nhttp {{ server {{ listen 80; location ~ \"{}a{}\" {{ }} {} location ~ \"{}\" {{ }} }} }}\n",
        "(".repeat(300),
        ")".repeat(300),
        (0..5000)
            .map(|i| format!("location ~ ^/{i}(a|b)+$ {{ }}"))
            .collect::<String>(),
        "(a|b)".repeat(200_000)
    );
    let started = std::time::Instant::now();
    let (code, stdout, _) = check_dir(make(&regexes).path());
    assert_eq!(
        (code, codes(&stdout)),
        (1, vec!["NGX013".to_owned()]),
        "{stdout}"
    );
    assert!(
        stdout.contains("parentheses are too deeply nested"),
        "{stdout}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    // Blocks nested 100,000 deep: gen's depth limit, said once.
    let deep = format!(
        "events {{}}\n{}{}",
        "http {".repeat(100_000),
        "}".repeat(100_000)
    );
    let (code, stdout, _) = check_dir(make(&deep).path());
    assert_eq!(
        (code, codes(&stdout)),
        (0, vec!["PRS006".to_owned()]),
        "{stdout}"
    );
    assert!(
        stdout.contains("blocks are nested deeper than 256"),
        "{stdout}"
    );
    // 3,000 included files: gen's file limit, said once.
    let dir = make("events {}\nhttp { include /etc/nginx/conf.d/*.conf; }\n");
    for i in 0..3000 {
        std::fs::write(
            dir.path().join(format!("conf.d/s{i}.conf")),
            format!("server {{ listen {}; }}\n", 10_000 + i),
        )
        .expect("write");
    }
    let (code, stdout, _) = check_dir(dir.path());
    assert_eq!(
        (code, codes(&stdout)),
        (0, vec!["PRS006".to_owned()]),
        "{stdout}"
    );
    assert!(
        stdout.contains("more than 256 nginx config files"),
        "{stdout}"
    );
    // A FIFO named nginx.conf is not a regular file: not opened, so no hang.
    let dir = make("");
    std::fs::remove_file(dir.path().join("nginx.conf")).expect("rm");
    let status = Command::new("mkfifo")
        .arg(dir.path().join("nginx.conf"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let (code, stdout, stderr) = check_dir(dir.path());
    assert!(code == 0 || code == 1, "{stdout}{stderr}");
}

/// Nothing a check reads may be written: the hostile fixtures are unchanged afterwards, and
/// `gen check` leaves no file behind in the directory it checks.
#[test]
fn check_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("c");
    std::fs::create_dir(&copy).expect("mkdir");
    for f in ["Dockerfile", "nginx.conf", "a.conf", "b.conf"] {
        std::fs::copy(fixture(&format!("hostile/include-cycle/{f}")), copy.join(f)).expect("copy");
    }
    let before: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .map(|e| e.expect("e").path())
        .collect();
    let _ = gen_bounded(dir.path(), &["check", "c"], LIMIT);
    let after: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .map(|e| e.expect("e").path())
        .collect();
    assert_eq!(before, after);
    assert_eq!(std::fs::read_dir(&copy).expect("ls").count(), 4);
    let _ = root();
}

/// A 10 MB spec is refused from its size, at once.
#[test]
fn huge_spec_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = format!("[[container]]\nname = \"{}\"\n", "a".repeat(10_000_000));
    std::fs::write(dir.path().join("spec.toml"), spec).expect("write");
    for cmd in ["build", "check"] {
        let (code, stdout, stderr) = gen_bounded(dir.path(), &[cmd], LIMIT);
        assert_eq!(code, 2, "{cmd}: {stdout}{stderr}");
        let all = format!("{stdout}{stderr}");
        assert!(
            all.contains("the spec is 10000024 bytes, more than gen reads (1048576 bytes)"),
            "{cmd}: {all}"
        );
        assert!(!dir.path().join("generated").exists());
    }
}

/// A huge file in the output directory is refused from its size, not read.
#[test]
fn huge_file_in_the_output_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(root().join("spec.toml"), dir.path().join("spec.toml")).expect("copy");
    let (code, _, stderr) = gen_bounded(dir.path(), &["build"], LIMIT);
    assert_eq!(code, 0, "{stderr}");
    let huge = std::fs::File::create(dir.path().join("generated/huge.bin")).expect("create");
    huge.set_len(70 << 20).expect("sparse file");
    for args in [&["build"][..], &["build", "--check"][..], &["check"][..]] {
        let (code, _, stderr) = gen_bounded(dir.path(), args, LIMIT);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains("`generated/huge.bin` is larger than 64 MiB, more than gen reads"),
            "{args:?}: {stderr}"
        );
    }
}

/// Regression (found by fuzzing `container_model`): a Dockerfile of thousands of lines that
/// are not instructions got one finding per line, and each finding re-indexed the whole file
/// (twice: in the rule and in the renderer), so the time grew with the square of the size.
/// 20,000 junk lines (about 1 MB) must come out well inside the hang bound.
#[test]
fn dockerfile_of_junk_lines_stays_linear() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("FROM debian:12\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "    \"key{i}\": \"a value that is not an instruction\",\n"
        ));
    }
    std::fs::write(dir.path().join("Dockerfile"), text).expect("write");
    let (code, stdout, _) = gen_bounded(dir.path(), &["check", "."], LIMIT);
    assert_eq!(code, 1);
    assert_eq!(
        codes(&stdout).iter().filter(|c| *c == "PRS002").count(),
        20_000
    );
}

/// Every input a fuzz target found a crash or hang with (tests/fixtures/fuzz-regressions/,
/// named `<target>-<what>`), replayed the way that target reads it.
#[test]
fn fuzz_regressions_replay() {
    let dir = fixture("fuzz-regressions");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("fuzz-regressions")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    assert!(!entries.is_empty());
    for input in entries {
        let name = input
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(&input).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            name.starts_with("container_model-"),
            "unknown target in {name}"
        );
        // As fuzz/fuzz_targets/container_model.rs splits it.
        let work = tempfile::tempdir().expect("tempdir");
        let names = [
            "Dockerfile",
            "nginx.conf",
            "supervisord.conf",
            "app.py",
            "app.js",
            "conf.d/site.conf",
        ];
        for (body, rel) in text.split("\n---\n").zip(names) {
            let path = work.path().join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, body).expect("write");
        }
        let (code, stdout, stderr) = gen_bounded(work.path(), &["check", "."], LIMIT);
        assert!(code == 0 || code == 1, "{name}: {stdout}{stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
}
