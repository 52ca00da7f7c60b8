//! The app-source readers (and the app servers' own config files: gunicorn's Python config,
//! uWSGI's ini/YAML and command line, PHP-FPM's ini, each in its module): where an app listens, and the proxy-related settings rules need,
//! from its server's command line (uvicorn, gunicorn, hypercorn) or its source (Python's
//! `uvicorn.run(...)`, Flask-style `app.run(...)`, aiohttp's `web.run_app(...)`; Node's
//! `app.listen(...)`, `server.listen(...)`, `http.createServer(app).listen(...)`). Every
//! value keeps the span of the expression that gives it.
//!
//! This is not a Python or JavaScript parser: a tokenizer that knows strings (all quote
//! styles, prefixes, triple quotes, template literals), comments and regex literals, and a
//! few expression shapes: literals; environment reads with defaults (`os.environ.get("P",
//! "8000")`, `os.getenv`, `os.environ["P"]`, `... or 8000`; `process.env.P || 3000`,
//! `process.env.P ?? 3000`, `const { P = 3000 } = process.env`); conversions around them
//! (`int(...)`, `Number(...)`, `parseInt(..., 10)`, `Number.parseInt(...)`, unary `+`);
//! and a name bound by one assignment (`PORT = ...` / `const PORT = ...`), followed one
//! level deep. It does not handle: values computed by functions or config objects
//! (`settings.port`: reported as unknown), names bound in another module, reassignment in
//! control flow (the last binding before the use wins), string formatting, or listen calls
//! built dynamically. Each of those yields `ValueKind::Unknown` rather than a guess.

mod command;
mod gunicorn;
mod hypercorn;
mod javascript;
mod lex;
mod phpfpm;
mod python;
mod syntax;
mod uwsgi;

pub use command::{Bind, BindTarget, Server, ServerCommand, Word, bind_target, server_command};
pub use gunicorn::{ConfSetting, ConfValue, GunicornConfig, gunicorn_config};
pub use hypercorn::hypercorn_toml;
pub use javascript::javascript;
pub use phpfpm::{
    FpmConfig, FpmEntry, FpmListen, FpmSection, comments as php_fpm_comments, fpm_listen, php_fpm,
};
pub use python::python;
pub use syntax::{SyntaxError, javascript_syntax_error, python_syntax_error};
pub use uwsgi::{
    UwsgiAddr, UwsgiOption, UwsgiOptions, ini_comments as uwsgi_ini_comments, is_uwsgi, uwsgi_addr,
    uwsgi_args, uwsgi_ini, uwsgi_yaml,
};

use crate::parse::span::Span;

/// A comment of the source (`#`, `//` or `/* */`); `text` excludes the markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

/// Every comment of a Python source, as the tokenizer finds them (strings of every kind
/// skipped); never fails, so suppression comments are read in a file that does not parse.
#[must_use]
pub fn python_comments(text: &str) -> Vec<Comment> {
    lex::python(text).comments
}

/// Every comment of a JavaScript source, as the tokenizer finds them (strings, template
/// literals and regex literals skipped); never fails.
#[must_use]
pub fn javascript_comments(text: &str) -> Vec<Comment> {
    lex::javascript(text).comments
}

/// A value the app uses, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub kind: ValueKind,
    /// The expression that gives the value (for a name, the right side of its binding).
    pub span: Span,
    /// Where the call uses it: the argument as written (`PORT` in `app.listen(PORT)`).
    pub used_at: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueKind {
    /// A number or string literal, as its text (`"8000"` gives `8000`).
    Literal(String),
    /// An environment variable, with the literal the code falls back to when it is unset.
    Env {
        var: String,
        default: Option<String>,
        default_span: Option<Span>,
    },
    /// Anything else, as written.
    Unknown(String),
}

impl Value {
    /// The literal value, if the value is one.
    #[must_use]
    pub fn literal(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::Literal(v) => Some(v),
            _ => None,
        }
    }

    /// The value when nothing sets its environment variable: the literal or the default.
    #[must_use]
    pub fn fallback(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::Literal(v) => Some(v),
            ValueKind::Env { default, .. } => default.as_deref(),
            ValueKind::Unknown(_) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListenKind {
    /// `uvicorn.run(app, host=..., port=...)`.
    UvicornRun,
    /// `app.run(host=..., port=...)` (Flask, Sanic, Quart's dev servers).
    AppRun,
    /// aiohttp's `web.run_app(app, host=..., port=...)`.
    RunApp,
    /// Node's `.listen(port[, host][, cb])` or `.listen({ port, host })`.
    NodeListen,
}

/// One place where the app starts listening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    pub kind: ListenKind,
    /// The whole call.
    pub call_span: Span,
    pub host: Option<Value>,
    pub port: Option<Value>,
    /// A Unix socket path (`uds=` for uvicorn, `path=` for aiohttp, a path for Node).
    pub path: Option<Value>,
    /// `uvicorn.run`'s app argument (`"main:app"` or the app object).
    pub app: Option<Value>,
}

/// What a source file says about serving.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Source {
    pub listens: Vec<Listen>,
    /// Express: `app.set('trust proxy', v)`; `app.enable('trust proxy')` gives `true`.
    pub trust_proxy: Option<Value>,
    /// `uvicorn.run(proxy_headers=...)`.
    pub proxy_headers: Option<Value>,
    /// `uvicorn.run(forwarded_allow_ips=...)`.
    pub forwarded_allow_ips: Option<Value>,
    /// `uvicorn.run(root_path=...)` or `FastAPI(root_path=...)`.
    pub root_path: Option<Value>,
    /// Node: `server.keepAliveTimeout = ms`; uvicorn: `timeout_keep_alive=` seconds.
    pub keep_alive_timeout: Option<Value>,
    /// Where the app first shows it serves WebSockets (a route, an import, a server).
    pub websockets: Option<Span>,
    /// JavaScript: where `express` is imported (`require('express')`, `from 'express'`).
    pub express: Option<Span>,
    pub comments: Vec<Comment>,
    /// The first syntax error the reader sees, as [`python_syntax_error`] or
    /// [`javascript_syntax_error`] finds it.
    pub syntax_error: Option<SyntaxError>,
    /// Read as JavaScript (else as Python): the language of `syntax_error`.
    pub javascript: bool,
}

/// Splits the arguments of the call whose `(` is at `open`: token ranges of each top-level
/// argument, and the index of the closing `)` (or the end).
fn call_args(tokens: &[lex::Token], open: usize) -> (Vec<std::ops::Range<usize>>, usize) {
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut start = open + 1;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        if t.kind != lex::Tok::Punct {
            continue;
        }
        match t.value.as_ref() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if start < i {
                        args.push(start..i);
                    }
                    return (args, i);
                }
            }
            "," if depth == 1 => {
                args.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < tokens.len() {
        args.push(start..tokens.len());
    }
    (args, tokens.len())
}

/// The span from the first to the last token of a range.
fn span_of(tokens: &[lex::Token], range: &std::ops::Range<usize>) -> Span {
    match (
        tokens.get(range.start),
        range.end.checked_sub(1).and_then(|e| tokens.get(e)),
    ) {
        (Some(a), Some(b)) if range.start < range.end => Span::new(a.span.start, b.span.end),
        (Some(a), _) => Span::new(a.span.start, a.span.start),
        _ => Span::default(),
    }
}

/// A range without the parentheses that wrap all of it.
fn strip_parens(tokens: &[lex::Token], mut r: std::ops::Range<usize>) -> std::ops::Range<usize> {
    while r.end > r.start + 1
        && tokens[r.start].punct("(")
        && tokens[r.end - 1].punct(")")
        && call_args(tokens, r.start).1 == r.end - 1
    {
        r = r.start + 1..r.end - 1;
    }
    r
}

/// Splits a range at top-level occurrences of an operator (`||`, `??`, `or`).
fn split_top(
    tokens: &[lex::Token],
    r: &std::ops::Range<usize>,
    is_op: &dyn Fn(&lex::Token) -> bool,
) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = r.start;
    for i in r.clone() {
        let t = &tokens[i];
        if t.kind == lex::Tok::Punct {
            match t.value.as_ref() {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if depth == 0 && is_op(t) {
            out.push(start..i);
            start = i + 1;
        }
    }
    out.push(start..r.end);
    out
}

/// `A || B` / `A or B`: an environment read on the left takes the right as its default.
fn with_default(left: Value, right: &Value) -> Value {
    match (left.kind, &right.kind) {
        (
            ValueKind::Env {
                var, default: None, ..
            },
            ValueKind::Literal(d),
        ) => Value {
            kind: ValueKind::Env {
                var,
                default: Some(d.clone()),
                default_span: Some(right.span),
            },
            span: Span::new(left.span.start, right.span.end),
            used_at: Span::new(left.used_at.start, right.used_at.end),
        },
        (kind, _) => Value {
            kind,
            span: Span::new(left.span.start, right.span.end),
            used_at: Span::new(left.used_at.start, right.used_at.end),
        },
    }
}

/// The text `GET /` of a starter-style app answers: the first string literal keyed
/// `message` (`{"message": "..."}` in Python, `{ message: '...' }` or `{"message": ...}` in
/// JavaScript), with its span. `gen import` carries it into the spec's `app.message` when
/// the spec cannot take the app's own source. `None` when there is no such literal (a
/// message built at run time is not guessed).
#[must_use]
pub fn message_literal(text: &str, javascript: bool) -> Option<(String, Span)> {
    let lexed = if javascript {
        lex::javascript(text)
    } else {
        lex::python(text)
    };
    lexed.tokens.windows(3).find_map(|w| {
        let key = (w[0].kind == lex::Tok::Str || (javascript && w[0].kind == lex::Tok::Ident))
            && w[0].value == "message";
        (key && w[1].punct(":") && w[2].kind == lex::Tok::Str)
            .then(|| (w[2].value.to_string(), w[2].span))
    })
}

#[cfg(test)]
mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn message_literal_on_any_text(text in "(message|:|\\{|\\}|'|\"|`|\\$|[ \na-z])*") {
            let _ = message_literal(&text, false);
            let _ = message_literal(&text, true);
        }

        #[test]
        fn python_on_any_text(text in "(uvicorn|\\.run|\\(|\\)|=|,|'|\"|\"\"\"|#|\\\\|os\\.environ\\.get|int|or|PORT|[ \na-z0-9])*") {
            let _ = python(&text);
        }

        #[test]
        fn javascript_on_any_text(text in "(app|\\.listen|\\(|\\)|\\{|\\}|=|,|'|\"|`|\\$\\{|/|\\*|\\|\\||const|process\\.env\\.P|[ \na-z0-9])*") {
            let _ = javascript(&text);
        }

        #[test]
        fn on_any_unicode(text in "\\PC*") {
            let _ = python(&text);
            let _ = javascript(&text);
            let words: Vec<Word> = text
                .split(' ')
                .map(|w| Word { value: w.to_owned(), span: Span::default() })
                .collect();
            let _ = server_command(&words);
            let _ = gunicorn_config(&text);
            let _ = uwsgi_ini(&text, "uwsgi");
            let _ = uwsgi_yaml(&text, "uwsgi");
            let _ = php_fpm(&text);
            let _ = uwsgi_args(&words);
        }

        #[test]
        fn server_configs_on_config_like_text(text in "(\\[uwsgi\\]|\\[www\\]|socket|listen|=|;|#|\"|'|bind|\\[|\\]|,|%d|\\$\\(|\\$\\{|\n|[ a-z0-9:/.])*") {
            let _ = gunicorn_config(&text);
            let o = uwsgi_ini(&text, "uwsgi");
            for opt in &o.options {
                prop_assert!(opt.value_span.end <= text.len());
                let _ = uwsgi_addr(&opt.value);
            }
            for s in php_fpm(&text).sections {
                for e in s.entries {
                    prop_assert!(e.value_span.end <= text.len());
                    let _ = fpm_listen(&e.value);
                }
            }
        }
    }
}
