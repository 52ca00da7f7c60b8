//! What `gen check` checks: the current directory without a spec, a file (its container,
//! reporting the findings that involve it), and an unsaved buffer on stdin; and `gen build`
//! outside a project.

use crate::harness::{fixture, gen_in};
use std::io::Write as _;
use std::process::{Command, Stdio};

#[test]
fn bare_check_without_a_spec_lints_the_current_directory() {
    let run = gen_in(&fixture("cli/mixed/web"), &["check", "--format", "concise"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            1,
            "app.js:3:1: warning[NET001] `app` listens on every interface (`[::]:3000`), so clients can reach it around nginx
nginx.conf:6:24: warning[NGX001] requests proxied here lack the `Host`, `X-Forwarded-For` and `X-Forwarded-Proto` headers
nginx.conf:6:24: error[PORT001] nginx proxies to `127.0.0.1:3001`, where no program of the container listens
supervisord.conf:4:1: warning[LOG002] the output of program `nginx` never reaches `docker logs`
supervisord.conf:7:1: warning[LOG002] the output of program `app` never reaches `docker logs`
",
            "1 error, 4 warnings in 1 container\n2 fixable with `--fix` (2 more with `--fix --unsafe-fixes`)\n"
        )
    );
}

#[test]
fn a_file_checks_its_container_and_reports_what_involves_it() {
    let run = gen_in(
        &fixture("cli/mixed"),
        &["check", "web/nginx.conf", "--format", "concise"],
    );
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            1,
            "web/app.js:3:1: warning[NET001] `app` listens on every interface (`[::]:3000`), so clients can reach it around nginx
web/nginx.conf:6:24: warning[NGX001] requests proxied here lack the `Host`, `X-Forwarded-For` and `X-Forwarded-Proto` headers
web/nginx.conf:6:24: error[PORT001] nginx proxies to `127.0.0.1:3001`, where no program of the container listens
",
            "1 error, 2 warnings in 1 container\n2 fixable with `--fix --unsafe-fixes`\n"
        )
    );
    let run = gen_in(
        &fixture("cli/mixed"),
        &["check", "web/supervisord.conf", "--format", "concise"],
    );
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, "2 warnings in 1 container\n2 fixable with `--fix`\n")
    );
}

#[test]
fn a_file_outside_any_container_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("notes.txt"), "hi\n").expect("write");
    let run = gen_in(dir.path(), &["check", "notes.txt"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "error: `notes.txt` is in no container: no `Dockerfile`, `Containerfile`, `nginx.conf`, `supervisord.conf` or compose file in its directory or above\n"
        )
    );
}

/// `gen check ARGS` in the mixed fixture with `input` on stdin.
fn with_stdin(args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(fixture("cli/mixed"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run gen");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
    )
}

#[test]
fn stdin_larger_than_gen_reads_is_refused() {
    let big = " ".repeat((16 << 20) + 1);
    let (code, stdout, stderr) =
        with_stdin(&["check", "--stdin-filename", "web/app.js", "-"], &big);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            2,
            "",
            "error: standard input for `web/app.js` is larger than 16 MiB, more than gen reads of a file: check a smaller file\n"
        )
    );
    // Exactly 16 MiB is read.
    let (code, _, stderr) = with_stdin(
        &["check", "--stdin-filename", "web/app.js", "-", "--quiet"],
        &big[1..],
    );
    assert_ne!(code, 2, "{stderr}");
}

#[test]
fn stdin_replaces_the_named_file_of_its_container() {
    // The buffer fixes both findings about app.js: it listens on loopback, on nginx's port.
    let fixed = "const express = require(\"express\");\nconst app = express();\napp.listen(3001, \"127.0.0.1\");\n";
    let args = [
        "check",
        "--stdin-filename",
        "web/app.js",
        "-",
        "--format",
        "concise",
    ];
    assert_eq!(
        with_stdin(&args, fixed),
        (0, String::new(), "no problems in 1 container\n".into())
    );
    // The file on disk is untouched, and still has them.
    let run = gen_in(&fixture("cli/mixed"), &["check", "web/app.js", "--quiet"]);
    assert_eq!(run.code, 1);
    // A buffer for a file not yet on disk counts as the container's too.
    let (code, stdout, stderr) = with_stdin(
        &[
            "check",
            "--stdin-filename",
            "web/new.conf",
            "-",
            "--format",
            "concise",
        ],
        "# gen: ignore[NOPE]\n",
    );
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            0,
            "web/new.conf:1:15: warning[GEN002] unknown rule `NOPE` in a suppression comment\n",
            "1 warning in 1 container\n"
        )
    );
    let (code, stdout, stderr) = with_stdin(&["check", "-"], "");
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            2,
            "",
            "error: `-` reads a file from stdin: name it with `--stdin-filename PATH`, so gen knows which container it belongs to\n"
        )
    );
}

#[test]
fn build_outside_a_project_points_to_init() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = gen_in(dir.path(), &["build"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "error: there is no `spec.toml`: gen builds the containers a spec describes\nhelp: run `gen init` to start a project here, or pass `--spec PATH`\n"
        )
    );
}

/// One root cause, one finding, however the container is named: checked as `.` from
/// inside it (its files then have no directory in their names), the findings that follow
/// from an nginx config that does not load are held back as when it is checked by name.
#[test]
fn a_container_checked_as_dot_holds_back_what_follows_from_nginx() {
    let case = fixture("check/unknown-nginx-directive/fail");
    let name = "web";
    let by_name = gen_in(&case, &["check", name]);
    let as_dot = gen_in(&case.join(name), &["check", "."]);
    assert!(
        by_name.stdout.contains("NGX010") && by_name.stdout.contains("holds back"),
        "the case must break nginx and hold findings back: {}{}",
        by_name.stdout,
        by_name.stderr
    );
    assert_eq!(
        as_dot.stdout,
        by_name.stdout.replace(&format!("{name}/"), ""),
        "stderr by name: {}\nstderr as `.`: {}",
        by_name.stderr,
        as_dot.stderr
    );
}
