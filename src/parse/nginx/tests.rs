//! Table tests for the nginx parser: good inputs with their exact trees and spans, bad inputs
//! with their exact error kinds and spans.

use super::*;

/// A compact picture of a tree: `name arg arg;` or `name arg { ... }`. Names are shown as
/// written; quoted arguments as `"value"` / `'value'`; Lua code as `<lua:code>`.
fn show(text: &str, directives: Directives<'_, '_>) -> String {
    let mut out = Vec::new();
    for d in directives {
        let mut s = text[d.name_span().start..d.name_span().end].to_owned();
        for a in d.args() {
            s.push(' ');
            s.push_str(&match a.quote {
                Quote::Double => format!("\"{}\"", a.value()),
                Quote::Single => format!("'{}'", a.value()),
                Quote::None if a.is_lua_code() => format!("<lua:{}>", a.value()),
                Quote::None => a.value().to_string(),
            });
        }
        if d.has_block() {
            match d.children().count() {
                0 => s.push_str(" { }"),
                _ => s.push_str(&format!(" {{ {} }}", show(text, d.children()))),
            }
        } else if !d.is_lua_block() {
            s.push(';');
        }
        out.push(s);
    }
    out.join(" ")
}

fn tree(text: &str) -> String {
    match parse(text) {
        Ok(config) => show(text, config.directives()),
        Err(e) => panic!("{text:?}: {e} at {:?}", e.span),
    }
}

#[test]
fn good_inputs() {
    let cases = [
        ("", ""),
        ("  \n\t\r\n", ""),
        ("a;", "a;"),
        ("a b c;", "a b c;"),
        ("events {}", "events { }"),
        (
            "http { server { listen 80; } }",
            "http { server { listen 80; } }",
        ),
        ("http{server{listen 80;}}", "http { server { listen 80; } }"),
        (
            "location ~* \\.(gif|jpg)$ { }",
            "location ~* \\.(gif|jpg)$ { }",
        ),
        ("location ^~ /images/ {}", "location ^~ /images/ { }"),
        ("location = / {}", "location = / { }"),
        (
            "location /foo{}location /bar{}",
            "location /foo { } location /bar { }",
        ),
        (
            "if ($request_method = POST) { return 405; }",
            "if $request_method = POST { return 405; }",
        ),
        ("if ( $a ) {}", "if $a { }"),
        ("if ($a) {}", "if $a { }"),
        ("if () {}", "if { }"),
        ("if ( ) {}", "if { }"),
        ("if ($slow {}", "if ($slow { }"),
        ("if $slow) {}", "if $slow) { }"),
        (
            "if ($http_user_agent ~ \"MSIE\") {}",
            "if $http_user_agent ~ \"MSIE\" { }",
        ),
        (
            r"if ($request_method = P\{O\)\###\;ST  ){}",
            r"if $request_method = P\{O\)\###\;ST { }",
        ),
        ("set $a \"${b}c\";", "set $a \"${b}c\";"),
        (
            "try_files /abc/${uri} /abc/${uri}.html =404;",
            "try_files /abc/${uri} /abc/${uri}.html =404;",
        ),
        (
            "map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
            "map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
        ),
        (
            "types { text/html html htm; image/png png; }",
            "types { text/html html htm; image/png png; }",
        ),
        (
            "upstream app { server 127.0.0.1:8000 max_fails=3; keepalive 16; }",
            "upstream app { server 127.0.0.1:8000 max_fails=3; keepalive 16; }",
        ),
        (
            "geo $geo { default 0; 127.0.0.1/32 1; }",
            "geo $geo { default 0; 127.0.0.1/32 1; }",
        ),
        (
            "split_clients \"${remote_addr}AAA\" $v { 0.5% .one; * \"\"; }",
            "split_clients \"${remote_addr}AAA\" $v { 0.5% .one; * \"\"; }",
        ),
        (
            "content_by_lua_block { ngx.say(\"}\") }",
            "content_by_lua_block <lua: ngx.say(\"}\") >",
        ),
        (
            "set_by_lua_block $res { return 1 } a;",
            "set_by_lua_block $res <lua: return 1 > a;",
        ),
        (
            "\"rewrite_by_lua_block\" { a = { 1 } -- }\n }",
            "\"rewrite_by_lua_block\" <lua: a = { 1 } -- }\n >",
        ),
        (
            "server_name content_by_lua_block;",
            "server_name content_by_lua_block;",
        ),
        (
            "upstream content_by_lua_block { }",
            "upstream content_by_lua_block { }",
        ),
        ("return 200 \"a;b{c}#d\";", "return 200 \"a;b{c}#d\";"),
        ("return 200 '}';", "return 200 '}';"),
        (r#"return 200 "a\"b";"#, r#"return 200 "a"b";"#),
        (r"return 200 'it\'s';", "return 200 'it's';"),
        (r#"return 200 "a\'b\n";"#, r#"return 200 "a\'b\n";"#),
        (r#"return 200 "a\\";"#, r#"return 200 "a\\";"#),
        ("env 'русский текст';", "env 'русский текст';"),
        ("a b;\r\nc d;\r\n", "a b; c d;"),
        ("a; # x;\nb; #", "a; b;"),
        ("a #{\n b;", "a b;"),
        ("a \"b\" ;", "a \"b\";"),
        ("\"a\" b;", "\"a\" b;"),
        ("'' '';", "'' '';"),
        ("a\\;b;", "a\\;b;"),
        ("a\\ b c;", "a\\ b c;"),
        ("x { a b}; }", "x { a b}; }"),
        ("a\u{a0}b c;", "a\u{a0}b c;"),
        ("a b\\\nc;", "a b\\\nc;"),
        ("a#b c#;", "a#b c#;"),
        ("a b\"c d\";", "a b\"c d\";"),
        ("a (\"b\");", "a (\"b\");"),
        ("a ( \"b\");", "a ( \"b\" );"),
        (
            "location /\\{\\;\\}\\ #\\ ab {}# hello",
            "location /\\{\\;\\}\\ #\\ ab { }",
        ),
        (
            "\"location\" \"/sta;\n tus\" {\"return\" 302 /s;}",
            "\"location\" \"/sta;\n tus\" { \"return\" 302 /s; }",
        ),
        ("a ${b c};", "a ${b c};"),
    ];
    for (input, want) in cases {
        assert_eq!(tree(input), want, "{input:?}");
    }
}

#[test]
fn bad_inputs() {
    use ParseErrorKind::*;
    let missing = |d: &str| MissingSemicolon {
        directive: d.to_owned(),
    };
    let cases: Vec<(&str, ParseErrorKind, Span)> = vec![
        ("}", UnexpectedCloseBrace, Span::new(0, 1)),
        ("a { } }", UnexpectedCloseBrace, Span::new(6, 7)),
        ("x { foo bar }", missing("foo"), Span::new(11, 11)),
        ("x {\n  foo bar\n}", missing("foo"), Span::new(13, 13)),
        ("foo bar", missing("foo"), Span::new(7, 7)),
        ("foo # c", missing("foo"), Span::new(3, 3)),
        ("a;;", EmptyDirective, Span::new(2, 3)),
        (";", EmptyDirective, Span::new(0, 1)),
        ("x { ; }", EmptyDirective, Span::new(4, 5)),
        ("{ }", UnexpectedOpenBrace, Span::new(0, 1)),
        ("a; {}", UnexpectedOpenBrace, Span::new(3, 4)),
        ("a \"b;", UnterminatedQuote { quote: '"' }, Span::new(2, 3)),
        (
            "a 'b\\';",
            UnterminatedQuote { quote: '\'' },
            Span::new(2, 3),
        ),
        (
            "http {",
            UnexpectedEof {
                open: Span::new(5, 6),
            },
            Span::new(6, 6),
        ),
        (
            "http {\n  a;\n\n",
            UnexpectedEof {
                open: Span::new(5, 6),
            },
            Span::new(11, 11),
        ),
        (
            "a { b { } # c\n",
            UnexpectedEof {
                open: Span::new(2, 3),
            },
            Span::new(13, 13),
        ),
        (
            "a \"b\"c;",
            UnexpectedAfterQuote { found: 'c' },
            Span::new(5, 6),
        ),
        (
            "x { a \"b\"}",
            UnexpectedAfterQuote { found: '}' },
            Span::new(9, 10),
        ),
        (
            "a 'b'#c\n;",
            UnexpectedAfterQuote { found: '#' },
            Span::new(5, 6),
        ),
        (
            "a \"b\"é;",
            UnexpectedAfterQuote { found: 'é' },
            Span::new(5, 7),
        ),
        (
            "content_by_lua_block foo;",
            ExpectedLuaBlock {
                directive: "content_by_lua_block".into(),
            },
            Span::new(21, 22),
        ),
        (
            "content_by_lua_block",
            ExpectedLuaBlock {
                directive: "content_by_lua_block".into(),
            },
            Span::new(20, 20),
        ),
        (
            "set_by_lua_block $a;",
            ExpectedLuaBlock {
                directive: "set_by_lua_block".into(),
            },
            Span::new(19, 20),
        ),
        (
            "content_by_lua_block { x",
            UnexpectedEof {
                open: Span::new(21, 22),
            },
            Span::new(24, 24),
        ),
    ];
    for (input, kind, span) in cases {
        let got = parse(input).expect_err(input);
        assert_eq!((got.kind, got.span), (kind, span), "{input:?}");
    }
}

#[test]
fn nesting_is_limited_without_overflowing_the_stack() {
    let ok = format!("{}{}", "a{".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
    assert!(parse(&ok).is_ok());
    let deep = "a{".repeat(MAX_DEPTH + 1);
    let e = parse(&deep).expect_err("too deep");
    assert_eq!(e.kind, ParseErrorKind::TooDeep { limit: MAX_DEPTH });
    assert_eq!(e.span, Span::new(MAX_DEPTH * 2 + 1, MAX_DEPTH * 2 + 2));
    // Far past the limit, still an error and not a crash.
    assert!(parse(&"a{".repeat(100_000)).is_err());
    assert!(parse(&"}".repeat(100_000)).is_err());
}

#[test]
fn input_size_is_limited() {
    let big = "#".repeat(MAX_INPUT + 1);
    let e = parse(&big).expect_err("too large");
    assert_eq!(
        e.kind,
        ParseErrorKind::TooLarge {
            size: MAX_INPUT + 1,
            limit: MAX_INPUT
        }
    );
}

#[test]
fn spans() {
    let text =
        "listen 80;\nx { y \"b c\" 'd'; }\nif ( $a ) {}\nif ($b) {}\ncontent_by_lua_block { a }";
    let config = parse(text).expect("parses");
    let d: Vec<_> = config.directives().collect();
    let arg = |d: &Directive<'_, 'static>, i| d.arg(i).expect("an argument");
    assert_eq!(
        (d[0].name_span(), d[0].span()),
        (Span::new(0, 6), Span::new(0, 10))
    );
    assert_eq!(arg(&d[0], 0).span, Span::new(7, 9));
    assert_eq!(d[1].span(), Span::new(11, 29));
    let y = d[1].children().next().expect("a child");
    assert_eq!(y.span(), Span::new(15, 27));
    let spans: Vec<_> = y.args().map(|a| (a.raw, a.span)).collect();
    assert_eq!(
        spans,
        [("\"b c\"", Span::new(17, 22)), ("'d'", Span::new(23, 26))]
    );
    assert_eq!(arg(&d[2], 0).span, Span::new(35, 37));
    assert_eq!(
        (arg(&d[3], 0).raw, arg(&d[3], 0).span),
        ("$b", Span::new(47, 49))
    );
    let lua = arg(&d[4], 0);
    assert_eq!((lua.raw, lua.value().as_ref()), ("{ a }", " a "));
    assert_eq!(lua.span, Span::new(75, 80));
    assert_eq!(d[4].span(), Span::new(54, 80));
    assert_eq!(
        d.iter().map(Directive::head_end).collect::<Vec<_>>(),
        [9, 13, 40, 51, 75]
    );
    for visit in config.walk() {
        let dir = visit.directive;
        let name = dir.name_span();
        assert_eq!(&text[name.start..name.end], dir.name());
        for a in dir.args() {
            assert_eq!(&text[a.span.start..a.span.end], a.raw);
        }
    }
}

#[test]
fn if_stripping_trims_values_and_unquoted_tokens() {
    /// An argument: raw token, quote, value, span.
    type Want = (&'static str, Quote, &'static str, (usize, usize));
    let cases: [(&str, &[Want]); 4] = [
        (
            "if (\"$a\" = 'x') {}",
            &[
                ("\"$a\"", Quote::None, "\"$a\"", (4, 8)),
                ("=", Quote::None, "=", (9, 10)),
                ("'x'", Quote::Single, "x", (11, 14)),
            ],
        ),
        (
            "if \"( $a\" = \"b )\" {}",
            &[
                ("\"( $a\"", Quote::Double, "$a", (3, 9)),
                ("=", Quote::None, "=", (10, 11)),
                ("\"b )\"", Quote::Double, "b", (12, 17)),
            ],
        ),
        ("if (\t$a\n) {}", &[("$a", Quote::None, "$a", (5, 7))]),
        (
            "if \"( a )\";",
            &[("\"( a )\"", Quote::Double, "a", (3, 10))],
        ),
    ];
    for (text, want) in cases {
        let config = parse(text).expect(text);
        let d = config.find("if").expect("an if");
        let got: Vec<_> = d
            .args()
            .map(|a| (a.raw, a.quote, a.value(), (a.span.start, a.span.end)))
            .collect();
        let want: Vec<_> = want
            .iter()
            .map(|&(raw, quote, value, span)| (raw, quote, Cow::Borrowed(value), span))
            .collect();
        assert_eq!(got, want, "{text:?}");
    }
}

#[test]
fn comments_are_collected_with_spans() {
    let text = "a; # hi\r\nb # in args\n c; #\n#last";
    let config = parse(text).expect("parses");
    let got: Vec<_> = config.comments().map(|c| (c.text, c.span)).collect();
    assert_eq!(
        got,
        [
            (" hi", Span::new(3, 7)),
            (" in args", Span::new(11, 20)),
            ("", Span::new(25, 26)),
            ("last", Span::new(27, 32)),
        ]
    );
    let ignore = parse("listen 80; # gen: ignore[NGX001]\n").expect("parses");
    assert_eq!(
        ignore.comments().next().map(|c| c.text),
        Some(" gen: ignore[NGX001]")
    );
}

#[test]
fn values_borrow_unless_a_quote_is_unescaped() {
    let config = parse(r#"a "b c" "d\"e" 'f\"g' h\"i;"#).expect("parses");
    let a = config.find("a").expect("a");
    let values: Vec<_> = a.args().map(|a| a.value()).collect();
    let borrowed: Vec<_> = values
        .iter()
        .map(|v| (v.as_ref(), matches!(v, Cow::Borrowed(_))))
        .collect();
    assert_eq!(
        borrowed,
        [
            ("b c", true),
            ("d\"e", false),
            (r#"f\"g"#, true),
            (r#"h\"i"#, true)
        ]
    );
}

#[test]
fn unescaped_gives_nginx_values() {
    let config =
        parse(r#"a "x\"y" 'p\\q' "t\tn\n" "\d" plain content_by_lua_block;"#).expect("parses");
    let got: Vec<_> = config
        .find("a")
        .expect("a")
        .args()
        .map(|a| a.unescaped().into_owned())
        .collect();
    assert_eq!(
        got,
        [
            "x\"y",
            "p\\q",
            "t\tn\n",
            "\\d",
            "plain",
            "content_by_lua_block"
        ]
    );
}

#[test]
fn prefix_is_what_nginx_reads_before_the_error() {
    let cases = [
        // An unquoted `{` in a regex opens a block: its first directive is `3}$`.
        (
            "server { location ~ ^/x/\\d{3}$ { return 200; } }",
            "server { location ~ ^/x/\\d { 3}$ { return 200; } } }",
        ),
        // The directive being read is left out; open blocks end at the error.
        ("http { a 1; b 2 }", "http { a 1; }"),
        ("http { a; } }", "http { a; }"),
        ("a \"b\"c;", ""),
        ("a; content_by_lua_block x", "a;"),
        ("a; b { c; ;", "a; b { c; }"),
        ("a; b", "a;"),
        ("a; b {", "a; b { }"),
        ("a;", "a;"),
    ];
    for (text, want) in cases {
        let (config, error) = parse_prefix(text);
        assert_eq!(error, parse(text).err(), "{text:?}");
        assert_eq!(show(text, config.directives()), want, "{text:?}");
    }
}

#[test]
fn walk_gives_parents() {
    let config = parse("a { b { c; } d; } e;").expect("parses");
    let got: Vec<_> = config
        .walk()
        .map(|v| {
            let path: Vec<_> = v.parents.iter().map(Directive::name).collect();
            format!("{}:{}", v.directive.name(), path.join("/"))
        })
        .collect();
    assert_eq!(got, ["a:", "b:a", "c:a/b", "d:a", "e:"]);
    assert_eq!(
        config.find("a").and_then(|a| a.find("d")).map(|d| d.name()),
        Some("d")
    );
    assert_eq!(config.find("zz"), None);
}

#[test]
fn error_messages() {
    let cases = [
        ("}", "unexpected `}`: no block is open", "unexpected \"}\""),
        (
            "x { foo bar }",
            "expected `;` after the arguments of `foo`",
            "directive \"foo\" is not terminated by \";\"",
        ),
        (
            "http {",
            "unexpected end of file: a block is not closed with `}`",
            "unexpected end of file, expecting \"}\"",
        ),
        (
            "a;;",
            "unexpected `;`: expected a directive name",
            "unexpected \";\"",
        ),
    ];
    for (input, display, crossplane) in cases {
        let e = parse(input).expect_err(input);
        assert_eq!(e.to_string(), display);
        assert_eq!(e.kind.crossplane_message(), crossplane);
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn check_span(text: &str, span: Span, what: &str) -> Result<(), TestCaseError> {
        prop_assert!(span.start <= span.end, "{what} {span:?} is reversed");
        prop_assert!(span.end <= text.len(), "{what} {span:?} is out of bounds");
        prop_assert!(
            text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
            "{what} {span:?} splits a character"
        );
        Ok(())
    }

    fn check_tree(text: &str, list: Directives<'_, '_>, outer: Span) -> Result<(), TestCaseError> {
        let mut after = outer.start;
        for d in list {
            let (span, name) = (d.span(), d.name_span());
            check_span(text, span, "directive")?;
            check_span(text, name, "name")?;
            prop_assert!(after <= span.start && span.end <= outer.end);
            prop_assert!(span.start == name.start && name.end <= span.end);
            for a in d.args() {
                check_span(text, a.span, "argument")?;
                prop_assert!(name.end <= a.span.start && a.span.end <= span.end);
                prop_assert_eq!(&text[a.span.start..a.span.end], a.raw);
                prop_assert!(a.raw.contains(a.inner));
            }
            let values: Vec<_> = d.args().map(|a| a.value()).collect();
            prop_assert_eq!(d.values().collect::<Vec<_>>(), values);
            let head_end = d.head_end();
            prop_assert!(name.end <= head_end && head_end < span.end);
            if d.has_block() {
                check_tree(text, d.children(), span)?;
            } else {
                prop_assert_eq!(d.children().count(), 0);
            }
            after = span.end;
        }
        Ok(())
    }

    fn check(text: &str) -> Result<(), TestCaseError> {
        let result = parse(text);
        match &result {
            Ok(config) => {
                check_tree(text, config.directives(), Span::new(0, text.len()))?;
                prop_assert_eq!(config.walk().count(), config.len());
                for c in config.comments() {
                    check_span(text, c.span, "comment")?;
                    prop_assert_eq!(&text[c.span.start + 1..c.span.end], c.text);
                }
            }
            Err(e) => {
                check_span(text, e.span, "error")?;
                if let ParseErrorKind::UnexpectedEof { open } = e.kind {
                    check_span(text, open, "open brace")?;
                    prop_assert_eq!(&text[open.start..open.end], "{");
                }
            }
        }
        // What nginx reads before the error: a well-formed tree, all of it before the
        // error; the parse's own tree when there is none.
        let (prefix, error) = super::super::parse_prefix(text);
        check_tree(text, prefix.directives(), Span::new(0, text.len()))?;
        prop_assert_eq!(&error, &result.as_ref().err().cloned());
        match (&result, &error) {
            (Ok(config), _) => prop_assert_eq!(
                show(text, config.directives()),
                show(text, prefix.directives())
            ),
            (Err(_), Some(e)) => {
                for d in prefix.walk() {
                    prop_assert!(d.directive.span().end <= e.span.start);
                }
            }
            (Err(_), None) => prop_assert!(false, "parse_prefix lost the error"),
        }
        // The tolerant comment pass gives the parse's comments when it succeeds, and spans
        // inside the text always.
        let tolerant = super::super::comments(text);
        for c in &tolerant {
            check_span(text, c.span, "tolerant comment")?;
            prop_assert_eq!(&text[c.span.start + 1..c.span.end], c.text);
        }
        if let Ok(config) = &result {
            prop_assert_eq!(&config.comments().collect::<Vec<_>>(), &tolerant);
        }
        for comments in [false, true] {
            let json = payload::single_file_json("f", text, &result, comments);
            prop_assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
        }
        Ok(())
    }

    const SOUP: &[&str] = &[
        "a",
        "bc",
        "$x",
        "${y}",
        "$",
        "{",
        "}",
        ";",
        "\"q\"",
        "'s'",
        "\"",
        "'",
        "#c\n",
        "#",
        "\\",
        "(",
        ")",
        " ",
        "\n",
        "\r\n",
        "\r",
        "\t",
        "é",
        "\u{a0}",
        "日本",
        "if",
        "location",
        "~*",
        "content_by_lua_block",
        "set_by_lua_block",
        "--",
        "[[",
        "]]",
        "[=[",
        "=",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            check(&String::from_utf8_lossy(&bytes))?;
        }

        #[test]
        fn token_soup_never_panics(
            picks in proptest::collection::vec(0..SOUP.len(), 0..120)
        ) {
            let text: String = picks.iter().map(|&i| SOUP[i]).collect();
            check(&text)?;
        }
    }
}
