//! Round trips over arbitrary valid specs (proptest): what gen writes parses back, with gen's
//! own parsers, to the spec's values; `gen check` finds nothing wrong in it; and a sample is
//! checked with the real Python and Node.

use crate::escaping::{node_message, python_message};
use crate::support::{gen_bin, tool};
use gen_core::generate::{GeneratedFile, generate};
use gen_core::parse::nginx;
use proptest::prelude::*;
use std::fs;
use std::process::Command;

#[derive(Debug, Clone)]
struct C {
    kind: &'static str,
    app_port: u16,
    nginx_port: u16,
    body: String,
    read_timeout: u32,
    message: String,
}

fn message() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{1,40}",
        prop::collection::vec(
            prop::sample::select(vec![
                "\"",
                "'",
                "\\",
                "$",
                ";",
                "{",
                "}",
                "é",
                "😀",
                "\u{2028}",
                "`",
                "${x}",
                "%(ENV_X)s",
                "daemon off;",
                " ",
                "a",
            ]),
            1..20
        )
        .prop_map(|parts| parts.concat()),
    ]
    // The spec refuses control characters in a message (see tests/cli/escaping.rs).
    .prop_map(|m| m.chars().filter(|c| !c.is_control()).collect::<String>())
    .prop_filter("a message has text", |m| {
        !m.trim().is_empty() && m.chars().count() <= 4096
    })
}

fn container() -> impl Strategy<Value = C> {
    (
        prop::sample::select(vec!["fastapi", "express"]),
        1024u16..=65535,
        1u16..=65535,
        "[1-9][0-9]{0,4}[kmg]?",
        1u32..=3600,
        message(),
    )
        .prop_filter("app and nginx ports differ", |(_, a, n, ..)| a != n)
        .prop_map(
            |(kind, app_port, nginx_port, body, read_timeout, message)| C {
                kind,
                app_port,
                nginx_port,
                body,
                read_timeout,
                message,
            },
        )
}

/// The spec as TOML, written with the toml crate so every string is escaped as TOML needs.
fn spec_text(cs: &[C]) -> String {
    let containers: Vec<toml::Value> = cs
        .iter()
        .enumerate()
        .map(|(i, c)| {
            toml::toml! {
                name = (format!("c{i}"))
                host_port = (i64::try_from(20000 + i).unwrap_or(20000))
                [app]
                kind = (c.kind)
                port = (i64::from(c.app_port))
                message = (c.message.clone())
                [nginx]
                port = (i64::from(c.nginx_port))
                client_max_body_size = (c.body.clone())
                proxy_read_timeout = (i64::from(c.read_timeout))
            }
            .into()
        })
        .collect();
    let mut root = toml::Table::new();
    root.insert("container".into(), toml::Value::Array(containers));
    toml::to_string(&root).unwrap_or_default()
}

fn file<'f>(files: &'f [GeneratedFile], path: &str) -> &'f str {
    files
        .iter()
        .find(|f| f.path.to_str() == Some(path))
        .map_or("", |f| f.contents.as_str())
}

/// Decodes the string literal that starts `line` after `prefix`, with Python's or JavaScript's
/// escapes (the ones a string literal may use: `\\ \" \' \n \r \t \xNN \uNNNN \UNNNNNNNN`).
fn decode_literal(line: &str, prefix: &str) -> Option<String> {
    let body = line.strip_prefix(prefix)?.trim_end_matches([';', ')']);
    let body = body.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '"' {
            return None; // an unescaped quote would end the literal early
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let hex = |chars: &mut std::str::Chars<'_>, n: usize| -> Option<u32> {
            let s: String = chars.by_ref().take(n).collect();
            u32::from_str_radix(&s, 16).ok()
        };
        match chars.next()? {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            '\'' => out.push('\''),
            'x' => out.push(char::from_u32(hex(&mut chars, 2)?)?),
            'U' => out.push(char::from_u32(hex(&mut chars, 8)?)?),
            'u' => {
                let unit = hex(&mut chars, 4)?;
                if (0xd800..0xdc00).contains(&unit) {
                    // A JavaScript surrogate pair.
                    let rest: String = chars.by_ref().take(6).collect();
                    let low = u32::from_str_radix(rest.strip_prefix("\\u")?, 16).ok()?;
                    out.push(char::from_u32(
                        0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00),
                    )?);
                } else {
                    out.push(char::from_u32(unit)?);
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn generated_files_carry_the_spec_values(cs in prop::collection::vec(container(), 1..4)) {
        let text = spec_text(&cs);
        let spec = gen_core::spec::load("spec.toml", &text)
            .map_err(|e| TestCaseError::fail(format!("valid spec rejected: {e}\n{text}")))?;
        let files = generate(&spec, &Default::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (i, c) in cs.iter().enumerate() {
            let name = format!("c{i}");
            // nginx: listen, upstream server, body size and timeout, read back by gen's parser.
            let conf = file(&files, &format!("{name}/nginx.conf"));
            let tree = nginx::parse(conf).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let value = |n: &str| -> Vec<String> {
                tree.walk()
                    .filter(|v| v.directive.name() == n && !v.directive.has_block())
                    .map(|v| v.directive.args().map(|a| a.unescaped().into_owned()).collect::<Vec<_>>().join(" "))
                    .collect()
            };
            prop_assert_eq!(value("listen"), vec![format!("{} default_server", c.nginx_port)]);
            prop_assert_eq!(value("server"), vec![format!("127.0.0.1:{}", c.app_port)]);
            prop_assert_eq!(value("client_max_body_size"), vec![c.body.clone()]);
            prop_assert_eq!(value("proxy_read_timeout"), vec![c.read_timeout.to_string()]);
            // supervisord: in the foreground, read back with rust-ini.
            let ini = ini::Ini::load_from_str(file(&files, &format!("{name}/supervisord.conf")))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(ini.get_from(Some("supervisord"), "nodaemon"), Some("true"));
            // Dockerfile: the configuration's defaults in ENV, read back with gen's parser.
            let dockerfile = file(&files, &format!("{name}/Dockerfile"));
            let df = gen_core::parse::dockerfile::parse(dockerfile)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let env = &df.final_stage().ok_or_else(|| TestCaseError::fail("no stage"))?.env;
            let port = c.app_port.to_string();
            prop_assert_eq!(env.get("APP_PORT"), Some(&port));
            prop_assert_eq!(env.get("APP_MESSAGE"), Some(&c.message));
            prop_assert_eq!(env.get("NGINX_CLIENT_MAX_BODY_SIZE"), Some(&c.body));
            // Only nginx's port is exposed.
            let exposed: Vec<&str> = dockerfile.lines().filter(|l| l.starts_with("EXPOSE ")).collect();
            prop_assert_eq!(exposed, vec![format!("EXPOSE {}", c.nginx_port)]);
            // The app's message evaluates to exactly the spec's.
            let (source, prefix) = if c.kind == "fastapi" {
                (file(&files, &format!("{name}/app.py")), "MESSAGE = os.environ.get(\"APP_MESSAGE\", ")
            } else {
                (file(&files, &format!("{name}/app.js")), "const MESSAGE = process.env.APP_MESSAGE ?? ")
            };
            let line = source.lines().find(|l| l.starts_with(prefix)).unwrap_or_default();
            prop_assert_eq!(decode_literal(line, prefix), Some(c.message.clone()), "{}", line);
            // compose publishes the host port, on loopback, to nginx's port.
            let compose = file(&files, "compose.yaml");
            let published = format!("- '127.0.0.1:{}:{}'", 20000 + i, c.nginx_port);
            prop_assert!(compose.contains(&published));
        }
    }

    #[test]
    fn gen_check_finds_nothing_wrong_in_what_gen_builds(cs in prop::collection::vec(container(), 1..3)) {
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        fs::write(dir.path().join("spec.toml"), spec_text(&cs)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let build = Command::new(gen_bin()).arg("build").current_dir(dir.path()).output()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(build.status.code(), Some(0), "{}", String::from_utf8_lossy(&build.stderr));
        let check = Command::new(gen_bin()).args(["check", "--deny", "warnings"]).current_dir(dir.path())
            .env("NO_COLOR", "1").output().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// A sample through the real interpreters: Python's `ast` and Node evaluate the message
    /// to the spec's exact string, and both files compile.
    #[test]
    fn a_sample_evaluates_in_real_python_and_node(m in message()) {
        let (Some(python), Some(node)) = (tool("python3"), tool("node")) else {
            return Ok(());
        };
        let cs = [
            C { kind: "fastapi", app_port: 8000, nginx_port: 80, body: "1m".into(), read_timeout: 60, message: m.clone() },
            C { kind: "express", app_port: 3000, nginx_port: 80, body: "1m".into(), read_timeout: 60, message: m.clone() },
        ];
        let spec = gen_core::spec::load("spec.toml", &spec_text(&cs))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let files = generate(&spec, &Default::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let py = dir.path().join("app.py");
        let js = dir.path().join("app.js");
        fs::write(&py, file(&files, "c0/app.py")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        fs::write(&js, file(&files, "c1/app.js")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let want = serde_json::to_string(&m).unwrap_or_default();
        // The readers of tests/cli/escaping.rs: Python's `ast` and Node evaluate the literal.
        let py_out = python_message(&python, &py);
        prop_assert_eq!(py_out.trim_end(), want.as_str());
        let js_out = node_message(&node, &js);
        prop_assert_eq!(js_out.trim_end(), want.as_str());
    }
}
