//! `gen parse` on Dockerfiles: the JSON shape, the guess from the file name, and errors.

use super::support::{gen_bin, repo_root};
use std::path::Path;
use std::process::Command;

fn run(args: &[&str], path: &Path) -> (i32, String, String) {
    let out = Command::new(gen_bin())
        .arg("parse")
        .args(args)
        .arg(path)
        .output()
        .expect("run gen");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    )
}

#[test]
fn a_file_named_dockerfile_is_read_as_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("Dockerfile.dev");
    std::fs::write(&path, "FROM alpine:3.22 AS base\nCOPY --chown=app a /b/\n").expect("write");
    let (code, out, err) = run(&[], &path);
    assert_eq!((code, err.as_str()), (0, ""));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let want = serde_json::json!({"file": path.display().to_string(), "instructions": [
        {"instruction": "FROM", "line": 1, "end_line": 1, "stage": 0, "flags": {},
         "args": ["alpine:3.22", "AS", "base"], "form": null, "value": "alpine:3.22 AS base"},
        {"instruction": "COPY", "line": 2, "end_line": 2, "stage": 0, "flags": {"chown": "app"},
         "args": ["a", "/b/"], "form": null, "value": "a /b/"}
    ]});
    assert_eq!(v, want);
}

#[test]
fn as_dockerfile_on_the_generated_dockerfiles() {
    for name in ["fastapi-nginx", "express-nginx"] {
        let path = repo_root().join("generated").join(name).join("Dockerfile");
        let (code, out, err) = run(&["--as", "dockerfile"], &path);
        assert_eq!((code, err.as_str()), (0, ""), "{name}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        let ins = v["instructions"].as_array().expect("instructions");
        let cmd = ins.last().expect("an instruction");
        assert_eq!(cmd["instruction"], "CMD", "{name}");
        assert_eq!(cmd["form"], "exec", "{name}");
        assert_eq!(cmd["args"][0], "/usr/bin/supervisord", "{name}");
        let text = std::fs::read_to_string(&path).expect("read");
        let last_line = text.lines().count();
        assert_eq!(
            cmd["end_line"].as_u64(),
            u64::try_from(last_line).ok(),
            "{name}"
        );
    }
}

#[test]
fn a_parse_error_exits_2_with_a_located_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, "FROM a\nRUN <<EOF\necho never closed\n").expect("write");
    let (code, out, err) = run(&[], &path);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    let file = path.display().to_string();
    assert!(
        err.starts_with("error: unterminated heredoc `EOF`\n"),
        "{err}"
    );
    assert!(err.contains(&format!("{file}:2:1")), "{err}");
}

#[test]
fn a_missing_file_exits_2() {
    let (code, out, err) = run(
        &["--as", "dockerfile"],
        Path::new("/nonexistent/Dockerfile"),
    );
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("cannot read"), "{err}");
}
