//! `gen.toml` / `.gen.toml`: found from the checked path upwards, with `ignore`, `select`,
//! `severity` and `per-file-ignores`; `--show-settings`; bad config files exit 2.

use crate::harness::{fixture, gen_in};
use std::fs;

/// A copy of the mixed fixture (one error, four warnings) with `config` as `name`.
fn project(name: &str, config: &str) -> tempfile::TempDir {
    let ws = tempfile::tempdir().expect("tempdir");
    fs::create_dir(ws.path().join("web")).expect("mkdir");
    for f in ["app.js", "nginx.conf", "supervisord.conf"] {
        fs::copy(
            fixture("cli/mixed/web").join(f),
            ws.path().join("web").join(f),
        )
        .expect("copy");
    }
    fs::write(ws.path().join(name), config).expect("write config");
    ws
}

const CONFIG: &str = "[check]
ignore = [\"LOG002\"]
severity = { NET001 = \"error\", missing-forwarded-headers = \"warning\" }
per-file-ignores = { \"web/*.conf\" = [\"NGX001\"] }
";

#[test]
fn config_file_ignores_overrides_severity_and_ignores_per_file() {
    let ws = project("gen.toml", CONFIG);
    let run = gen_in(ws.path(), &["check", "web", "--format", "concise"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            1,
            "web/app.js:3:1: error[NET001] `app` listens on every interface (`[::]:3000`), so clients can reach it around nginx
web/nginx.conf:6:24: error[PORT001] nginx proxies to `127.0.0.1:3001`, where no program of the container listens
",
            "2 errors in 1 container\n1 fixable with `--fix --unsafe-fixes`\n"
        )
    );
    // Found from a directory below it too, and as `.gen.toml`; --select still wins.
    let ws = project(".gen.toml", CONFIG);
    let run = gen_in(
        &ws.path().join("web"),
        &["check", "--select", "LOG002", "--format", "concise"],
    );
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, "2 warnings in 1 container\n2 fixable with `--fix`\n")
    );
}

#[test]
fn show_settings_says_where_each_comes_from() {
    let ws = project("gen.toml", CONFIG);
    let run = gen_in(
        ws.path(),
        &["check", "web", "--show-settings", "--ignore", "PORT001"],
    );
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            0,
            "config file: gen.toml
select: every rule (default)
ignore: PORT001 (--ignore); LOG002 (gen.toml)
severity: NET001 = error (gen.toml)
severity: NGX001 = warning (gen.toml)
per-file-ignores: \"web/*.conf\" = [NGX001] (gen.toml)
format: human (default)
",
            ""
        )
    );
    let bare = tempfile::tempdir().expect("tempdir");
    fs::write(bare.path().join("nginx.conf"), "events {}\n").expect("write");
    let run = gen_in(
        bare.path(),
        &["check", "--show-settings", "--format", "json"],
    );
    assert_eq!(
        run.stdout,
        "config file: none (no gen.toml or .gen.toml in `.` or above)
select: every rule (default)
ignore: none (default)
format: json (--format)
"
    );
}

#[test]
fn bad_config_files_exit_2_naming_the_problem() {
    let ws = project("gen.toml", "[check]\nignore = [\"LOG02\"]\n");
    let run = gen_in(ws.path(), &["check", "web"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "error: unknown rule `LOG02` in `check.ignore` of `gen.toml`\nhelp: did you mean `LOG002`? `gen rules` lists every rule\n"
        )
    );
    let ws = project("gen.toml", "[check]\nseverity = { NET001 = \"fatal\" }\n");
    let run = gen_in(ws.path(), &["check", "web"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "error: `check.severity.NET001` in `gen.toml` is `fatal`: write \"error\" or \"warning\"\n"
        )
    );
    let ws = project("gen.toml", "[check]\nignor = 1\n");
    let run = gen_in(ws.path(), &["check", "web"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with(
            "error: `gen.toml` is not a valid gen config: TOML parse error at line 2, column 1"
        ),
        "{}",
        run.stderr
    );
}

/// The spec's `[check]` takes the same keys, its globs relative to the spec.
#[test]
fn spec_check_table_takes_the_same_keys() {
    let ws = tempfile::tempdir().expect("tempdir");
    let init = gen_in(ws.path(), &["init", ".", "--no-input", "--name", "web"]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let spec = ws.path().join("spec.toml");
    let text = fs::read_to_string(&spec).expect("spec");
    let conf = ws.path().join("generated/web/nginx.conf");
    let edited = fs::read_to_string(&conf).expect("nginx.conf") + "# mine\n";
    fs::write(&conf, edited).expect("edit");
    let with = |table: &str| {
        fs::write(&spec, format!("{text}\n[check]\n{table}")).expect("write spec");
        gen_in(ws.path(), &["check", "--format", "concise"])
    };
    let run = with("select = [\"GEN001\"]\n");
    // The line is the template's last, which other changes move: pin the rest.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("generated/web/nginx.conf:")
            && run.stdout.ends_with(
                ":1: error[GEN001] `generated/web/nginx.conf` differs from what the spec gives\n"
            )
            && run.stdout.lines().count() == 1,
        "{}",
        run.stdout
    );
    let run = with("select = [\"GEN001\"]\nseverity = { generated-drift = \"warning\" }\n");
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, "1 warning in 1 container\n")
    );
    let run =
        with("select = [\"GEN001\"]\nper-file-ignores = { \"generated/**\" = [\"GEN001\"] }\n");
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "no problems in 1 container\n")
    );
    let run = with("severity = { GEN001 = \"fatal\" }\n");
    assert_eq!(run.code, 2);
    assert!(
        run.stdout
            .contains("error[SPEC003] `check.severity.GEN001` is `fatal`"),
        "{}",
        run.stdout
    );
}

/// With a spec (no paths), `--show-settings` lists the spec's `[check]` table, each
/// setting with where it comes from, beside a gen.toml found above; an invalid spec is
/// refused as `gen check` refuses it.
#[test]
fn show_settings_lists_the_spec_s_check_table() {
    let ws = crate::harness::workspace("check/generated-drift/spec.toml");
    let spec = ws.path().join("spec.toml");
    let mut text = fs::read_to_string(&spec).expect("spec");
    text.push_str(
        "\n[check]\nignore = [\"NGX001\"]\nseverity = { HC001 = \"error\" }\nper-file-ignores = { \"generated/**\" = [\"LOG002\"] }\n",
    );
    fs::write(&spec, &text).expect("write spec");
    fs::write(
        ws.path().join("gen.toml"),
        "[check]\nselect = [\"HC001\", \"NGX001\"]\n",
    )
    .expect("write config");
    let run = gen_in(ws.path(), &["check", "--show-settings"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            0,
            "config file: gen.toml
spec: spec.toml (its `[check]` table)
select: HC001, NGX001 (gen.toml)
ignore: NGX001 (spec.toml [check])
severity: HC001 = error (spec.toml [check])
per-file-ignores: \"generated/**\" = [LOG002] (spec.toml [check])
format: human (default)
",
            ""
        )
    );
    let run = gen_in(
        ws.path(),
        &["check", "--show-settings", "--select", "NGX001"],
    );
    assert!(
        run.stdout.contains(
            "select: NGX001 (--select)\nignore: NGX001 (spec.toml [check], except what --select names)\n"
        ),
        "{}",
        run.stdout
    );
    fs::write(&spec, "[[container]]\nnme = 1\n").expect("write bad spec");
    let run = gen_in(ws.path(), &["check", "--show-settings"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}
