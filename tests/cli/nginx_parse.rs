//! `gen parse` on nginx files: exact output and exit codes, the corpus of real configs, and
//! the comparison with crossplane.

#[path = "nginx_parse/corpus.rs"]
mod corpus;
#[path = "nginx_parse/crossplane.rs"]
mod crossplane;
#[path = "nginx_parse/diff.rs"]
mod diff;

use std::path::Path;
use std::process::Command;

/// Runs `gen parse ARGS FILE` on a file holding `contents`: (exit code, stdout, stderr).
fn gen_parse(args: &[&str], contents: &[u8]) -> (i32, String, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nginx.conf");
    std::fs::write(&path, contents).expect("write config");
    let (code, out, err) = run(args, &path);
    (code, out, err, path.display().to_string())
}

fn run(args: &[&str], path: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gen"))
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

const CONFIG: &str =
    "events {}\nhttp {\n  server { listen 80; } # c\n  if ($a) { return 404 \"x y\"; }\n}\n";

#[test]
fn parse_prints_crossplanes_payload_with_columns() {
    // `if` in `http` is crossplane's analyzer's error, not the parser's.
    let (code, out, err, file) = gen_parse(&["--no-check-ctx"], CONFIG.as_bytes());
    let parsed = concat!(
        r#"[{"directive":"events","line":1,"column":1,"args":[],"block":[]},"#,
        r#"{"directive":"http","line":2,"column":1,"args":[],"block":["#,
        r#"{"directive":"server","line":3,"column":3,"args":[],"block":["#,
        r#"{"directive":"listen","line":3,"column":12,"args":["80"]}]},"#,
        r#"{"directive":"if","line":4,"column":3,"args":["$a"],"block":["#,
        r#"{"directive":"return","line":4,"column":13,"args":["404","x y"]}]}]}]"#
    );
    let want = format!(
        r#"{{"status":"ok","errors":[],"config":[{{"file":{file:?},"status":"ok","errors":[],"parsed":{parsed}}}]}}"#
    );
    assert_eq!((code, out.trim_end(), err.as_str()), (0, want.as_str(), ""));
    assert!(out.ends_with("}\n"));
}

#[test]
fn parse_includes_comments_where_crossplane_puts_them() {
    let text = "a # among args\n  b; # after a\nc { # in c\n}\n";
    let (code, out, _, _) = gen_parse(&["--include-comments", "--as", "nginx"], text.as_bytes());
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let parsed = &v["config"][0]["parsed"];
    let want = serde_json::json!([
        {"directive": "a", "line": 1, "column": 1, "args": ["b"]},
        {"directive": "#", "line": 1, "column": 1, "args": [], "comment": " among args"},
        {"directive": "#", "line": 2, "column": 6, "args": [], "comment": " after a"},
        {"directive": "c", "line": 3, "column": 1, "args": [], "block": [
            {"directive": "#", "line": 3, "column": 5, "args": [], "comment": " in c"}
        ]}
    ]);
    assert_eq!(parsed, &want);
}

#[test]
fn parse_failure_prints_the_failed_payload_and_exits_1() {
    let (code, out, err, file) = gen_parse(&[], b"http {\n  listen 80\n}\n");
    let error = format!(r#"directive \"listen\" is not terminated by \";\" in {file}:2"#);
    let want = format!(
        r#"{{"status":"failed","errors":[{{"file":{file:?},"error":"{error}","line":2}}],"config":[{{"file":{file:?},"status":"failed","errors":[{{"error":"{error}","line":2}}],"parsed":[]}}]}}"#
    );
    assert_eq!((code, out.trim_end(), err.as_str()), (1, want.as_str(), ""));
}

#[test]
fn parse_of_an_unreadable_file_exits_2_with_nothing_on_stdout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("missing.conf");
    let (code, out, err) = run(&[], &path);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        format!(
            "error: cannot read `{}`: No such file or directory (os error 2)\n",
            path.display()
        )
    );
}

#[test]
fn parse_reads_non_utf8_like_crossplane() {
    let (code, out, _, _) = gen_parse(&["--no-check-ctx"], b"return 200 \"M\xf6lln\";\n");
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        v["config"][0]["parsed"][0]["args"],
        serde_json::json!(["200", "M\u{fffd}lln"])
    );
}

#[test]
fn parse_refuses_a_huge_file_without_reading_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("huge.conf");
    let limit = gen_core::parse::nginx::MAX_INPUT;
    // Sparse: the size is there, the bytes are not.
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(u64::try_from(limit + 1).expect("fits"))
        .expect("set length");
    let (code, out, err) = run(&[], &path);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!((code, err.as_str()), (1, ""));
    assert_eq!(
        v["errors"][0]["error"],
        format!(
            "file of {} bytes is larger than the limit of {limit} in {}:1",
            limit + 1,
            path.display()
        )
    );
}

/// crossplane 0.5.8's own output for `crossplane parse --no-catch` on this file, with the
/// file name it was given.
#[test]
fn parse_reports_crossplanes_analyzer_errors_with_its_switches() {
    let text = b"server { listen 80; }\nhttp { sendfile maybe; server { location /x; } }\n";
    let (code, out, _, file) = gen_parse(&["--no-catch"], text);
    let error = format!("\"server\" directive is not allowed here in {file}:1");
    let want = format!(
        r#"{{"status":"failed","errors":[{{"file":{file:?},"error":{error:?},"line":1}}],"config":[{{"file":{file:?},"status":"failed","errors":[{{"error":{error:?},"line":1}}],"parsed":[]}}]}}"#
    );
    assert_eq!((code, out.trim_end()), (1, want.as_str()));

    let (code, out, _, _) = gen_parse(&[], text);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let errors: Vec<&str> = v["config"][0]["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["error"].as_str())
        .map(|e| e.split(" in /").next().unwrap_or(e))
        .collect();
    assert_eq!(code, 1);
    assert_eq!(
        errors,
        [
            "\"server\" directive is not allowed here",
            "invalid value \"maybe\" in \"sendfile\" directive, it must be \"on\" or \"off\"",
            "directive \"location\" has no opening \"{\"",
        ]
    );
    // Each refused directive is left out, the rest is parsed.
    assert_eq!(v["config"][0]["parsed"][0]["directive"], "http");

    let (code, out, _, _) = gen_parse(&["--ignore", "server,sendfile"], text);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!((code, v["status"].as_str()), (0, Some("ok")), "{out}");
    assert_eq!(v["config"][0]["parsed"][0]["block"], serde_json::json!([]));

    let (code, _, _, _) = gen_parse(&["--no-check-ctx", "--no-check-args"], text);
    assert_eq!(code, 0);
    let (code, out, _, _) = gen_parse(&["--strict"], b"events {}\nproxy_pas x;\n");
    assert_eq!(code, 1);
    assert!(out.contains(r#"unknown directive \"proxy_pas\""#), "{out}");
}
