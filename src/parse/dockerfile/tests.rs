//! Table tests for the Dockerfile reader, in the style of just's `test!` tables.

use super::*;
use crate::parse::span::LineIndex;

fn parsed(text: &str) -> Dockerfile {
    parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn at(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

/// `(source, keyword, args_text, words)` for each instruction of a one-instruction file.
#[test]
fn instruction_table() {
    let cases: [(&str, &str, &str, &[&str]); 16] = [
        ("FROM alpine:3.22", "FROM", "alpine:3.22", &["alpine:3.22"]),
        (
            "from node:22 as deps",
            "FROM",
            "node:22 as deps",
            &["node:22", "as", "deps"],
        ),
        ("RUN echo hi", "RUN", "echo hi", &["echo hi"]),
        ("  run   echo   hi  ", "RUN", "echo   hi", &["echo   hi"]),
        (
            "CMD [\"/usr/bin/supervisord\", \"-c\", \"/etc/s.conf\"]",
            "CMD",
            "[\"/usr/bin/supervisord\", \"-c\", \"/etc/s.conf\"]",
            &["/usr/bin/supervisord", "-c", "/etc/s.conf"],
        ),
        ("CMD [not json", "CMD", "[not json", &["[not json"]),
        ("CMD ['single']", "CMD", "['single']", &["['single']"]),
        (
            "COPY --from=deps a b /app/",
            "COPY",
            "a b /app/",
            &["a", "b", "/app/"],
        ),
        (
            "COPY [\"a b\", \"/x/\"]",
            "COPY",
            "[\"a b\", \"/x/\"]",
            &["a b", "/x/"],
        ),
        (
            "ENV A=1 B=\"x y\"",
            "ENV",
            "A=1 B=\"x y\"",
            &["A=1", "B=\"x y\""],
        ),
        (
            "ENV A hello world",
            "ENV",
            "A hello world",
            &["A", "hello world"],
        ),
        ("EXPOSE 80 53/udp", "EXPOSE", "80 53/udp", &["80", "53/udp"]),
        ("USER app:app", "USER", "app:app", &["app:app"]),
        (
            "HEALTHCHECK --interval=30s CMD curl -f http://x/ || exit 1",
            "HEALTHCHECK",
            "CMD curl -f http://x/ || exit 1",
            &["CMD curl -f http://x/ || exit 1"],
        ),
        ("HEALTHCHECK NONE", "HEALTHCHECK", "NONE", &["NONE"]),
        ("FROBNICATE a  b", "FROBNICATE", "a  b", &["a", "b"]),
    ];
    for (text, keyword, args, words) in cases {
        let df = parsed(text);
        assert_eq!(df.instructions.len(), 1, "{text}");
        let ins = &df.instructions[0];
        assert_eq!(ins.keyword, keyword, "{text}");
        assert_eq!(ins.args_text, args, "{text}");
        let got: Vec<&str> = ins.words.iter().map(|w| w.raw.as_str()).collect();
        assert_eq!(got, words, "{text}");
        assert_eq!(at(text, ins.args_span), args, "{text}");
        assert_eq!(at(text, ins.span), text.trim(), "{text}");
    }
}

#[test]
fn continuation_joins_lines_and_skips_comments_and_blanks() {
    let text = "RUN apt-get update \\\n    # a comment inside\n\n    && apt-get install -y \\\n        curl\nEXPOSE 80\n";
    let df = parsed(text);
    assert_eq!(df.instructions.len(), 2);
    let run = &df.instructions[0];
    assert_eq!(
        run.args_text,
        "apt-get update     && apt-get install -y         curl"
    );
    assert_eq!(
        at(text, run.span),
        &text[..text.find("curl").expect("curl") + 4]
    );
    assert_eq!(df.comments.len(), 1);
    assert_eq!(df.comments[0].text, " a comment inside");
    assert_eq!(at(text, df.comments[0].span), "# a comment inside");
    assert_eq!(
        df.warnings.iter().map(|w| &w.kind).collect::<Vec<_>>(),
        [&ParseErrorKind::EmptyContinuationLine]
    );
    let index = LineIndex::new(text);
    let expose = &df.instructions[1];
    assert_eq!(index.line_col(text, expose.span.start).line, 6);
    assert_eq!(index.line_col(text, run.span.end).line, 5);
}

#[test]
fn word_spans_point_into_continuation_lines() {
    let text = "COPY --chown=app:app \\\n     a.txt \\\n     /dest/\n";
    let df = parsed(text);
    let ins = &df.instructions[0];
    let Kind::Copy(copy) = &ins.kind else {
        panic!("not a copy: {:?}", ins.kind);
    };
    assert_eq!(at(text, copy.sources[0].span), "a.txt");
    assert_eq!(at(text, copy.dest.span), "/dest/");
    assert_eq!(at(text, ins.flags[0].span), "--chown=app:app");
    assert_eq!(copy.chown.as_deref(), Some("app:app"));
    let index = LineIndex::new(text);
    let lc = index.line_col(text, copy.dest.span.start);
    assert_eq!((lc.line, lc.column), (3, 6));
}

#[test]
fn escape_directive_changes_the_continuation_character() {
    let text = "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir c:\\ `\n    && echo done\n";
    let df = parsed(text);
    assert_eq!(df.escape, '`');
    assert_eq!(df.directives[0].name, "escape");
    assert_eq!(df.instructions[1].args_text, "dir c:\\     && echo done");
}

#[test]
fn directives_only_at_the_top() {
    let text = "# syntax=docker/dockerfile:1\n# a comment\n# escape=`\nFROM a\n";
    let df = parsed(text);
    assert_eq!(df.directives.len(), 1);
    assert_eq!(df.directives[0].value, "docker/dockerfile:1");
    assert_eq!(df.escape, '\\');
    let texts: Vec<&str> = df.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, [" a comment", " escape=`"]);
}

#[test]
fn comment_pragmas_are_collected_with_spans() {
    let text = "FROM a\n# gen: ignore[PORT003]\nEXPOSE 81\n  # hadolint ignore=DL3008\nRUN x\n";
    let df = parsed(text);
    let got: Vec<(&str, &str)> = df
        .comments
        .iter()
        .map(|c| (c.text.as_str(), at(text, c.span)))
        .collect();
    assert_eq!(
        got,
        [
            (" gen: ignore[PORT003]", "# gen: ignore[PORT003]"),
            (" hadolint ignore=DL3008", "# hadolint ignore=DL3008"),
        ]
    );
}

#[test]
fn heredocs_are_passed_over() {
    let text = "FROM a\nRUN <<EOF\nset -e\nFROM not-an-instruction\nEOF\nRUN <<-'END' bash\n\techo $HOME\n\tEND\nCOPY <<conf /etc/x.conf\nk=v\nconf\nUSER app\n";
    let df = parsed(text);
    let kws: Vec<&str> = df.instructions.iter().map(|i| i.keyword.as_str()).collect();
    assert_eq!(kws, ["FROM", "RUN", "RUN", "COPY", "USER"]);
    let run = &df.instructions[1];
    assert_eq!(run.heredocs[0].name, "EOF");
    assert_eq!(run.heredocs[0].content, "set -e\nFROM not-an-instruction\n");
    assert!(run.heredocs[0].expand);
    assert!(at(text, run.span).ends_with("\nEOF"));
    let chomped = &df.instructions[2].heredocs[0];
    assert_eq!(
        (chomped.content.as_str(), chomped.chomp, chomped.expand),
        ("echo $HOME\n", true, false)
    );
    let Kind::Copy(copy) = &df.instructions[3].kind else {
        panic!("not a copy");
    };
    assert_eq!(copy.sources[0].raw, "<<conf");
    assert_eq!(df.instructions[3].heredocs[0].content, "k=v\n");
}

#[test]
fn exec_form_has_no_heredoc() {
    let df = parsed("RUN [\"sh\", \"-c\", \"cat <<EOF\"]\nUSER app\n");
    assert_eq!(df.instructions.len(), 2);
    assert!(df.instructions[0].heredocs.is_empty());
}

#[test]
fn forms_table() {
    let cases: [(&str, Form); 5] = [
        (
            "CMD [\"a\", \"b c\"]",
            Form::Exec(vec!["a".into(), "b c".into()]),
        ),
        ("CMD a \"b c\"", Form::Shell("a \"b c\"".into())),
        ("ENTRYPOINT []", Form::Exec(vec![])),
        ("ENTRYPOINT [\"a\",]", Form::Shell("[\"a\",]".into())),
        (
            "SHELL [\"/bin/bash\", \"-c\"]",
            Form::Exec(vec!["/bin/bash".into(), "-c".into()]),
        ),
    ];
    for (text, want) in cases {
        let df = parsed(text);
        let got = match &df.instructions[0].kind {
            Kind::Cmd(f) | Kind::Entrypoint(f) | Kind::Shell(f) | Kind::Run(f) => f.clone(),
            k => panic!("{text}: {k:?}"),
        };
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn stages_and_copy_from() {
    let text = "ARG BASE=alpine:3.22\nFROM node:22 AS Deps\nWORKDIR /app\nFROM deps AS build\nCOPY x .\nFROM ${BASE}\nCOPY --from=build /app/x /y\nCOPY --from=0 /a /b\nCOPY --from=nginx:1 /c /d\n";
    let df = parsed(text);
    assert!(df.instructions[0].global);
    assert_eq!(df.stages.len(), 3);
    assert_eq!(df.stages[0].name.as_deref(), Some("deps"));
    assert_eq!(df.stages[1].base, Base::Stage(0));
    assert_eq!(df.stages[2].base, Base::Image("alpine:3.22".into()));
    assert_eq!(df.final_stage().map(|s| s.index), Some(2));
    let copies: Vec<(String, Option<usize>, usize)> = df
        .instructions
        .iter()
        .filter_map(|i| match &i.kind {
            Kind::Copy(c) => Some((c.dest_path.clone(), c.from_stage, i.stage)),
            _ => None,
        })
        .collect();
    assert_eq!(
        copies,
        [
            ("/app/".to_owned(), None, 1),
            ("/y".to_owned(), Some(1), 2),
            ("/b".to_owned(), Some(0), 2),
            ("/d".to_owned(), None, 2),
        ]
    );
    assert_eq!(df.stage_named("BUILD").map(|s| s.index), Some(1));
    assert_eq!(df.stage_instructions(&df.stages[1]).count(), 2);
}

#[test]
fn workdir_resolution_table() {
    let cases: [(&str, &str); 5] = [
        ("FROM a\nWORKDIR /app\n", "/app"),
        ("FROM a\nWORKDIR /app\nWORKDIR src\n", "/app/src"),
        ("FROM a\nWORKDIR /app/\nWORKDIR ../srv/\n", "/srv"),
        ("FROM a\nENV D=/opt\nWORKDIR $D/x\n", "/opt/x"),
        ("FROM a\nWORKDIR rel\n", "/rel"),
    ];
    for (text, want) in cases {
        let df = parsed(text);
        assert_eq!(
            df.final_stage().map(|s| s.workdir.as_str()),
            Some(want),
            "{text}"
        );
    }
}

#[test]
fn substitution_table() {
    // (Dockerfile, ENV key to read in the final stage, expected value)
    let cases: [(&str, &str, &str); 9] = [
        ("FROM a\nENV A=1\nENV B=$A-${A}\n", "B", "1-1"),
        ("FROM a\nENV A=1 B=$A\n", "B", "$A"),
        ("FROM a\nENV A=0\nENV A=1 B=$A\n", "B", "0"),
        ("FROM a\nARG P=8000\nENV PORT=$P\n", "PORT", "8000"),
        ("ARG P=9\nFROM a\nARG P\nENV PORT=${P}\n", "PORT", "9"),
        ("ARG P=9\nFROM a\nENV PORT=${P:-1}\n", "PORT", "1"),
        (
            "FROM a\nENV PATH=/opt/venv/bin:$PATH\n",
            "PATH",
            "/opt/venv/bin:$PATH",
        ),
        (
            "FROM a\nENV MSG=\"hello world\" Q='$x'\n",
            "MSG",
            "hello world",
        ),
        ("FROM a\nENV OLD  spaced  value\n", "OLD", "spaced  value"),
    ];
    for (text, key, want) in cases {
        let df = parsed(text);
        let env = &df.final_stage().expect("a stage").env;
        assert_eq!(env.get(key).map(String::as_str), Some(want), "{text}");
    }
}

#[test]
fn unresolved_variables_are_reported_and_image_env_fills_them() {
    let text = "FROM ubuntu:24.04\nENV PATH=/opt/venv/bin:$PATH\n";
    let df = parsed(text);
    let Kind::Env(pairs) = &df.instructions[1].kind else {
        panic!("not env");
    };
    assert_eq!(pairs[0].value.unresolved, ["PATH"]);
    assert_eq!(at(text, pairs[0].key_span), "PATH");
    assert_eq!(at(text, pairs[0].value.span), "/opt/venv/bin:$PATH");
    let seeded = parse_with(text, &|image| {
        assert_eq!(image, "ubuntu:24.04");
        BTreeMap::from([("PATH".to_owned(), "/usr/bin:/bin".to_owned())])
    })
    .expect("parses");
    assert_eq!(
        seeded
            .final_stage()
            .and_then(|s| s.env.get("PATH"))
            .map(String::as_str),
        Some("/opt/venv/bin:/usr/bin:/bin")
    );
}

#[test]
fn expose_table() {
    let df = parsed("FROM a\nARG P=8080\nEXPOSE 80 53/udp 8000-8010/tcp $P bogus\n");
    let Kind::Expose(ports) = &df.instructions[2].kind else {
        panic!("not expose");
    };
    let got: Vec<(Option<(u16, u16)>, Protocol)> =
        ports.iter().map(|p| (p.ports, p.protocol)).collect();
    assert_eq!(
        got,
        [
            (Some((80, 80)), Protocol::Tcp),
            (Some((53, 53)), Protocol::Udp),
            (Some((8000, 8010)), Protocol::Tcp),
            (Some((8080, 8080)), Protocol::Tcp),
            (None, Protocol::Tcp),
        ]
    );
    assert!(ports[2].contains(8005));
    assert_eq!(
        df.warnings.iter().map(|w| &w.kind).collect::<Vec<_>>(),
        [&ParseErrorKind::InvalidPort("bogus".into())]
    );
}

#[test]
fn user_healthcheck_stopsignal() {
    let text = "FROM a\nUSER app:staff\nHEALTHCHECK --interval=5s --retries=3 CMD [\"curl\", \"-f\", \"http://127.0.0.1/\"]\nSTOPSIGNAL SIGQUIT\n";
    let df = parsed(text);
    let Kind::User(user) = &df.instructions[1].kind else {
        panic!("not user");
    };
    assert_eq!(
        (user.user.as_str(), user.group.as_deref()),
        ("app", Some("staff"))
    );
    assert_eq!(
        df.final_stage().and_then(|s| s.user.clone()),
        Some(("app:staff".into(), 1))
    );
    let Kind::Healthcheck(Healthcheck::Cmd {
        form,
        interval,
        retries,
        timeout,
        ..
    }) = &df.instructions[2].kind
    else {
        panic!("not a healthcheck");
    };
    assert_eq!(
        form,
        &Form::Exec(vec!["curl".into(), "-f".into(), "http://127.0.0.1/".into()])
    );
    assert_eq!(
        (interval.as_deref(), retries.as_deref(), timeout.as_deref()),
        (Some("5s"), Some("3"), None)
    );
    assert!(df.instructions[2].json);
    let Kind::Stopsignal(sig) = &df.instructions[3].kind else {
        panic!("not stopsignal");
    };
    assert_eq!(sig.value, "SIGQUIT");
    assert_eq!(
        df.last_in_final("USER").map(|i| i.args_text.as_str()),
        Some("app:staff")
    );
}

#[test]
fn copy_table() {
    // (instruction after `FROM a` + `WORKDIR /app`, sources, dest_path, link)
    let cases: [(&str, &[&str], &str, bool); 6] = [
        ("COPY a /x", &["a"], "/x", false),
        ("COPY a b ./", &["a", "b"], "/app/", false),
        ("COPY a .", &["a"], "/app/", false),
        ("COPY --link a sub/", &["a"], "/app/sub/", true),
        ("ADD --link=false a sub", &["a"], "/app/sub", false),
        (
            "COPY [\"with space\", \"dir/\"]",
            &["with space"],
            "/app/dir/",
            false,
        ),
    ];
    for (line, sources, dest, link) in cases {
        let text = format!("FROM a\nWORKDIR /app\n{line}\n");
        let df = parsed(&text);
        let (Kind::Copy(c) | Kind::Add(c)) = &df.instructions[2].kind else {
            panic!("{line}: not a copy");
        };
        let got: Vec<&str> = c.sources.iter().map(|w| w.value.as_str()).collect();
        assert_eq!(got, sources, "{line}");
        assert_eq!(c.dest_path, dest, "{line}");
        assert_eq!(c.link, link, "{line}");
    }
}

#[test]
fn warnings_table() {
    let cases: [(&str, ParseErrorKind); 6] = [
        ("FROM a b\n", ParseErrorKind::FromArguments),
        (
            "FROM a AS 1x\n",
            ParseErrorKind::InvalidStageName("1x".into()),
        ),
        (
            "FROM a\nCOPY onlyone\n",
            ParseErrorKind::MissingArguments("COPY".into()),
        ),
        (
            "FROM a\nHEALTHCHECK PING x\n",
            ParseErrorKind::HealthcheckType("PING".into()),
        ),
        (
            "FROM a\nFOO bar\n",
            ParseErrorKind::UnknownInstruction("FOO".into()),
        ),
        (
            "FROM a\nENV X=\"open\n",
            ParseErrorKind::Substitution(
                "unexpected end of statement while looking for matching double-quote".into(),
            ),
        ),
    ];
    for (text, want) in cases {
        let df = parsed(text);
        assert_eq!(
            df.warnings.iter().map(|w| &w.kind).collect::<Vec<_>>(),
            [&want],
            "{text}"
        );
    }
}

#[test]
fn error_table() {
    let cases: [(&str, ParseErrorKind, &str); 6] = [
        (
            "# escape=\\\n# escape=`\nFROM a\n",
            ParseErrorKind::DuplicateDirective("escape".into()),
            "# escape=`",
        ),
        (
            "# escape=x\nFROM a\n",
            ParseErrorKind::InvalidEscape("x".into()),
            "# escape=x",
        ),
        (
            "FROM a\nRUN <<EOF\necho\n",
            ParseErrorKind::UnterminatedHeredoc("EOF".into()),
            "RUN <<EOF",
        ),
        (
            "CMD [\"a\", 1]",
            ParseErrorKind::NotStringArray,
            "[\"a\", 1]",
        ),
        (
            "FROM a\nENV ALONE\n",
            ParseErrorKind::MissingValue("ENV".into()),
            "ENV ALONE",
        ),
        (
            "FROM a\nENV A=1 B\n",
            ParseErrorKind::MissingEquals("B".into()),
            "B",
        ),
    ];
    for (text, kind, spanned) in cases {
        let e = parse(text).expect_err(text);
        assert_eq!(e.kind, kind, "{text}");
        assert_eq!(at(text, e.span), spanned, "{text}");
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn crlf_and_bom() {
    let text = "\u{feff}FROM a\r\nRUN x \\\r\n  y\r\n";
    let df = parsed(text);
    assert_eq!(df.instructions[0].keyword, "FROM");
    assert_eq!(df.instructions[1].args_text, "x   y");
    assert_eq!(at(text, df.instructions[1].span), "RUN x \\\r\n  y");
}

#[test]
fn generated_fastapi_dockerfile() {
    let text = include_str!("../../../generated/fastapi-nginx/Dockerfile");
    let df = parsed(text);
    assert!(df.warnings.is_empty(), "{:?}", df.warnings);
    assert_eq!(df.directives[0].name, "syntax");
    let kws: Vec<&str> = df.instructions.iter().map(|i| i.keyword.as_str()).collect();
    assert_eq!(
        kws,
        [
            "FROM",
            "ARG",
            "RUN",
            "WORKDIR",
            "ENV",
            "COPY",
            "RUN",
            "COPY",
            "COPY",
            "COPY",
            "COPY",
            "ENV",
            "EXPOSE",
            "HEALTHCHECK",
            "STOPSIGNAL",
            "ENTRYPOINT",
            "CMD"
        ]
    );
    let stage = df.final_stage().expect("a stage");
    assert_eq!(stage.base, Base::Image("ubuntu:24.04".into()));
    assert_eq!(stage.workdir, "/app");
    assert_eq!(
        stage.env.get("PYTHONUNBUFFERED").map(String::as_str),
        Some("1")
    );
    let Some(Kind::Cmd(Form::Exec(argv))) = df.last_in_final("CMD").map(|i| &i.kind) else {
        panic!("no exec CMD");
    };
    assert_eq!(
        argv,
        &[
            "/usr/bin/supervisord",
            "-c",
            "/etc/supervisor/supervisord.conf"
        ]
    );
    let dests: Vec<&str> = df
        .instructions
        .iter()
        .filter_map(|i| match &i.kind {
            Kind::Copy(c) => Some(c.dest_path.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        dests,
        [
            "/app/requirements.txt",
            "/app/app.py",
            "/etc/nginx/nginx.conf",
            "/etc/supervisor/supervisord.conf",
            "/usr/local/bin/gen-entrypoint"
        ]
    );
    let index = LineIndex::new(text);
    let hc = df.last_in_final("HEALTHCHECK").expect("a healthcheck");
    assert_eq!(index.line_col(text, hc.span.start).line, 51);
    assert_eq!(index.line_col(text, hc.span.end).line, 52);
}

#[test]
fn generated_express_dockerfile() {
    let text = include_str!("../../../generated/express-nginx/Dockerfile");
    let df = parsed(text);
    assert!(df.warnings.is_empty(), "{:?}", df.warnings);
    assert_eq!(df.stages.len(), 2);
    assert_eq!(df.stages[0].name.as_deref(), Some("deps"));
    let from_deps = df
        .instructions
        .iter()
        .find_map(|i| match &i.kind {
            Kind::Copy(c) if c.from.is_some() => Some((c.clone(), i.stage)),
            _ => None,
        })
        .expect("a COPY --from");
    assert_eq!(from_deps.0.from_stage, Some(0));
    assert_eq!(from_deps.1, 1);
    assert_eq!(from_deps.0.dest_path, "/app/node_modules");
    assert_eq!(
        df.final_stage()
            .and_then(|s| s.env.get("NODE_ENV"))
            .map(String::as_str),
        Some("production")
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn on_any_text(text in "(FROM|RUN|COPY|ENV|ARG|EXPOSE|CMD|#|\\\\|<<|\\$\\{|[ \"'\\[\\]=:\n\\-a-z0-9])*") {
            let _ = parse(&text);
        }

        #[test]
        fn on_any_unicode(text in "\\PC*") {
            let _ = parse(&text);
        }
    }
}
