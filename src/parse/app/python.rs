//! The Python reader: `uvicorn.run(...)`, `app.run(...)`, `web.run_app(...)` calls and their
//! host/port/uds values, uvicorn's proxy settings, `root_path`, and WebSocket routes.

use super::lex::{self, Tok, Token};
use super::syntax::first_error;
use super::{
    Listen, ListenKind, Source, Value, ValueKind, call_args, span_of, split_top, strip_parens,
    with_default,
};
use std::ops::Range;

struct Reader<'t> {
    text: &'t str,
    tokens: &'t [Token<'t>],
    /// `name -> (value range, index of the name)`, every simple assignment.
    bindings: Vec<(String, Range<usize>, usize)>,
}

/// Reads a Python source file.
#[must_use]
pub fn python(text: &str) -> Source {
    let lex::Lexed { tokens, comments } = lex::python(text);
    let tokens = &tokens;
    let r = Reader {
        text,
        tokens,
        bindings: bindings(tokens),
    };
    let mut out = Source {
        comments,
        // From these tokens, so that rule PRS005 need not read the file again.
        syntax_error: first_error(text, tokens, true),
        javascript: false,
        ..Source::default()
    };
    let imports_run = imported_from(tokens, "uvicorn", "run");
    for i in 0..tokens.len() {
        let t = &tokens[i];
        if t.kind != Tok::Ident || !tokens.get(i + 1).is_some_and(|n| n.punct("(")) {
            continue;
        }
        let dotted = i >= 2 && tokens[i - 1].punct(".");
        let owner = dotted.then(|| tokens[i - 2].value.as_ref());
        let kind = match (owner, t.value.as_ref()) {
            (Some("uvicorn"), "run") => ListenKind::UvicornRun,
            (None, "run") if imports_run => ListenKind::UvicornRun,
            (Some("web"), "run_app") | (None, "run_app") => ListenKind::RunApp,
            (Some(_), "run") => ListenKind::AppRun,
            (_, "FastAPI" | "Starlette") => {
                let (args, _) = call_args(tokens, i + 1);
                if let Some(v) = r.kwarg(&args, "root_path") {
                    out.root_path = Some(v);
                }
                continue;
            }
            _ => continue,
        };
        let (args, close) = call_args(tokens, i + 1);
        let host = r.kwarg(&args, "host");
        let port = r.kwarg(&args, "port");
        // `x.run()` of something that is not a web app (a thread, a task) has no host or
        // port: count it only with one, or when the receiver is called `app` (Flask's
        // `app.run()` listens on 127.0.0.1:5000).
        if kind == ListenKind::AppRun && host.is_none() && port.is_none() && owner != Some("app") {
            continue;
        }
        let app = args
            .first()
            .filter(|a| !r.is_kwarg(a))
            .map(|a| r.value(a.clone(), 0));
        let path = r.kwarg(
            &args,
            if kind == ListenKind::RunApp {
                "path"
            } else {
                "uds"
            },
        );
        if kind == ListenKind::UvicornRun {
            for (key, slot) in [
                ("proxy_headers", &mut out.proxy_headers),
                ("forwarded_allow_ips", &mut out.forwarded_allow_ips),
                ("root_path", &mut out.root_path),
                ("timeout_keep_alive", &mut out.keep_alive_timeout),
            ] {
                if let Some(v) = r.kwarg(&args, key) {
                    *slot = Some(v);
                }
            }
        }
        let start = if dotted {
            tokens[i - 2].span.start
        } else {
            t.span.start
        };
        let end = tokens.get(close).map_or(text.len(), |c| c.span.end);
        out.listens.push(Listen {
            kind,
            call_span: crate::parse::span::Span::new(start, end),
            host,
            port,
            path,
            app,
        });
    }
    out.websockets = tokens
        .windows(3)
        .find(|w| w[0].punct(".") && w[1].ident("websocket") && w[2].punct("("))
        .map(|w| w[1].span)
        .or_else(|| {
            tokens
                .iter()
                .find(|t| t.ident("WebSocket") || t.ident("WebSocketRoute"))
                .map(|t| t.span)
        });
    out
}

/// Whether `from module import ... name ...` appears.
fn imported_from(tokens: &[Token], module: &str, name: &str) -> bool {
    tokens.windows(3).enumerate().any(|(i, w)| {
        w[0].ident("from")
            && w[1].ident(module)
            && w[2].ident("import")
            && tokens[i + 3..]
                .iter()
                .take_while(|t| t.kind != Tok::Newline)
                .any(|t| t.ident(name))
    })
}

/// Every `NAME = value` and `NAME: type = value` statement.
fn bindings(tokens: &[Token]) -> Vec<(String, Range<usize>, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let at_start = i == 0 || tokens[i - 1].kind == Tok::Newline;
        if at_start && tokens[i].kind == Tok::Ident {
            let mut eq = i + 1;
            if tokens.get(eq).is_some_and(|t| t.punct(":")) {
                while eq < tokens.len() && !tokens[eq].punct("=") && tokens[eq].kind != Tok::Newline
                {
                    eq += 1;
                }
            }
            if tokens.get(eq).is_some_and(|t| t.punct("=")) {
                let end = tokens[eq + 1..]
                    .iter()
                    .position(|t| t.kind == Tok::Newline)
                    .map_or(tokens.len(), |p| eq + 1 + p);
                out.push((tokens[i].value.to_string(), eq + 1..end, i));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

impl Reader<'_> {
    fn text_of(&self, r: &Range<usize>) -> String {
        let s = span_of(self.tokens, r);
        self.text.get(s.start..s.end).unwrap_or("").to_owned()
    }

    fn is_kwarg(&self, arg: &Range<usize>) -> bool {
        arg.end > arg.start + 1
            && self.tokens[arg.start].kind == Tok::Ident
            && self.tokens[arg.start + 1].punct("=")
    }

    /// The value of keyword argument `name` among `args`.
    fn kwarg(&self, args: &[Range<usize>], name: &str) -> Option<Value> {
        args.iter()
            .find(|a| self.is_kwarg(a) && self.tokens[a.start].value == name)
            .map(|a| self.value(a.start + 2..a.end, 0))
    }

    fn unknown(&self, r: Range<usize>) -> Value {
        let span = span_of(self.tokens, &r);
        Value {
            kind: ValueKind::Unknown(self.text_of(&r)),
            span,
            used_at: span,
        }
    }

    /// The value of an expression; `depth` counts name indirections followed so far.
    fn value(&self, r: Range<usize>, depth: usize) -> Value {
        let r = strip_parens(self.tokens, r);
        let toks = &self.tokens[r.clone()];
        let span = span_of(self.tokens, &r);
        let or_parts = split_top(self.tokens, &r, &|t| t.ident("or"));
        if or_parts.len() > 1 {
            let mut parts = or_parts.into_iter().map(|p| self.value(p, depth));
            let first = parts.next().unwrap_or_else(|| self.unknown(r.clone()));
            return parts.fold(first, |acc, next| with_default(acc, &next));
        }
        match toks {
            [t] if matches!(t.kind, Tok::Str | Tok::Number) => {
                return Value {
                    kind: ValueKind::Literal(t.value.to_string()),
                    span,
                    used_at: span,
                };
            }
            [t] if t.kind == Tok::Ident
                && matches!(t.value.as_ref(), "True" | "False" | "None") =>
            {
                return Value {
                    kind: ValueKind::Literal(t.value.to_string()),
                    span,
                    used_at: span,
                };
            }
            [t] if t.kind == Tok::Ident && depth == 0 => {
                if let Some(v) = self.resolve(&t.value, r.start) {
                    return Value { used_at: span, ..v };
                }
            }
            _ => {}
        }
        if let Some(v) = self.env_read(&r) {
            return v;
        }
        // int(x), str(x), float(x): the value of x.
        if toks.len() >= 3
            && toks[0].kind == Tok::Ident
            && matches!(toks[0].value.as_ref(), "int" | "str" | "float")
            && toks[1].punct("(")
        {
            let (args, close) = call_args(self.tokens, r.start + 1);
            if close + 1 == r.end {
                if let Some(a) = args.first() {
                    let inner = self.value(a.clone(), depth);
                    return Value {
                        used_at: span,
                        ..inner
                    };
                }
            }
        }
        self.unknown(r)
    }

    /// The last binding of `name` before token `at` (or the first after it).
    fn resolve(&self, name: &str, at: usize) -> Option<Value> {
        let before = self
            .bindings
            .iter()
            .rev()
            .find(|(n, _, i)| n == name && *i < at);
        let (_, range, _) = before.or_else(|| self.bindings.iter().find(|(n, _, _)| n == name))?;
        Some(self.value(range.clone(), 1))
    }

    /// `os.environ.get("X"[, d])`, `os.getenv("X"[, d])`, `environ.get`, `getenv`,
    /// `os.environ["X"]`.
    fn env_read(&self, r: &Range<usize>) -> Option<Value> {
        let toks = &self.tokens[r.clone()];
        let span = span_of(self.tokens, r);
        let names: Vec<&str> = toks
            .iter()
            .take_while(|t| t.kind == Tok::Ident || t.punct("."))
            .map(|t| t.value.as_ref())
            .collect();
        let callee = names.concat();
        let open = r.start + names.len();
        let open_tok = self.tokens.get(open)?;
        if matches!(callee.as_str(), "os.environ" | "environ") && open_tok.punct("[") {
            let key = self.tokens.get(open + 1).filter(|t| t.kind == Tok::Str)?;
            return Some(Value {
                kind: ValueKind::Env {
                    var: key.value.to_string(),
                    default: None,
                    default_span: None,
                },
                span,
                used_at: span,
            });
        }
        if !matches!(
            callee.as_str(),
            "os.environ.get" | "environ.get" | "os.getenv" | "getenv"
        ) || !open_tok.punct("(")
        {
            return None;
        }
        let (args, close) = call_args(self.tokens, open);
        if close + 1 != r.end {
            return None;
        }
        let key = args
            .first()
            .and_then(|a| self.tokens.get(a.start))
            .filter(|t| t.kind == Tok::Str)?;
        let default = args
            .get(1)
            .map(|a| {
                if self.is_kwarg(a) {
                    a.start + 2..a.end
                } else {
                    a.clone()
                }
            })
            .map(|a| self.value(a, 1))
            .and_then(|d| d.literal().map(|l| (l.to_owned(), d.span)));
        Some(Value {
            kind: ValueKind::Env {
                var: key.value.to_string(),
                default_span: default.as_ref().map(|d| d.1),
                default: default.map(|d| d.0),
            },
            span,
            used_at: span,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, s: crate::parse::span::Span) -> &str {
        &text[s.start..s.end]
    }

    /// What a value reads as, for compact tables.
    fn show(v: Option<&Value>) -> String {
        match v.map(|v| &v.kind) {
            None => "-".to_owned(),
            Some(ValueKind::Literal(l)) => l.clone(),
            Some(ValueKind::Env { var, default, .. }) => {
                format!("${var}:{}", default.as_deref().unwrap_or("-"))
            }
            Some(ValueKind::Unknown(t)) => format!("?{t}"),
        }
    }

    #[test]
    fn listen_table() {
        // (source, kind, host, port, uds)
        let cases: [(&str, ListenKind, &str, &str, &str); 12] = [
            (
                "uvicorn.run(app, host='0.0.0.0', port=8000)",
                ListenKind::UvicornRun,
                "0.0.0.0",
                "8000",
                "-",
            ),
            (
                "uvicorn.run(\"main:app\", port=int(os.environ.get(\"APP_PORT\", \"8000\")))",
                ListenKind::UvicornRun,
                "-",
                "$APP_PORT:8000",
                "-",
            ),
            (
                "uvicorn.run(app, port=int(os.getenv('PORT', 8080)))",
                ListenKind::UvicornRun,
                "-",
                "$PORT:8080",
                "-",
            ),
            (
                "uvicorn.run(app, port=int(os.environ['PORT']))",
                ListenKind::UvicornRun,
                "-",
                "$PORT:-",
                "-",
            ),
            (
                "uvicorn.run(app, port=int(os.getenv('PORT') or 9000))",
                ListenKind::UvicornRun,
                "-",
                "$PORT:9000",
                "-",
            ),
            (
                "PORT = int(os.environ.get('PORT', '8001'))\nuvicorn.run(app, port=PORT)",
                ListenKind::UvicornRun,
                "-",
                "$PORT:8001",
                "-",
            ),
            (
                "from uvicorn import run\nrun(app, uds='/run/app.sock')",
                ListenKind::UvicornRun,
                "-",
                "-",
                "/run/app.sock",
            ),
            (
                "uvicorn.run(app, host=settings.host, port=settings.port)",
                ListenKind::UvicornRun,
                "?settings.host",
                "?settings.port",
                "-",
            ),
            (
                "if __name__ == '__main__':\n    app.run(host='0.0.0.0', port=5000, debug=True)",
                ListenKind::AppRun,
                "0.0.0.0",
                "5000",
                "-",
            ),
            (
                "web.run_app(app, host='127.0.0.1', port=8080)",
                ListenKind::RunApp,
                "127.0.0.1",
                "8080",
                "-",
            ),
            (
                "uvicorn.run(\n    app,\n    host=HOST,  # comment, port=1\n    port=(8000),\n)\nHOST = \"::\"",
                ListenKind::UvicornRun,
                "::",
                "8000",
                "-",
            ),
            (
                "environ = os.environ\nuvicorn.run(app, port=int(environ.get('P', '7')))",
                ListenKind::UvicornRun,
                "-",
                "$P:7",
                "-",
            ),
        ];
        for (src, kind, host, port, uds) in cases {
            let s = python(src);
            assert_eq!(s.listens.len(), 1, "{src}");
            let l = &s.listens[0];
            assert_eq!(l.kind, kind, "{src}");
            assert_eq!(show(l.host.as_ref()), host, "{src}");
            assert_eq!(show(l.port.as_ref()), port, "{src}");
            assert_eq!(show(l.path.as_ref()), uds, "{src}");
        }
    }

    #[test]
    fn not_listens() {
        for src in [
            "# uvicorn.run(app, port=1)",
            "x = 'uvicorn.run(app, port=1)'",
            "\"\"\"\nuvicorn.run(app, port=1)\n\"\"\"",
            "thread.run()",
            "asyncio.run(main())",
            "subprocess.run(['ls'])",
        ] {
            assert!(python(src).listens.is_empty(), "{src}");
        }
    }

    #[test]
    fn flask_run_without_arguments_is_a_listen() {
        let s = python("app = Flask(__name__)\nif __name__ == '__main__':\n    app.run()\n");
        assert_eq!(s.listens.len(), 1);
        assert_eq!(s.listens[0].kind, ListenKind::AppRun);
        assert!(s.listens[0].port.is_none());
    }

    #[test]
    fn spans_point_at_the_values() {
        let src =
            "PORT = int(os.environ.get(\"APP_PORT\", \"8000\"))\nuvicorn.run(app, port=PORT)\n";
        let s = python(src);
        let port = s.listens[0].port.as_ref().expect("port");
        assert_eq!(at(src, port.used_at), "PORT");
        assert_eq!(at(src, port.span), "os.environ.get(\"APP_PORT\", \"8000\")");
        let ValueKind::Env { default_span, .. } = &port.kind else {
            panic!("not env");
        };
        assert_eq!(default_span.map(|d| at(src, d)), Some("\"8000\""));
        assert_eq!(
            at(src, s.listens[0].call_span),
            "uvicorn.run(app, port=PORT)"
        );
    }

    #[test]
    fn generated_app() {
        let src = include_str!("../../../generated/fastapi-nginx/app.py");
        let s = python(src);
        assert_eq!(s.listens.len(), 1);
        let l = &s.listens[0];
        assert_eq!(show(l.app.as_ref()), "app:app");
        assert_eq!(show(l.host.as_ref()), "$APP_HOST:127.0.0.1");
        assert_eq!(show(l.port.as_ref()), "$APP_PORT:8000");
        assert_eq!(show(s.proxy_headers.as_ref()), "True");
        assert_eq!(show(s.forwarded_allow_ips.as_ref()), "127.0.0.1");
        assert_eq!(show(s.keep_alive_timeout.as_ref()), "65");
        assert!(s.websockets.is_none());
        assert!(
            s.comments
                .iter()
                .any(|c| c.text.contains("Trust X-Forwarded-*"))
        );
    }

    #[test]
    fn root_path_and_websockets() {
        let src = "app = FastAPI(root_path='/api')\n@app.websocket('/ws')\nasync def ws(w): ...\n";
        let s = python(src);
        assert_eq!(show(s.root_path.as_ref()), "/api");
        assert_eq!(s.websockets.map(|w| at(src, w)), Some("websocket"));
    }
}
