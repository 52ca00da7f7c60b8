//! `gen schema`, `gen init`, `gen completions`, `gen man`, `--version`, and colour rules.

use crate::support::{gen_bin, gen_in, repo_root, stderr, stdout};
use std::fs;
use std::process::Command;

/// The committed spec.schema.json is what `gen schema` prints. `GEN_BLESS=1` rewrites it.
#[test]
fn committed_schema_is_up_to_date() {
    let out = gen_in(&repo_root(), &["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let path = repo_root().join("spec.schema.json");
    if std::env::var_os("GEN_BLESS").is_some() {
        fs::write(&path, &out.stdout).expect("bless");
    }
    let committed = fs::read(&path).expect("spec.schema.json");
    assert!(
        committed == out.stdout,
        "spec.schema.json is stale: run `cargo run -- schema > spec.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(
        schema["$defs"]["Nginx"]["properties"]["port"]["default"],
        80
    );
    assert!(
        fs::read_to_string(repo_root().join("spec.toml"))
            .expect("spec")
            .starts_with("#:schema ./spec.schema.json\n")
    );
}

#[test]
fn init_from_flags_writes_spec_schema_and_first_build() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = gen_in(
        dir.path(),
        &[
            "init",
            "proj",
            "--kind",
            "express",
            "--name",
            "hello",
            "--host-port",
            "9000",
            "--message",
            "Hi \"there\"",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let spec = fs::read_to_string(dir.path().join("proj/spec.toml")).expect("spec");
    assert!(spec.starts_with("#:schema ./spec.schema.json\n"));
    assert!(spec.contains("name = \"hello\"\nbase = \"alpine:3.22\"\nhost_port = 9000\n"));
    assert!(spec.contains("kind = \"express\"\nport = 3000\nmessage = 'Hi \"there\"'\n"));
    assert!(dir.path().join("proj/spec.schema.json").is_file());
    assert!(dir.path().join("proj/generated/hello/app.js").is_file());
    assert!(
        stdout(&out).ends_with(
            "proj/generated: 1 container, 13 created, 0 updated, 0 removed, 0 unchanged\n\
             \n\
             Next:\n  \
             cd proj && gen check                 # lint the spec and what it gives\n  \
             cd proj && docker compose -f generated/compose.yaml up --build   # then open http://localhost:9000/\n"
        ),
        "{}",
        stdout(&out)
    );
    // The starter project is consistent: a drift check passes.
    let check = gen_in(&dir.path().join("proj"), &["build", "--check"]);
    assert_eq!(check.status.code(), Some(0));
}

/// Without a terminal, init asks nothing: it uses the defaults.
#[test]
fn init_without_terminal_uses_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(gen_bin())
        .args(["init", "--no-build"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    let spec = fs::read_to_string(dir.path().join("spec.toml")).expect("spec");
    assert!(spec.contains("name = \"fastapi-nginx\"\nbase = \"ubuntu:24.04\"\nhost_port = 8080\n"));
    assert!(
        spec.contains("kind = \"fastapi\"\nport = 8000\nmessage = \"Hello from fastapi-nginx\"\n")
    );
    assert!(!dir.path().join("generated").exists());
}

#[test]
fn init_never_overwrites_a_spec_without_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("spec.toml"), "# mine\n").expect("write");
    let out = gen_in(dir.path(), &["init", "--no-build"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: `./spec.toml` exists; gen init does not overwrite a spec\nhelp: edit it, or run `gen init --force` to replace it\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("spec.toml")).expect("read"),
        "# mine\n"
    );
    let forced = gen_in(dir.path(), &["init", "--no-build", "--force"]);
    assert_eq!(forced.status.code(), Some(0));
    assert!(
        fs::read_to_string(dir.path().join("spec.toml"))
            .expect("read")
            .contains("[[container]]")
    );
}

#[test]
fn init_with_a_bad_flag_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = gen_in(dir.path(), &["init", "--name", "Bad Name", "--no-input"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "error[SPEC003]: `name` `Bad Name` is not a safe directory name and image tag"
        )
    );
    assert!(stderr(&out).ends_with("nothing was written\n"));
    assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 0);
}

/// `gen init .` where `generated/` holds a file gen did not write fails before writing
/// anything: no spec, no schema, no half-initialized project.
#[test]
fn init_never_half_initializes_a_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir(dir.path().join("generated")).expect("mkdir");
    fs::write(dir.path().join("generated/notes.txt"), "mine\n").expect("write");
    let out = gen_in(dir.path(), &["init", ".", "--no-input"]);
    assert_eq!(
        (
            out.status.code(),
            stdout(&out).as_str(),
            stderr(&out).as_str()
        ),
        (
            Some(2),
            "",
            "error: `./generated` holds files gen did not write, which the first build would replace or remove:\n  \
             ./generated/notes.txt\n\
             help: move them away, start the project in another directory, or run `gen init --no-build`; nothing was written\n"
        )
    );
    let mut left: Vec<_> = fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    left.sort();
    assert_eq!(left, ["generated"]);
    assert_eq!(
        fs::read_to_string(dir.path().join("generated/notes.txt")).expect("read"),
        "mine\n"
    );
}

/// On a terminal, init asks its questions; tested through a pseudo-terminal (`script`).
/// The answers are typed ahead (written at once): the terminal's echo of them is turned
/// off, so that what is shown is gen's alone, wherever the echo would have landed.
#[test]
fn init_on_a_terminal_asks() {
    let Some(script) = crate::support::tool("script") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let cmd = format!("stty -echo; {} init --no-build", gen_bin());
    let out = Command::new(script)
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            if let Some(stdin) = child.stdin.as_mut() {
                stdin.write_all(b"express\nBad Name\nshop\n3100\n9100\n\n")?;
            }
            child.wait_with_output()
        })
        .expect("run under script");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let shown = stdout(&out);
    assert!(
        shown.contains("App framework (fastapi or express) [fastapi]: "),
        "{shown}"
    );
    assert!(
        shown.contains("Container name [express-nginx]: "),
        "{shown}"
    );
    // The bad name is refused at once and asked again, before the next question.
    let again = shown
        .find("is not a safe directory name")
        .expect("refused at once");
    let port = shown.find("App port on 127.0.0.1").expect("next question");
    assert!(again < port, "{shown}");
    assert_eq!(
        shown.matches("Container name [express-nginx]: ").count(),
        2,
        "{shown}"
    );
    let spec = fs::read_to_string(dir.path().join("spec.toml")).expect("spec");
    assert!(
        spec.contains("name = \"shop\"\nbase = \"alpine:3.22\"\nhost_port = 9100\n"),
        "{spec}"
    );
    assert!(spec.contains("kind = \"express\"\nport = 3100\n"), "{spec}");
}

#[test]
fn completions_and_man_page_come_from_the_cli() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = gen_in(&repo_root(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = stdout(&out);
        for sub in ["build", "init", "schema", "completions", "man"] {
            assert!(text.contains(sub), "{shell} completions lack `{sub}`");
        }
    }
    let man = gen_in(&repo_root(), &["man"]);
    assert_eq!(man.status.code(), Some(0));
    let text = stdout(&man);
    assert!(text.contains(".TH gen 1"), "{text}");
    assert!(text.contains("build"));
}

#[test]
fn version_names_the_commit_in_a_checkout() {
    let out = gen_in(&repo_root(), &["--version"]);
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("gen {} (", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
}

/// Errors are coloured only on a terminal, and never with NO_COLOR.
#[test]
fn colour_only_on_a_terminal_without_no_color() {
    let Some(script) = crate::support::tool("script") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("spec.toml"), "[[container]]\nnme = 1\n").expect("write");
    let run = |no_color: bool| {
        let mut cmd = Command::new(&script);
        cmd.args(["-qec", &format!("{} build", gen_bin()), "/dev/null"])
            .current_dir(dir.path())
            .env_remove("NO_COLOR");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        String::from_utf8_lossy(&cmd.output().expect("script").stdout).into_owned()
    };
    assert!(run(false).contains("\x1b["), "no colour on a terminal");
    assert!(!run(true).contains("\x1b["), "colour despite NO_COLOR");
    // Not a terminal: no colour.
    let piped = gen_in(dir.path(), &["build"]);
    assert!(!stderr(&piped).contains("\x1b["));
}

/// A closed stdout (`gen ... | head -1`) ends output quietly: no panic, a normal exit code.
#[test]
fn closed_stdout_is_not_a_panic() {
    for args in [&["completions", "bash"][..], &["man"][..], &["schema"][..]] {
        let mut child = Command::new(gen_bin())
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
}

/// `gen cert` writes a PEM certificate and a private key readable by its owner only, and never
/// replaces them without `--force`.
#[test]
fn cert_makes_a_development_certificate() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = gen_in(dir.path(), &["cert", "--name", "example.test"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cert = fs::read_to_string(dir.path().join("certs/cert.pem")).expect("cert");
    assert!(cert.starts_with("-----BEGIN CERTIFICATE-----\n"));
    let key_path = dir.path().join("certs/key.pem");
    assert!(
        fs::read_to_string(&key_path)
            .expect("key")
            .starts_with("-----BEGIN PRIVATE KEY-----\n")
    );
    let mode = fs::metadata(&key_path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    if let Some(openssl) = crate::support::tool("openssl") {
        let text = Command::new(openssl)
            .args(["x509", "-noout", "-ext", "subjectAltName", "-in"])
            .arg(dir.path().join("certs/cert.pem"))
            .output()
            .expect("openssl");
        let text = String::from_utf8_lossy(&text.stdout).into_owned();
        assert!(
            text.contains("DNS:example.test") && text.contains("DNS:localhost"),
            "{text}"
        );
    }
    let again = gen_in(dir.path(), &["cert"]);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        fs::read_to_string(dir.path().join("certs/cert.pem")).expect("cert"),
        cert
    );
    assert_eq!(
        gen_in(dir.path(), &["cert", "--force"]).status.code(),
        Some(0)
    );
    assert_ne!(
        fs::read_to_string(dir.path().join("certs/cert.pem")).expect("cert"),
        cert
    );
}

/// spec.schema.json is a valid JSON Schema (2020-12) that accepts every committed spec and
/// rejects wrong ones, as an editor's TOML schema support would.
#[test]
fn schema_accepts_good_specs_and_rejects_wrong_ones() {
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(repo_root().join("spec.schema.json")).expect("schema"),
    )
    .expect("JSON");
    jsonschema::meta::validate(&schema).expect("a valid JSON Schema");
    let validator = jsonschema::draft202012::new(&schema).expect("schema compiles");
    let as_json = |toml_text: &str| -> serde_json::Value {
        let value: toml::Value = toml::from_str(toml_text).expect("TOML");
        serde_json::to_value(value).expect("JSON")
    };
    for good in ["spec.toml", "examples/lb/spec.toml"] {
        let text = fs::read_to_string(repo_root().join(good)).expect("spec");
        let errors: Vec<String> = validator
            .iter_errors(&as_json(&text))
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{good}: {errors:?}");
    }
    let base = "[[container]]\nname = \"web\"\nhost_port = 8001\n[container.app]\nkind = \"fastapi\"\nmessage = \"hi\"\n";
    let wrong = [
        ("unknown key", base.replace("message", "mesage")),
        ("unknown app kind", base.replace("\"fastapi\"", "\"flask\"")),
        ("port out of range", base.replace("8001", "70000")),
        ("port as string", base.replace("8001", "\"8001\"")),
        ("upper-case name", base.replace("\"web\"", "\"Web\"")),
        ("name with a slash", base.replace("\"web\"", "\"a/b\"")),
        ("empty message", base.replace("\"hi\"", "\"\"")),
        ("missing message", base.replace("message = \"hi\"\n", "")),
        (
            "message with source",
            base.replace("message", "source = \"app\"\nentry = \"main:app\"\nmessage"),
        ),
        (
            "source without entry",
            base.replace("message = \"hi\"", "source = \"app\""),
        ),
        (
            "entry without source",
            base.replace("message", "entry = \"main:app\"\nmessage"),
        ),
        (
            "health path without source",
            base.replace("message", "health_path = \"/health\"\nmessage"),
        ),
        (
            "source climbing out",
            base.replace(
                "message = \"hi\"",
                "source = \"../x\"\nentry = \"main:app\"",
            ),
        ),
        (
            "bad body size",
            format!("{base}[container.nginx]\nclient_max_body_size = \"10 MB\"\n"),
        ),
        ("unknown top-level key", format!("containers = 1\n{base}")),
        (
            "route without container",
            format!("{base}[lb]\nhost_port = 9\n[[lb.route]]\npath = \"/\"\n"),
        ),
    ];
    let own = base.replace(
        "message = \"hi\"",
        "source = \"app\"\nentry = \"app.main:create_app()\"\nhealth_path = \"/health\"",
    );
    assert!(
        validator.is_valid(&as_json(&own)),
        "the schema rejects an app with source, entry and health_path"
    );
    for (what, text) in wrong {
        assert!(
            !validator.is_valid(&as_json(&text)),
            "the schema accepts a spec with {what}"
        );
    }
}

/// On a terminal, a large build shows a progress line; piped, it does not.
#[test]
fn large_builds_show_progress_on_a_terminal() {
    let Some(script) = crate::support::tool("script") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let spec: String = (0..60)
        .map(|i| {
            format!(
                "[[container]]\nname = \"c{i}\"\nhost_port = {}\n[container.app]\nkind = \"express\"\nmessage = \"m\"\n\n",
                10_000 + i
            )
        })
        .collect();
    fs::write(dir.path().join("spec.toml"), spec).expect("write");
    let out = Command::new(script)
        .args(["-qec", &format!("{} build", gen_bin()), "/dev/null"])
        .current_dir(dir.path())
        .output()
        .expect("script");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\r  rendering 60/60 containers"), "{text}");
    fs::remove_dir_all(dir.path().join("generated")).expect("clean");
    let piped = gen_in(dir.path(), &["build"]);
    assert!(!stderr(&piped).contains("rendering"));
}

/// `gen check --help` as a user sees it, pinned; and every option it lists is in the
/// README's "Checking" section (or its "Fixing" subsection), so the two cannot drift apart.
#[test]
fn check_help_is_pinned_and_the_readme_names_every_option() {
    let out = Command::new(gen_bin())
        .args(["check", "--help"])
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1")
        .output()
        .expect("run gen");
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    crate::harness::snapshot("check-help.txt", &help);
    let readme = fs::read_to_string(repo_root().join("README.md")).expect("README");
    let start = readme.find("\n## Checking\n").expect("a Checking section");
    let end = readme[start + 1..]
        .find("\n## ")
        .map_or(readme.len(), |i| start + 1 + i);
    let section = &readme[start..end];
    let options: Vec<&str> = help
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let l = l
                .strip_prefix("-q, ")
                .or_else(|| l.strip_prefix("-o, "))
                .unwrap_or(l);
            let l = l.strip_prefix("-h, ").unwrap_or(l);
            l.strip_prefix("--")?.split([' ', '\n']).next()
        })
        .collect();
    assert!(options.len() > 10, "{options:?}");
    for o in options {
        assert!(
            section.contains(&format!("--{o}")),
            "`--{o}` is in `gen check --help` but not in the README's Checking section"
        );
    }
}

/// `gen init` on a pseudo-terminal (`script`), fed `input`: its exit code and what it showed.
fn init_on_a_terminal(dir: &std::path::Path, flags: &str, input: &[u8]) -> (Option<i32>, String) {
    let script = crate::support::tool("script").expect("`script` (util-linux) is installed");
    let cmd = format!("{} init --no-build {flags}", gen_bin());
    let out = Command::new(script)
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            if let Some(stdin) = child.stdin.as_mut() {
                stdin.write_all(input)?;
            }
            child.wait_with_output()
        })
        .expect("run under script");
    (out.status.code(), stdout(&out))
}

/// Every question re-asks a bad answer at once, before the next question: the app's port
/// (nginx's own, or not a port), the host port, the base image; the spec is written from
/// the good answers, and init ends with the next commands.
#[test]
fn init_re_asks_each_bad_answer_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, shown) = init_on_a_terminal(
        dir.path(),
        "",
        b"flask\nfastapi\nweb\n80\n8000\n0\n9090\nnot an image!\n\n",
    );
    assert_eq!(code, Some(0), "{shown}");
    let order = [
        "App framework (fastapi or express) [fastapi]: ",
        "answer `fastapi` or `express`",
        "App framework (fastapi or express) [fastapi]: ",
        "Container name [fastapi-nginx]: ",
        "App port on 127.0.0.1 [8000]: ",
        "`app.port` 80 is also nginx's port",
        "App port on 127.0.0.1 [8000]: ",
        "Host port [8080]: ",
        "a port is a number from 1 to 65535",
        "Host port [8080]: ",
        "Base image [ubuntu:24.04]: ",
        "Base image [ubuntu:24.04]: ",
        "created ./spec.toml",
        "Next:",
        "gen build ",
        "gen check ",
        "then open http://localhost:9090/",
    ];
    let mut at = 0;
    for want in order {
        let Some(i) = shown[at..].find(want) else {
            panic!("`{want}` not found after byte {at} of:\n{shown}");
        };
        at += i + want.len();
    }
    let spec = fs::read_to_string(dir.path().join("spec.toml")).expect("spec");
    assert!(
        spec.contains("name = \"web\"\nbase = \"ubuntu:24.04\"\nhost_port = 9090\n"),
        "{spec}"
    );
    assert!(spec.contains("kind = \"fastapi\"\nport = 8000\n"), "{spec}");
}

/// A bad flag is refused before any question, and nothing is written; a question whose
/// answers cannot help (the flag is at fault) is not asked again and again.
#[test]
fn init_refuses_a_bad_flag_before_asking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, shown) = init_on_a_terminal(dir.path(), "--name 'Bad Name'", b"\n\n\n\n\n");
    assert_eq!(code, Some(2), "{shown}");
    assert!(!shown.contains("App framework"), "{shown}");
    assert!(
        shown.contains(
            "error: the flags given make a spec gen would refuse: `name` `Bad Name` is not a safe directory name"
        ),
        "{shown}"
    );
    assert!(shown.contains("nothing was written"), "{shown}");
    assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 0);
}
