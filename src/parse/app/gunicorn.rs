//! gunicorn's Python config file (`-c gunicorn.conf.py`, or `gunicorn.conf.py` in the
//! working directory): the settings it assigns at the top level with a literal (`bind =
//! "127.0.0.1:5000"`, `bind = ["unix:/run/g.sock"]`, `workers = 4`, `daemon = True`).
//!
//! gunicorn executes the file and takes its module globals, so anything gen cannot evaluate
//! makes the setting unknown rather than absent: an assignment to a computed value
//! (`workers = multiprocessing.cpu_count() * 2`), one inside a block (`if`, `def`, `for`),
//! an augmented one (`bind += [...]`), a method call on it (`bind.append(...)`), an import
//! of the name. Code that can set any global (`globals()`, `exec`, `setattr`, `vars()`,
//! `from x import *`) makes every setting unknown (`opaque`).

use super::lex::{self, Tok, Token};
use crate::parse::span::Span;

/// Longest config file read; past it every setting is unknown.
pub const MAX_LEN: usize = 1 << 20;

/// The settings the model reads.
pub const SETTINGS: [&str; 14] = [
    "bind",
    "workers",
    "worker_class",
    "daemon",
    "raw_env",
    "chdir",
    "wsgi_app",
    "umask",
    "user",
    "group",
    "keepalive",
    "forwarded_allow_ips",
    "pythonpath",
    "threads",
];

/// What the file says about one setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfValue {
    /// A literal: one value, or the items of a list or tuple; each with its span. Strings
    /// are decoded, numbers and `True`/`False`/`None` as written.
    Literal(Vec<(String, Span)>),
    /// Set to something gen cannot evaluate, at this span.
    Unknown(Span),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfSetting {
    pub name: String,
    pub name_span: Span,
    pub value: ConfValue,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GunicornConfig {
    /// Each setting's last assignment, in file order of first appearance.
    pub settings: Vec<ConfSetting>,
    /// Code that may set any setting, at this span: every setting is unknown.
    pub opaque: Option<Span>,
}

impl GunicornConfig {
    /// The setting as the file leaves it; `None` when the file does not set it (and is not
    /// opaque).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<ConfValue> {
        if let Some(span) = self.opaque {
            return Some(ConfValue::Unknown(span));
        }
        self.settings
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.value.clone())
    }
}

/// Whether the token at `span` is the first thing on its line.
fn at_line_start(text: &str, span: Span) -> bool {
    let before = text.get(..span.start).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    before.len() == line_start
}

/// A literal: a string, a number, `True`/`False`/`None`, or a list/tuple of those.
fn literal(tokens: &[Token]) -> Option<Vec<(String, Span)>> {
    let scalar = |t: &Token| match t.kind {
        Tok::Str | Tok::Number => Some((t.value.to_string(), t.span)),
        Tok::Ident if matches!(t.value.as_ref(), "True" | "False" | "None") => {
            Some((t.value.to_string(), t.span))
        }
        _ => None,
    };
    match tokens {
        [one] => scalar(one).map(|v| vec![v]),
        [open, inner @ .., close]
            if (open.punct("[") && close.punct("]")) || (open.punct("(") && close.punct(")")) =>
        {
            let mut out = Vec::new();
            let mut expect_value = true;
            for t in inner {
                if expect_value {
                    out.push(scalar(t)?);
                } else if !t.punct(",") {
                    return None;
                }
                expect_value = !expect_value;
            }
            Some(out)
        }
        _ => None,
    }
}

const ASSIGN_OPS: [&str; 7] = ["=", "+=", "-=", "*=", ":=", "|=", "%="];

/// Reads a gunicorn config file.
#[must_use]
pub fn gunicorn_config(text: &str) -> GunicornConfig {
    let mut out = GunicornConfig::default();
    if text.len() > MAX_LEN {
        out.opaque = Some(Span::new(0, 0));
        return out;
    }
    let lexed = lex::python(text);
    let tokens = &lexed.tokens;
    let set = |out: &mut GunicornConfig, name: &Token, value: ConfValue| {
        if let Some(s) = out.settings.iter_mut().find(|s| s.name == name.value) {
            s.name_span = name.span;
            s.value = value;
        } else {
            out.settings.push(ConfSetting {
                name: name.value.to_string(),
                name_span: name.span,
                value,
            });
        }
    };
    // Statements: split at line ends and at `;`.
    let mut statements: Vec<&[Token]> = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.kind == Tok::Newline || t.punct(";") {
            statements.push(&tokens[start..i]);
            start = i + 1;
        }
    }
    statements.push(&tokens[start.min(tokens.len())..]);
    for st in statements {
        let Some(first) = st.first() else { continue };
        // Code that can bind any global name.
        for (i, t) in st.iter().enumerate() {
            let next = st.get(i + 1);
            let call = next.is_some_and(|n| n.punct("("));
            let opaque = (t.kind == Tok::Ident
                && call
                && matches!(
                    t.value.as_ref(),
                    "globals" | "exec" | "setattr" | "vars" | "locals"
                ))
                || (t.ident("import") && next.is_some_and(|n| n.punct("*")));
            if opaque && out.opaque.is_none() {
                out.opaque = Some(t.span);
            }
        }
        let simple = first.kind == Tok::Ident
            && SETTINGS.contains(&first.value.as_ref())
            && st.get(1).is_some_and(|t| t.punct("="))
            && at_line_start(text, first.span)
            && st.len() > 2;
        if simple {
            let rhs = &st[2..];
            // `a = b = 1`: the chain's value is the last one; keep it unknown.
            let value = if rhs.iter().any(|t| t.punct("=")) {
                ConfValue::Unknown(span_of(rhs))
            } else {
                literal(rhs).map_or_else(|| ConfValue::Unknown(span_of(rhs)), ConfValue::Literal)
            };
            set(&mut out, first, value);
            continue;
        }
        // Any other statement that may bind a setting's name.
        let imports = first.ident("import") || first.ident("from");
        for (i, t) in st.iter().enumerate() {
            if t.kind != Tok::Ident || !SETTINGS.contains(&t.value.as_ref()) {
                continue;
            }
            if i > 0 && st[i - 1].punct(".") {
                continue;
            }
            let next = st.get(i + 1);
            let binds = imports
                || next.is_some_and(|n| {
                    n.kind == Tok::Punct && ASSIGN_OPS.contains(&n.value.as_ref())
                })
                || (next.is_some_and(|n| n.punct("."))
                    && st.get(i + 2).is_some_and(|m| {
                        matches!(
                            m.value.as_ref(),
                            "append" | "extend" | "insert" | "clear" | "pop" | "remove"
                        )
                    }))
                || (i > 0 && (st[i - 1].ident("for") || st[i - 1].ident("as")));
            if binds {
                set(&mut out, t, ConfValue::Unknown(t.span));
            }
        }
    }
    out
}

fn span_of(tokens: &[Token]) -> Span {
    match (tokens.first(), tokens.last()) {
        (Some(a), Some(b)) => Span::new(a.span.start, b.span.end),
        _ => Span::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(c: &GunicornConfig, name: &str) -> Option<Vec<String>> {
        match c.get(name)? {
            ConfValue::Literal(v) => Some(v.into_iter().map(|(s, _)| s).collect()),
            ConfValue::Unknown(_) => Some(vec!["?".to_owned()]),
        }
    }

    #[test]
    fn literal_settings() {
        let text = "import multiprocessing\nbind = '127.0.0.1:5000'\nworkers = 4\nworker_class = \"uvicorn.workers.UvicornWorker\"\ndaemon = False\nraw_env = ['A=1', 'B=2']\n";
        let c = gunicorn_config(text);
        assert_eq!(values(&c, "bind"), Some(vec!["127.0.0.1:5000".to_owned()]));
        assert_eq!(values(&c, "workers"), Some(vec!["4".to_owned()]));
        assert_eq!(values(&c, "daemon"), Some(vec!["False".to_owned()]));
        assert_eq!(
            values(&c, "raw_env"),
            Some(vec!["A=1".to_owned(), "B=2".to_owned()])
        );
        assert_eq!(values(&c, "chdir"), None);
        let Some(ConfValue::Literal(b)) = c.get("bind") else {
            panic!("bind")
        };
        assert_eq!(&text[b[0].1.start..b[0].1.end], "'127.0.0.1:5000'");
    }

    #[test]
    fn computed_settings_are_unknown() {
        for text in [
            "workers = multiprocessing.cpu_count() * 2 + 1\n",
            "import os\nworkers = int(os.environ.get('W', 2))\n",
            "if True:\n    workers = 3\n",
            "workers = 2\nworkers += 1\n",
            "from settings import workers\n",
            "for workers in range(2): pass\n",
            "workers = f'{x}'\n",
            "workers = a = 2\n",
        ] {
            let c = gunicorn_config(text);
            assert_eq!(values(&c, "workers"), Some(vec!["?".to_owned()]), "{text}");
        }
        let c = gunicorn_config("bind = ['0.0.0.0:80']\nbind.append('unix:/x')\n");
        assert_eq!(values(&c, "bind"), Some(vec!["?".to_owned()]));
    }

    #[test]
    fn opaque_code_makes_everything_unknown() {
        for text in [
            "globals()['bind'] = x\n",
            "from config import *\n",
            "exec(open('x').read())\n",
            "for k, v in d.items(): setattr(m, k, v)\n",
        ] {
            let c = gunicorn_config(text);
            assert!(c.opaque.is_some(), "{text}");
            assert_eq!(values(&c, "bind"), Some(vec!["?".to_owned()]), "{text}");
        }
    }

    #[test]
    fn names_that_are_not_settings_assignments() {
        let c = gunicorn_config("x = conf.bind\nprint(bind)\nloglevel = 'info'\n");
        assert_eq!(c.get("bind"), None);
        assert!(c.opaque.is_none());
    }

    #[test]
    fn hostile_inputs() {
        assert!(gunicorn_config(&"x".repeat(MAX_LEN + 1)).opaque.is_some());
        for text in [
            "bind =",
            "bind = [",
            "bind = ['a',",
            "bind = (,)",
            "= =",
            "bind = '''",
            ";;;",
            "\u{0}",
        ] {
            let _ = gunicorn_config(text);
        }
    }
}
