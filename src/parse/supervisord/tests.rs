//! Table tests for the supervisord reader.

use super::*;
use std::collections::BTreeMap;

fn parsed(text: &str) -> Config {
    parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn at(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

fn x(here: &str, env: &[(&str, &str)]) -> Expansions {
    Expansions {
        env: env
            .iter()
            .map(|&(k, v)| (k.to_owned(), v.to_owned()))
            .collect::<BTreeMap<_, _>>(),
        here: here.to_owned(),
    }
}

/// `(text, section, key, value as read, value span text)`
#[test]
fn entry_table() {
    let cases: [(&str, &str, &str, &str, &str); 10] = [
        ("[a]\nk=v\n", "a", "k", "v", "v"),
        ("[a]\nk = v w \n", "a", "k", "v w", "v w"),
        ("[a]\nk: v\n", "a", "k", "v", "v"),
        ("[a]\nk=v ; note\n", "a", "k", "v", "v"),
        ("[a]\nk=v\t# note\n", "a", "k", "v", "v"),
        (
            "[a]\nk=v;not-a-comment\n",
            "a",
            "k",
            "v;not-a-comment",
            "v;not-a-comment",
        ),
        ("[a]\nKey=v\n", "a", "KEY", "v", "v"),
        (
            "[a]\nurl=unix:///run/s.sock\n",
            "a",
            "url",
            "unix:///run/s.sock",
            "unix:///run/s.sock",
        ),
        ("[a]\nk=\n", "a", "k", "", ""),
        ("[a]\r\nk=v\r\n", "a", "k", "v", "v"),
    ];
    for (text, section, key, value, span) in cases {
        let c = parsed(text);
        let e = c
            .get(section, key)
            .unwrap_or_else(|| panic!("{text:?}: no {key}"));
        assert_eq!(e.value, value, "{text:?}");
        assert_eq!(at(text, e.value_span), span, "{text:?}");
        assert_eq!(
            at(text, e.key_span).to_lowercase(),
            key.to_lowercase(),
            "{text:?}"
        );
    }
}

#[test]
fn continuation_lines_and_comments_inside_them() {
    let text =
        "[program:x]\ncommand=/bin/app\n    --flag\n    ; a comment line\n    --other\nuser=app\n";
    let c = parsed(text);
    let e = c.get("program:x", "command").expect("command");
    assert_eq!(e.value, "/bin/app\n--flag\n--other");
    assert_eq!(
        at(text, e.value_span),
        "/bin/app\n    --flag\n    ; a comment line\n    --other"
    );
    assert_eq!(e.source_offset(9), text.find("--flag").expect("flag"));
    assert_eq!(
        c.get("program:x", "user").map(|e| e.value.as_str()),
        Some("app")
    );
    let p = c.program_named("x", &x("/etc", &[])).expect("program");
    let argv: Vec<(&str, &str)> = p
        .command
        .as_ref()
        .expect("command")
        .argv
        .iter()
        .map(|a| (a.value.as_str(), at(text, a.span)))
        .collect();
    assert_eq!(
        argv,
        [
            ("/bin/app", "/bin/app"),
            ("--flag", "--flag"),
            ("--other", "--other")
        ]
    );
}

#[test]
fn comments_are_collected() {
    let text = "; top\n[a]\n# hash\nk=v ; gen: ignore[LOG001]\n  ; indented\n";
    let c = parsed(text);
    let got: Vec<(&str, &str)> = c
        .comments
        .iter()
        .map(|cm| (cm.text.as_str(), at(text, cm.span)))
        .collect();
    assert_eq!(
        got,
        [
            (" top", "; top"),
            (" hash", "# hash"),
            (" gen: ignore[LOG001]", "; gen: ignore[LOG001]"),
            (" indented", "; indented"),
        ]
    );
    assert_eq!(c.get("a", "k").map(|e| e.value.as_str()), Some("v"));
}

#[test]
fn duplicate_sections_merge_and_the_last_key_wins() {
    let text = "[a]\nk=1\nj=x\n[b]\nk=2\n[a]\nk=3\n";
    let c = parsed(text);
    assert_eq!(c.sections.len(), 3);
    assert_eq!(c.section_names(), ["a", "b"]);
    assert_eq!(c.get("a", "k").map(|e| e.value.as_str()), Some("3"));
    assert_eq!(c.get("a", "j").map(|e| e.value.as_str()), Some("x"));
    assert_eq!(c.get("b", "k").map(|e| e.value.as_str()), Some("2"));
    let last = c.get("a", "k").expect("k");
    assert_eq!(at(text, last.span), "k=3");
}

/// rust-ini, which read the values before, joined `C:\` with the next line: one command
/// and no user. supervisord keeps the backslash and reads `user=` as its own key.
#[test]
fn value_ending_in_backslash_is_not_joined_with_the_next_line() {
    let text = "[program:a]\ncommand=/bin/echo C:\\\nuser=app\n";
    let c = parsed(text);
    let get = |k| c.get("program:a", k).map(|e| e.value.as_str());
    assert_eq!(get("command"), Some("/bin/echo C:\\"));
    assert_eq!(get("user"), Some("app"));
    let p = c.program_named("a", &x("/etc", &[])).expect("program a");
    assert_eq!(p.user.map(|u| u.value).as_deref(), Some("app"));
}

#[test]
fn section_spans() {
    let text = "[supervisord]\nnodaemon=true\n\n[program:app]  ; note\ncommand=x\n";
    let c = parsed(text);
    assert_eq!(at(text, c.sections[0].header_span), "[supervisord]");
    assert_eq!(at(text, c.sections[0].span), "[supervisord]\nnodaemon=true");
    assert_eq!(at(text, c.sections[1].name_span), "program:app");
}

#[test]
fn error_table() {
    let cases: [(&str, ParseErrorKind, &str); 3] = [
        ("k=v\n[a]\n", ParseErrorKind::MissingSectionHeader, "k=v"),
        (
            "[a]\njust words\n",
            ParseErrorKind::NotKeyValue,
            "just words",
        ),
        ("[a]\n=v\n", ParseErrorKind::NotKeyValue, "=v"),
    ];
    for (text, kind, span) in cases {
        let e = parse(text).expect_err(text);
        assert_eq!(e.kind, kind, "{text:?}");
        assert_eq!(at(text, e.span), span, "{text:?}");
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn generated_fastapi_config() {
    let text = include_str!("../../../generated/fastapi-nginx/supervisord.conf");
    let c = parsed(text);
    let ex = x("/etc/supervisor", &[("PATH", "/opt/venv/bin:/usr/bin")]);
    let s = c.supervisord(&ex).expect("[supervisord]");
    assert!(s.nodaemon.value);
    assert!(s.problems.is_empty(), "{:?}", s.problems);
    assert_eq!(
        s.logfile.as_ref().map(|l| l.value.as_str()),
        Some("/dev/null")
    );
    assert_eq!(s.logfile_maxbytes.value, 0);
    let programs = c.programs(&ex);
    let names: Vec<(&str, ProcessKind)> =
        programs.iter().map(|p| (p.name.as_str(), p.kind)).collect();
    assert_eq!(
        names,
        [
            ("app", ProcessKind::Program),
            ("nginx", ProcessKind::Program),
            ("exit-on-fatal", ProcessKind::EventListener),
        ]
    );
    let app = &programs[0];
    assert!(app.problems.is_empty(), "{:?}", app.problems);
    let cmd = app.command.as_ref().expect("command");
    let argv: Vec<&str> = cmd.argv.iter().map(|a| a.value.as_str()).collect();
    assert_eq!(argv, ["/opt/venv/bin/python", "/app/app.py"]);
    assert_eq!(at(text, cmd.argv[1].span), "/app/app.py");
    assert_eq!(
        app.directory.as_ref().map(|d| d.value.as_str()),
        Some("/app")
    );
    // The port comes from the image's ENV; only the loopback address is fixed here.
    assert_eq!(app.env("APP_PORT"), None);
    assert_eq!(
        app.env("APP_HOST").map(|v| at(text, v.value_span)),
        Some("\"127.0.0.1\"")
    );
    assert!(app.stopasgroup.value && app.killasgroup.value);
    assert!(app.stdout_logfile.value.is_console());
    assert_eq!(app.stdout_logfile_maxbytes.value, 0);
    assert_eq!(programs[1].stopsignal.value, "QUIT");
    let listener = &programs[2];
    assert_eq!(
        listener.events.as_ref().map(|e| e.value.clone()),
        Some(vec!["PROCESS_STATE_FATAL".to_owned()])
    );
    let argv: Vec<&str> = listener
        .command
        .as_ref()
        .expect("command")
        .argv
        .iter()
        .map(|a| a.value.as_str())
        .collect();
    assert_eq!(argv[..2], ["/bin/sh", "-c"]);
    assert!(argv[2].starts_with("printf \"READY\\n\"; read -r header;"));
    assert_eq!(listener.stdout_logfile.value, LogFile::Auto);
    assert!(listener.stdout_logfile.is_default());
}

#[test]
fn generated_express_config() {
    let text = include_str!("../../../generated/express-nginx/supervisord.conf");
    let c = parsed(text);
    let ex = x("/etc", &[]);
    let app = c.program_named("app", &ex).expect("app");
    let argv: Vec<&str> = app
        .command
        .as_ref()
        .expect("command")
        .argv
        .iter()
        .map(|a| a.value.as_str())
        .collect();
    assert_eq!(argv, ["/usr/bin/node", "/app/app.js"]);
    assert_eq!(app.user.as_ref().map(|u| u.value.as_str()), Some("app"));
    let unix = c.unix_http_server(&ex).expect("unix_http_server");
    assert_eq!(
        unix.file.map(|f| f.value),
        Some("/run/supervisor.sock".to_owned())
    );
}

#[test]
fn expansion_table() {
    // (program section body, command argv expected)
    let cases: [(&str, &[&str]); 5] = [
        ("command=%(here)s/run.sh", &["/etc/supervisor/run.sh"]),
        (
            "command=uvicorn --port %(ENV_APP_PORT)s",
            &["uvicorn", "--port", "8000"],
        ),
        (
            "command=/bin/%(program_name)s -n %(process_num)02d",
            &["/bin/web", "-n", "00"],
        ),
        ("command=echo 100%%", &["echo", "100%"]),
        (
            "command=/bin/echo \"%(ENV_MSG)s\"",
            &["/bin/echo", "hello world"],
        ),
    ];
    let ex = x(
        "/etc/supervisor",
        &[("APP_PORT", "8000"), ("MSG", "hello world")],
    );
    for (body, want) in cases {
        let text = format!("[program:web]\n{body}\n");
        let c = parsed(&text);
        let p = c.program_named("web", &ex).expect("program");
        assert!(p.problems.is_empty(), "{body}: {:?}", p.problems);
        let argv: Vec<&str> = p
            .command
            .as_ref()
            .expect("command")
            .argv
            .iter()
            .map(|a| a.value.as_str())
            .collect();
        assert_eq!(argv, want, "{body}");
    }
}

#[test]
fn problem_table() {
    let cases: [(&str, &str); 8] = [
        ("command=x %(ENV_NOPE)s", "`%(ENV_NOPE)s`"),
        ("command=date +%s", "badly formatted"),
        ("command=x\nautostart=maybe", "not a boolean"),
        ("command=x\nstopsignal=SIGNOPE", "not a signal"),
        ("command=x\nstdout_logfile_maxbytes=lots", "not a byte size"),
        (
            "command=x\nstopasgroup=true\nkillasgroup=false",
            "needs `killasgroup=true`",
        ),
        ("directory=/app", "has no `command`"),
        ("command=x 'open", "cannot be split"),
    ];
    for (body, want) in cases {
        let text = format!("[program:p]\n{body}\n");
        let c = parsed(&text);
        let p = c.program_named("p", &x("/", &[])).expect("program");
        assert!(
            p.problems.iter().any(|pr| pr.message.contains(want)),
            "{body}: {:?}",
            p.problems
        );
    }
}

#[test]
fn defaults_table() {
    let c = parsed("[program:p]\ncommand=x\nstopasgroup=true\n");
    let p = c.program_named("p", &x("/", &[])).expect("program");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert!(p.killasgroup.value && p.killasgroup.is_default());
    assert_eq!(p.stopsignal.value, "TERM");
    assert_eq!(p.stopwaitsecs.value, 10);
    assert_eq!(p.autorestart.value, AutoRestart::Unexpected);
    assert_eq!(p.stdout_logfile.value, LogFile::Auto);
    assert_eq!(p.stdout_logfile_maxbytes.value, 50 << 20);
    assert!(!p.redirect_stderr.value);
    let c = parsed("[supervisord]\n");
    let s = c.supervisord(&x("/", &[])).expect("section");
    assert!(!s.nodaemon.value && s.nodaemon.is_default());
}

#[test]
fn include_files_resolve_against_here() {
    let text = "[include]\nfiles = conf.d/*.conf /etc/extra/%(ENV_NAME)s.ini\n    more/*.ini\n";
    let c = parsed(text);
    let inc = c
        .include(&x("/etc/supervisor", &[("NAME", "x")]))
        .expect("include");
    let got: Vec<(&str, &str)> = inc
        .files
        .iter()
        .map(|f| (f.value.as_str(), at(text, f.span)))
        .collect();
    assert_eq!(
        got,
        [
            ("/etc/supervisor/conf.d/*.conf", "conf.d/*.conf"),
            ("/etc/extra/x.ini", "/etc/extra/%(ENV_NAME)s.ini"),
            ("/etc/supervisor/more/*.ini", "more/*.ini"),
        ]
    );
}

#[test]
fn groups_list_their_programs() {
    let text = "[group:web]\nprograms=app, nginx\n[program:app]\ncommand=x\n";
    let c = parsed(text);
    let groups = c.groups();
    let progs: Vec<(&str, &str)> = groups[0]
        .programs
        .iter()
        .map(|p| (p.value.as_str(), at(text, p.span)))
        .collect();
    assert_eq!(groups[0].name, "web");
    assert_eq!(progs, [("app", "app"), ("nginx", "nginx")]);
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn on_any_text(text in "(\\[program:a\\]|\\[supervisord\\]|command|=|:|;|#|%\\(|\\)s|'|\"|\\\\|[ \t\na-z0-9,])*") {
            if let Ok(c) = parse(&text) {
                let ex = Expansions::default();
                let _ = c.programs(&ex);
                let _ = c.supervisord(&ex);
                let _ = c.include(&ex);
                let _ = c.groups();
            }
        }

        #[test]
        fn on_any_unicode(text in "\\PC*") {
            if let Ok(c) = parse(&text) {
                let _ = c.programs(&Expansions::default());
            }
        }
    }
}
