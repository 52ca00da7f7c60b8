//! The JavaScript reader: `.listen(...)` calls and their port/host/path values, Express's
//! `trust proxy`, `server.keepAliveTimeout`, and signs of a WebSocket server.

use super::lex::{self, Tok, Token};
use super::syntax::first_error;
use super::{
    Listen, ListenKind, Source, Value, ValueKind, call_args, span_of, split_top, strip_parens,
    with_default,
};
use crate::parse::span::Span;
use std::ops::Range;

/// A name bound by a declaration: to an expression, or to `process.env.NAME` with a default
/// by destructuring (`const { PORT = 3000 } = process.env`).
enum Binding {
    Expr(Range<usize>),
    EnvField {
        var: String,
        span: Span,
        default: Option<Range<usize>>,
    },
}

struct Reader<'t> {
    text: &'t str,
    tokens: &'t [Token<'t>],
    bindings: Vec<(String, Binding, usize)>,
}

const WS_MODULES: [&str; 6] = [
    "ws",
    "socket.io",
    "express-ws",
    "@fastify/websocket",
    "uWebSockets.js",
    "websocket",
];

/// Reads a JavaScript (or TypeScript) source file.
#[must_use]
pub fn javascript(text: &str) -> Source {
    let lex::Lexed { tokens, comments } = lex::javascript(text);
    let tokens = &tokens;
    let mut r = Reader {
        text,
        tokens,
        bindings: Vec::new(),
    };
    r.bindings = r.collect_bindings();
    let mut out = Source {
        comments,
        // From these tokens, so that rule PRS005 need not read the file again.
        syntax_error: first_error(text, tokens, false),
        javascript: true,
        ..Source::default()
    };
    for i in 1..tokens.len() {
        let t = &tokens[i];
        let dot_call = tokens[i - 1].punct(".")
            && t.kind == Tok::Ident
            && tokens.get(i + 1).is_some_and(|n| n.punct("("));
        if dot_call {
            let (args, close) = call_args(tokens, i + 1);
            match t.value.as_ref() {
                "listen" => out.listens.push(r.listen(i, &args, close)),
                "set" if r.is_str(args.first(), "trust proxy") => {
                    out.trust_proxy = args.get(1).map(|a| r.value(a.clone(), 0));
                }
                "enable" | "disable" if r.is_str(args.first(), "trust proxy") => {
                    let span = span_of(tokens, &(i..close + 1));
                    let on = t.value == "enable";
                    out.trust_proxy = Some(Value {
                        kind: ValueKind::Literal(on.to_string()),
                        span,
                        used_at: span,
                    });
                }
                "on" if r.is_str(args.first(), "upgrade") => {
                    out.websockets.get_or_insert(t.span);
                }
                _ => {}
            }
        }
        if tokens[i - 1].punct(".")
            && t.ident("keepAliveTimeout")
            && tokens.get(i + 1).is_some_and(|n| n.punct("="))
        {
            let end = r.statement_end(i + 2);
            out.keep_alive_timeout = Some(r.value(i + 2..end, 0));
        }
        let ws_import = t.kind == Tok::Str
            && WS_MODULES.contains(&t.value.as_ref())
            && (tokens[i - 1].ident("from")
                || tokens[i - 1].ident("import")
                || (i >= 2 && tokens[i - 1].punct("(") && tokens[i - 2].ident("require")));
        let ws_server = tokens[i - 1].ident("new")
            && (t.ident("WebSocketServer")
                || t.ident("Server") && i >= 2 && tokens[i - 2].punct("."));
        if ws_import || (ws_server && t.value == "WebSocketServer") {
            out.websockets.get_or_insert(t.span);
        }
        let imported = tokens[i - 1].ident("from")
            || tokens[i - 1].ident("import")
            || (i >= 2
                && tokens[i - 1].punct("(")
                && (tokens[i - 2].ident("require") || tokens[i - 2].ident("import")));
        if t.is(Tok::Str, "express") && imported {
            out.express.get_or_insert(t.span);
        }
    }
    out
}

/// `65 * 1000`: a product of integer literals, as timeouts are often written.
fn constant_product(toks: &[Token]) -> Option<u64> {
    if toks.len() < 3 || toks.len() % 2 == 0 {
        return None;
    }
    let mut product: u64 = 1;
    for (i, t) in toks.iter().enumerate() {
        if i % 2 == 1 {
            if !t.punct("*") {
                return None;
            }
            continue;
        }
        if t.kind != Tok::Number {
            return None;
        }
        product = product.checked_mul(t.value.parse().ok()?)?;
    }
    Some(product)
}

impl Reader<'_> {
    fn text_of(&self, r: &Range<usize>) -> String {
        let s = span_of(self.tokens, r);
        self.text.get(s.start..s.end).unwrap_or("").to_owned()
    }

    fn is_str(&self, arg: Option<&Range<usize>>, value: &str) -> bool {
        arg.is_some_and(|a| a.end == a.start + 1 && self.tokens[a.start].is(Tok::Str, value))
    }

    /// Whether a line break separates tokens `i - 1` and `i`.
    fn newline_before(&self, i: usize) -> bool {
        let (Some(a), Some(b)) = (self.tokens.get(i.wrapping_sub(1)), self.tokens.get(i)) else {
            return false;
        };
        self.text
            .get(a.span.end..b.span.start)
            .is_some_and(|gap| gap.contains('\n'))
    }

    /// Where the expression starting at `from` ends: a `;` or `,` at depth 0, a closing
    /// bracket of an enclosing level, or a line break that ends the statement.
    fn statement_end(&self, from: usize) -> usize {
        const CONTINUES: [&str; 16] = [
            "||", "??", "&&", "+", "-", "*", "/", "?", ":", ".", "?.", "=", "(", "[", "{", ",",
        ];
        let mut depth = 0usize;
        for i in from..self.tokens.len() {
            let t = &self.tokens[i];
            if i > from && depth == 0 && self.newline_before(i) {
                let prev = &self.tokens[i - 1];
                let joins = (prev.kind == Tok::Punct && CONTINUES.contains(&prev.value.as_ref()))
                    || (t.kind == Tok::Punct
                        && CONTINUES.contains(&t.value.as_ref())
                        && !matches!(t.value.as_ref(), "(" | "[" | "{"));
                if !joins {
                    return i;
                }
            }
            if t.kind != Tok::Punct {
                continue;
            }
            match t.value.as_ref() {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => {
                    if depth == 0 {
                        return i;
                    }
                    depth -= 1;
                }
                ";" | "," if depth == 0 => return i,
                _ => {}
            }
        }
        self.tokens.len()
    }

    /// `const|let|var NAME [: T] = expr` and `const { A = d, B } = process.env`.
    fn collect_bindings(&self) -> Vec<(String, Binding, usize)> {
        let toks = self.tokens;
        let mut out = Vec::new();
        for i in 0..toks.len() {
            if !matches!(toks[i].value.as_ref(), "const" | "let" | "var")
                || toks[i].kind != Tok::Ident
            {
                continue;
            }
            let mut j = i + 1;
            while let Some(name) = toks.get(j) {
                if name.punct("{") {
                    let (fields, close) = call_args(toks, j);
                    let source = toks.get(close + 1).filter(|t| t.punct("=")).map(|_| {
                        let end = self.statement_end(close + 2);
                        close + 2..end
                    });
                    if source.as_ref().is_some_and(|s| self.is_process_env(s)) {
                        for f in fields {
                            let Some(field) = toks.get(f.start).filter(|t| t.kind == Tok::Ident)
                            else {
                                continue;
                            };
                            let (local, default) = match toks.get(f.start + 1) {
                                Some(t) if t.punct("=") => (field, Some(f.start + 2..f.end)),
                                Some(t) if t.punct(":") => {
                                    let local =
                                        toks.get(f.start + 2).filter(|t| t.kind == Tok::Ident);
                                    let default = toks
                                        .get(f.start + 3)
                                        .filter(|t| t.punct("="))
                                        .map(|_| f.start + 4..f.end);
                                    (local.unwrap_or(field), default)
                                }
                                _ => (field, None),
                            };
                            out.push((
                                local.value.to_string(),
                                Binding::EnvField {
                                    var: field.value.to_string(),
                                    span: field.span,
                                    default,
                                },
                                f.start,
                            ));
                        }
                    }
                    break;
                }
                if name.kind != Tok::Ident {
                    break;
                }
                let mut eq = j + 1;
                if toks.get(eq).is_some_and(|t| t.punct(":")) {
                    // A TypeScript annotation: skip to the `=` at its level.
                    let mut depth = 0usize;
                    eq += 1;
                    while let Some(t) = toks.get(eq) {
                        match t.value.as_ref() {
                            "(" | "[" | "{" | "<" if t.kind == Tok::Punct => depth += 1,
                            ")" | "]" | "}" | ">" if t.kind == Tok::Punct => {
                                depth = depth.saturating_sub(1);
                            }
                            "=" | ";" | "," if t.kind == Tok::Punct && depth == 0 => break,
                            _ => {}
                        }
                        eq += 1;
                    }
                }
                if !toks.get(eq).is_some_and(|t| t.punct("=")) {
                    break;
                }
                let end = self.statement_end(eq + 1);
                out.push((name.value.to_string(), Binding::Expr(eq + 1..end), j));
                if toks.get(end).is_some_and(|t| t.punct(",")) {
                    j = end + 1;
                } else {
                    break;
                }
            }
        }
        out
    }

    fn is_process_env(&self, r: &Range<usize>) -> bool {
        let t = &self.tokens[r.clone()];
        t.len() == 3 && t[0].ident("process") && t[1].punct(".") && t[2].ident("env")
    }

    fn unknown(&self, r: Range<usize>) -> Value {
        let span = span_of(self.tokens, &r);
        Value {
            kind: ValueKind::Unknown(self.text_of(&r)),
            span,
            used_at: span,
        }
    }

    fn literal(tok: &Token) -> Value {
        Value {
            kind: ValueKind::Literal(tok.value.to_string()),
            span: tok.span,
            used_at: tok.span,
        }
    }

    fn value(&self, r: Range<usize>, depth: usize) -> Value {
        let r = strip_parens(self.tokens, r);
        let toks = &self.tokens[r.clone()];
        let span = span_of(self.tokens, &r);
        let parts = split_top(self.tokens, &r, &|t| t.punct("||") || t.punct("??"));
        if parts.len() > 1 {
            let mut values = parts.into_iter().map(|p| self.value(p, depth));
            let first = values.next().unwrap_or_else(|| self.unknown(r.clone()));
            return values.fold(first, |acc, next| with_default(acc, &next));
        }
        if let Some(product) = constant_product(toks) {
            return Value {
                kind: ValueKind::Literal(product.to_string()),
                span,
                used_at: span,
            };
        }
        match toks {
            [t] if matches!(t.kind, Tok::Str | Tok::Number) => return Self::literal(t),
            [t] if t.kind == Tok::Ident
                && matches!(t.value.as_ref(), "true" | "false" | "null") =>
            {
                return Self::literal(t);
            }
            [t] if t.kind == Tok::Ident && depth == 0 => {
                if let Some(v) = self.resolve(&t.value, r.start) {
                    return Value { used_at: span, ..v };
                }
            }
            [p, ..] if p.punct("+") && toks.len() > 1 => {
                let inner = self.value(r.start + 1..r.end, depth);
                return Value {
                    used_at: span,
                    ..inner
                };
            }
            [a, b, c] if a.ident("process") && b.punct(".") && c.ident("env") => {}
            _ => {}
        }
        if let Some(v) = self.env_read(&r) {
            return v;
        }
        // Number(x), parseInt(x, 10), Number.parseInt(x), parseFloat(x), String(x).
        let callee: String = toks
            .iter()
            .take_while(|t| t.kind == Tok::Ident || t.punct("."))
            .map(|t| t.value.as_ref())
            .collect();
        let open = r.start
            + toks
                .iter()
                .take_while(|t| t.kind == Tok::Ident || t.punct("."))
                .count();
        if matches!(
            callee.as_str(),
            "Number"
                | "parseInt"
                | "Number.parseInt"
                | "parseFloat"
                | "Number.parseFloat"
                | "String"
        ) && self.tokens.get(open).is_some_and(|t| t.punct("("))
        {
            let (args, close) = call_args(self.tokens, open);
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

    /// `process.env.NAME` or `process.env['NAME']`.
    fn env_read(&self, r: &Range<usize>) -> Option<Value> {
        let t = &self.tokens[r.clone()];
        let span = span_of(self.tokens, r);
        let var = match t {
            [p, d1, e, d2, name]
                if p.ident("process")
                    && d1.punct(".")
                    && e.ident("env")
                    && d2.punct(".")
                    && name.kind == Tok::Ident =>
            {
                name.value.to_string()
            }
            [p, d1, e, open, name, close]
                if p.ident("process")
                    && d1.punct(".")
                    && e.ident("env")
                    && open.punct("[")
                    && name.kind == Tok::Str
                    && close.punct("]") =>
            {
                name.value.to_string()
            }
            _ => return None,
        };
        Some(Value {
            kind: ValueKind::Env {
                var,
                default: None,
                default_span: None,
            },
            span,
            used_at: span,
        })
    }

    /// The last binding of `name` before token `at` (or the first after it).
    fn resolve(&self, name: &str, at: usize) -> Option<Value> {
        let before = self
            .bindings
            .iter()
            .rev()
            .find(|(n, _, i)| n == name && *i < at);
        let (_, binding, _) =
            before.or_else(|| self.bindings.iter().find(|(n, _, _)| n == name))?;
        Some(match binding {
            Binding::Expr(r) => self.value(r.clone(), 1),
            Binding::EnvField { var, span, default } => {
                let default = default
                    .clone()
                    .map(|d| self.value(d, 1))
                    .and_then(|d| d.literal().map(|l| (l.to_owned(), d.span)));
                let end = default.as_ref().map_or(span.end, |d| d.1.end);
                Value {
                    kind: ValueKind::Env {
                        var: var.clone(),
                        default_span: default.as_ref().map(|d| d.1),
                        default: default.map(|d| d.0),
                    },
                    span: Span::new(span.start, end),
                    used_at: *span,
                }
            }
        })
    }

    /// Where the receiver of `.listen` at token `i` starts: `app`, `server`,
    /// `http.createServer(app)`, `app.listen` chained after a call.
    fn receiver_start(&self, i: usize) -> usize {
        let mut j = i.saturating_sub(1);
        while j > 0 {
            let prev = &self.tokens[j - 1];
            if prev.kind == Tok::Ident {
                j -= 1;
                if j > 0 && self.tokens[j - 1].punct(".") {
                    j -= 1;
                    continue;
                }
                break;
            }
            if prev.punct(")") {
                let mut depth = 0usize;
                let mut k = j - 1;
                loop {
                    if self.tokens[k].punct(")") {
                        depth += 1;
                    } else if self.tokens[k].punct("(") {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    if k == 0 {
                        break;
                    }
                    k -= 1;
                }
                j = k;
                continue;
            }
            break;
        }
        j
    }

    fn listen(&self, i: usize, args: &[Range<usize>], close: usize) -> Listen {
        let start = self.tokens[self.receiver_start(i)].span.start;
        let end = self
            .tokens
            .get(close)
            .map_or(self.text.len(), |t| t.span.end);
        let mut l = Listen {
            kind: ListenKind::NodeListen,
            call_span: Span::new(start, end),
            host: None,
            port: None,
            path: None,
            app: None,
        };
        let Some(first) = args.first() else {
            return l;
        };
        if self.tokens[first.start].punct("{") {
            let (props, _) = call_args(self.tokens, first.start);
            for p in props {
                let Some(key) = self.tokens.get(p.start) else {
                    continue;
                };
                let value = if self.tokens.get(p.start + 1).is_some_and(|t| t.punct(":")) {
                    self.value(p.start + 2..p.end, 0)
                } else {
                    self.value(p.clone(), 0)
                };
                match key.value.as_ref() {
                    "port" => l.port = Some(value),
                    "host" => l.host = Some(value),
                    "path" => l.path = Some(value),
                    _ => {}
                }
            }
            return l;
        }
        let v = self.value(first.clone(), 0);
        let is_path = v.literal().is_some_and(|s| {
            s.parse::<u32>().is_err() && self.tokens[first.start].kind == Tok::Str
                || s.starts_with('/')
        });
        if is_path {
            l.path = Some(v);
        } else {
            l.port = Some(v);
        }
        if let Some(second) = args.get(1) {
            let callback = self.tokens[second.clone()]
                .iter()
                .any(|t| t.punct("=>") || t.ident("function"));
            if !callback {
                let v = self.value(second.clone(), 0);
                let hostlike = matches!(v.kind, ValueKind::Env { .. })
                    || v.literal().is_some_and(|s| s.parse::<u32>().is_err());
                if hostlike {
                    l.host = Some(v);
                }
            }
        }
        l
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, s: Span) -> &str {
        &text[s.start..s.end]
    }

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
        // (source, host, port, path)
        let cases: [(&str, &str, &str, &str); 16] = [
            ("app.listen(3000)", "-", "3000", "-"),
            ("app.listen(3000, '127.0.0.1')", "127.0.0.1", "3000", "-"),
            (
                "app.listen(3000, () => console.log('up'))",
                "-",
                "3000",
                "-",
            ),
            (
                "app.listen(process.env.PORT || 3000)",
                "-",
                "$PORT:3000",
                "-",
            ),
            (
                "app.listen(process.env['PORT'] ?? '8080')",
                "-",
                "$PORT:8080",
                "-",
            ),
            (
                "const PORT = process.env.PORT || 3000;\napp.listen(PORT, () => {})",
                "-",
                "$PORT:3000",
                "-",
            ),
            (
                "const PORT = Number.parseInt(process.env.APP_PORT || '3000', 10);\nserver.listen(PORT)",
                "-",
                "$APP_PORT:3000",
                "-",
            ),
            (
                "const port = parseInt(process.env.PORT, 10) || 4000\napp.listen(port)",
                "-",
                "$PORT:4000",
                "-",
            ),
            (
                "http.createServer(app).listen(8080, '0.0.0.0')",
                "0.0.0.0",
                "8080",
                "-",
            ),
            (
                "const { PORT = 3000, HOST = '::' } = process.env;\napp.listen(PORT, HOST)",
                "$HOST:::",
                "$PORT:3000",
                "-",
            ),
            (
                "app.listen({ port: 3000, host: 'localhost' })",
                "localhost",
                "3000",
                "-",
            ),
            ("app.listen('/run/app.sock')", "-", "-", "/run/app.sock"),
            ("app.listen(+process.env.PORT)", "-", "$PORT:-", "-"),
            ("app.listen(config.port)", "-", "?config.port", "-"),
            (
                "let port: number = Number(process.env.PORT ?? 5000);\napp.listen(port);",
                "-",
                "$PORT:5000",
                "-",
            ),
            (
                "const a = 1, PORT = process.env.P || 9\napp.listen(PORT)",
                "-",
                "$P:9",
                "-",
            ),
        ];
        for (src, host, port, path) in cases {
            let s = javascript(src);
            assert_eq!(s.listens.len(), 1, "{src}");
            let l = &s.listens[0];
            assert_eq!(show(l.host.as_ref()), host, "{src}");
            assert_eq!(show(l.port.as_ref()), port, "{src}");
            assert_eq!(show(l.path.as_ref()), path, "{src}");
        }
    }

    #[test]
    fn not_listens() {
        for src in [
            "// app.listen(1)",
            "/* app.listen(1) */",
            "const s = 'app.listen(1)';",
            "const t = `app.listen(${x})`;",
            "const r = /app.listen(1)/;",
        ] {
            assert!(javascript(src).listens.is_empty(), "{src}");
        }
    }

    #[test]
    fn generated_app() {
        let src = include_str!("../../../generated/express-nginx/app.js");
        let s = javascript(src);
        assert_eq!(s.listens.len(), 1);
        let l = &s.listens[0];
        assert_eq!(show(l.port.as_ref()), "$APP_PORT:3000");
        assert_eq!(show(l.host.as_ref()), "$APP_HOST:127.0.0.1");
        let port = l.port.as_ref().expect("port");
        assert_eq!(at(src, port.used_at), "PORT");
        assert_eq!(at(src, port.span), "process.env.APP_PORT || '3000'");
        assert!(at(src, l.call_span).starts_with("app.listen(PORT, HOST"));
        assert_eq!(show(s.trust_proxy.as_ref()), "loopback");
        assert_eq!(show(s.keep_alive_timeout.as_ref()), "65000");
        assert!(s.websockets.is_none());
        assert_eq!(s.express.map(|e| at(src, e)), Some("'express'"));
    }

    #[test]
    fn keep_alive_timeout_as_a_product() {
        let cases = [
            ("server.keepAliveTimeout = 65 * 1000;", "65000"),
            ("server.keepAliveTimeout = 61 * 60 * 1000;", "3660000"),
            ("server.keepAliveTimeout = 65000;", "65000"),
            ("server.keepAliveTimeout = 65 * SECONDS;", "?65 * SECONDS"),
            ("server.keepAliveTimeout = 1.5 * 1000;", "?1.5 * 1000"),
        ];
        for (src, want) in cases {
            assert_eq!(
                show(javascript(src).keep_alive_timeout.as_ref()),
                want,
                "{src}"
            );
        }
    }

    #[test]
    fn express_is_seen_when_imported() {
        let cases = [
            ("const express = require('express');", true),
            ("import express from \"express\";", true),
            ("const e = await import('express');", true),
            ("const x = require('express-ws');", false),
            ("console.log('express');", false),
            ("const http = require('node:http');", false),
        ];
        for (src, want) in cases {
            assert_eq!(javascript(src).express.is_some(), want, "{src}");
        }
    }

    #[test]
    fn trust_proxy_and_websockets_table() {
        let cases: [(&str, &str, bool); 5] = [
            ("app.set('trust proxy', 1)", "1", false),
            ("app.enable('trust proxy')", "true", false),
            ("const { WebSocketServer } = require('ws');", "-", true),
            (
                "import { Server } from 'socket.io';\napp.set('trust proxy', true)",
                "true",
                true,
            ),
            ("server.on('upgrade', (req) => {})", "-", true),
        ];
        for (src, trust, ws) in cases {
            let s = javascript(src);
            assert_eq!(show(s.trust_proxy.as_ref()), trust, "{src}");
            assert_eq!(s.websockets.is_some(), ws, "{src}");
        }
    }
}
