//! `gen check`'s output options: the concise format, `--statistics`, `--output-file`,
//! `--color` with `NO_COLOR` and `CLICOLOR_FORCE`, errors before warnings, and the
//! suppression hint said once after the findings.

use crate::harness::{Run, fixture, gen_in};
use std::process::Command;

/// `gen check web` in the mixed fixture (one error, four warnings), with `args` after it.
fn mixed(args: &[&str]) -> Run {
    let mut all = vec!["check", "web"];
    all.extend_from_slice(args);
    gen_in(&fixture("cli/mixed"), &all)
}

const SUMMARY: &str = "1 error, 4 warnings in 1 container\n2 fixable with `--fix` (2 more with `--fix --unsafe-fixes`)\n";

const HINT: &str = "help: to allow a finding, write `gen: ignore[CODE]` in a comment on or above its line (`gen: ignore-file[CODE]` for the whole file), or pass `--ignore CODE`; `gen explain CODE` tells why it matters\n";

const CONCISE: &str = "\
web/app.js:3:1: warning[NET001] `app` listens on every interface (`[::]:3000`), so clients can reach it around nginx
web/nginx.conf:6:24: warning[NGX001] requests proxied here lack the `Host`, `X-Forwarded-For` and `X-Forwarded-Proto` headers
web/nginx.conf:6:24: error[PORT001] nginx proxies to `127.0.0.1:3001`, where no program of the container listens
web/supervisord.conf:4:1: warning[LOG002] the output of program `nginx` never reaches `docker logs`
web/supervisord.conf:7:1: warning[LOG002] the output of program `app` never reaches `docker logs`
";

#[test]
fn concise_format_is_one_line_per_finding() {
    let run = mixed(&["--format", "concise"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (1, CONCISE, SUMMARY)
    );
}

#[test]
fn human_format_puts_errors_first_and_the_hint_once_after_the_findings() {
    let run = mixed(&[]);
    assert_eq!((run.code, run.stderr.as_str()), (1, SUMMARY));
    let heads: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("error") || l.starts_with("warning"))
        .map(|l| l.split(':').next().unwrap_or_default())
        .collect();
    assert_eq!(
        heads,
        [
            "error[PORT001]",
            "warning[NET001]",
            "warning[NGX001]",
            "warning[LOG002]",
            "warning[LOG002]"
        ]
    );
    assert_eq!(run.stdout.matches("to allow").count(), 1, "{}", run.stdout);
    assert!(
        run.stdout.ends_with(&format!("\n\n{HINT}")),
        "{}",
        run.stdout
    );
    let quiet = mixed(&["--quiet"]);
    assert_eq!((quiet.code, quiet.stderr.as_str()), (1, ""));
    assert!(!quiet.stdout.contains("to allow"), "{}", quiet.stdout);
}

#[test]
fn machine_formats_carry_no_suppression_hint() {
    for format in ["json", "sarif", "github"] {
        let run = mixed(&["--format", format]);
        assert_eq!(run.code, 1);
        assert!(
            !run.stdout.contains("to allow it") && !run.stdout.contains("to allow a finding"),
            "{format}: {}",
            run.stdout
        );
        assert_eq!(run.stderr, SUMMARY, "{format}");
    }
}

#[test]
fn statistics_count_findings_per_rule() {
    let run = mixed(&["--statistics"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            1,
            "2  warning  LOG002   logs-hidden-from-docker\n\
             1  warning  NET001   app-bound-to-all-interfaces\n\
             1  warning  NGX001   missing-forwarded-headers\n\
             1  error    PORT001  upstream-port-mismatch\n",
            SUMMARY
        )
    );
}

#[test]
fn output_file_takes_the_findings_and_stderr_keeps_the_summary() {
    let out = tempfile::tempdir().expect("tempdir");
    let file = out.path().join("report.txt");
    let path = file.to_str().expect("utf-8 path");
    let run = mixed(&["--format", "concise", "--output-file", path]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (1, "", SUMMARY)
    );
    assert_eq!(std::fs::read_to_string(&file).expect("report"), CONCISE);
    let names: Vec<_> = std::fs::read_dir(out.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["report.txt"], "no temporary file left behind");
    let run = mixed(&["--output-file", "/nonexistent-dir/report.txt"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("/nonexistent-dir/report.txt"),
        "{}",
        run.stderr
    );
}

/// `gen check web --format concise --select PORT001` with the colour flag and environment.
fn colored(flag: Option<&str>, env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gen"));
    cmd.args(["check", "web", "--format", "concise", "--select", "PORT001"])
        .current_dir(fixture("cli/mixed"))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    if let Some(f) = flag {
        cmd.arg(format!("--color={f}"));
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run gen");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn color_follows_the_flag_then_clicolor_force_then_no_color() {
    let plain = "web/nginx.conf:6:24: error[PORT001] nginx proxies to `127.0.0.1:3001`, where no program of the container listens\n";
    let painted = "web/nginx.conf:6:24: \u{1b}[1;31merror[PORT001]\u{1b}[0m nginx proxies to `127.0.0.1:3001`, where no program of the container listens\n";
    // Not a terminal: plain, unless forced.
    assert_eq!(colored(None, &[]), plain);
    assert_eq!(colored(Some("always"), &[("NO_COLOR", "1")]), painted);
    assert_eq!(colored(Some("never"), &[("CLICOLOR_FORCE", "1")]), plain);
    assert_eq!(colored(None, &[("CLICOLOR_FORCE", "1")]), painted);
    assert_eq!(
        colored(None, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]),
        painted
    );
    assert_eq!(colored(None, &[("CLICOLOR_FORCE", "0")]), plain);
}
