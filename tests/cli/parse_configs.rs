//! `gen parse --as KIND` for every file kind gen parses besides nginx and Dockerfiles
//! (those have their own files): exact JSON on small files, the kind guessed from the name,
//! and a file that does not parse named with line and column (exit 2, nothing on stdout).

use crate::harness::{gen_in, root};
use std::fs;

/// Runs `gen parse ARGS` on `file` holding `text` in a fresh directory.
fn parse(file: &str, text: &str, args: &[&str]) -> crate::harness::Run {
    let ws = tempfile::tempdir().expect("tempdir");
    fs::write(ws.path().join(file), text).expect("write");
    let mut all = vec!["parse"];
    all.extend_from_slice(args);
    all.push(file);
    gen_in(ws.path(), &all)
}

fn ok(run: &crate::harness::Run) -> &str {
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{}", run.stdout);
    run.stdout.trim_end()
}

#[test]
fn supervisord_keeps_a_trailing_backslash_and_the_next_key() {
    let text = "[program:app]\ncommand=/bin/echo C:\\\nuser=app ; who\n";
    let want = r#"{"comments":[{"column":10,"line":3,"text":" who"}],"file":"supervisord.conf","kind":"supervisord","sections":[{"column":1,"entries":[{"column":1,"key":"command","line":2,"value":"/bin/echo C:\\"},{"column":1,"key":"user","line":3,"value":"app"}],"line":1,"name":"program:app"}]}"#;
    assert_eq!(ok(&parse("supervisord.conf", text, &[])), want);
    assert_eq!(
        ok(&parse("app.conf", text, &["--as", "supervisord"])),
        want.replace("supervisord.conf", "app.conf")
    );
}

#[test]
fn supervisord_error_names_the_line() {
    let run = parse("supervisord.conf", "x=1\n[a]\n", &[]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "error: the file must start with a `[section]` header\n --> supervisord.conf:1:1\n  |\n1 | x=1\n  | ^^^\n\n"
        )
    );
}

#[test]
fn gunicorn_settings_and_what_gen_cannot_evaluate() {
    let run = parse(
        "gunicorn.conf.py",
        "bind = \"127.0.0.1:8000\"\nworkers = 2 * 2\n",
        &[],
    );
    assert_eq!(
        ok(&run),
        r#"{"file":"gunicorn.conf.py","kind":"gunicorn","opaque":null,"settings":[{"column":1,"line":1,"name":"bind","value":["127.0.0.1:8000"]},{"column":1,"line":2,"name":"workers","value":null}]}"#
    );
}

#[test]
fn uwsgi_options_of_the_uwsgi_section() {
    let run = parse(
        "uwsgi.ini",
        "[uwsgi]\nhttp_socket = :8000\nchdir = %d\n[other]\nx = 1\n",
        &[],
    );
    assert_eq!(
        ok(&run),
        r#"{"file":"uwsgi.ini","kind":"uwsgi","options":[{"column":1,"key":"http-socket","line":2,"magic":false,"value":":8000"},{"column":1,"key":"chdir","line":3,"magic":true,"value":"%d"}],"truncated":false}"#
    );
}

#[test]
fn php_fpm_sections_and_entries() {
    let run = parse(
        "www.conf",
        "[www]\nlisten = 127.0.0.1:9000 ; c\nuser = ${U}\n",
        &["--as", "php-fpm"],
    );
    assert_eq!(
        ok(&run),
        r#"{"file":"www.conf","kind":"php-fpm","sections":[{"entries":[{"column":1,"env":false,"key":"listen","line":2,"value":"127.0.0.1:9000"},{"column":1,"env":true,"key":"user","line":3,"value":"${U}"}],"name":"www"}],"truncated":false}"#
    );
}

#[test]
fn compose_and_kubernetes_documents() {
    let run = parse(
        "compose.yaml",
        "x: &p [\"8080:80\"]\nservices:\n  web:\n    ports: *p\n",
        &[],
    );
    assert_eq!(
        ok(&run),
        r#"{"documents":[{"services":{"web":{"ports":["8080:80"]}},"x":["8080:80"]}],"file":"compose.yaml","kind":"compose"}"#
    );
    let run = parse(
        "web.yaml",
        "kind: Service\nspec:\n  port: 80\n---\nkind: Deployment\n",
        &["--as", "kubernetes"],
    );
    assert_eq!(
        ok(&run),
        r#"{"documents":[{"kind":"Service","spec":{"port":"80"}},{"kind":"Deployment"}],"file":"web.yaml","kind":"kubernetes"}"#
    );
    let bad = parse("compose.yaml", "a: [\n", &[]);
    assert_eq!((bad.code, bad.stdout.as_str()), (2, ""));
    assert!(
        bad.stderr.contains(" --> compose.yaml:2:1\n"),
        "{}",
        bad.stderr
    );
}

#[test]
fn spec_as_gen_validates_it() {
    let text = fs::read_to_string(root().join("spec.toml")).expect("spec.toml");
    let run = parse("spec.toml", &text, &[]);
    let v: serde_json::Value = serde_json::from_str(ok(&run)).expect("json");
    assert_eq!(v["kind"], "spec");
    assert_eq!(v["spec"]["container"][0]["name"], "fastapi-nginx");
    assert_eq!(v["spec"]["container"][0]["host_port"], 8001);
    let bad = parse("s.toml", "[[container]]\nname = \"x\"\n", &["--as", "spec"]);
    assert_eq!((bad.code, bad.stdout.as_str()), (2, ""));
    assert!(
        bad.stderr
            .starts_with("error[SPEC001]: missing key `app`\n --> s.toml:1:1\n"),
        "{}",
        bad.stderr
    );
}

/// Without `--as`, the role table's guess from the name: a name it does not know is nginx.
#[test]
fn the_kind_comes_from_the_name() {
    let run = parse("site.conf", "events {}\n", &[]);
    assert!(ok(&run).starts_with(r#"{"status":"ok""#), "{}", run.stdout);
    let run = parse("Dockerfile.prod", "FROM a\n", &[]);
    assert!(ok(&run).starts_with(r#"{"file":"Dockerfile.prod","instructions""#));
}
