//! The syntax errors the app readers can see for sure, as the interpreter reports them
//! before running a line: a string literal that is never closed, and brackets that do not
//! pair up (`(` never closed, an unmatched `)`, `]` closing a `(`). Only the first one is
//! reported, as Python and Node stop at it. No grammar beyond that: a file that passes may
//! still not compile.

use super::lex::{self, Tok, Token};
use crate::parse::span::Span;

/// A syntax error and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

/// The first syntax error of a Python source, if the reader sees one.
#[must_use]
pub fn python_syntax_error(text: &str) -> Option<SyntaxError> {
    let lexed = lex::python(text);
    first_error(text, &lexed.tokens, true)
}

/// The first syntax error of a JavaScript (or TypeScript) source, if the reader sees one.
#[must_use]
pub fn javascript_syntax_error(text: &str) -> Option<SyntaxError> {
    let lexed = lex::javascript(text);
    first_error(text, &lexed.tokens, false)
}

/// The first syntax error among `tokens`, lexed from `text` as Python (`python`) or
/// JavaScript.
pub(super) fn first_error(text: &str, tokens: &[Token], python: bool) -> Option<SyntaxError> {
    let mut open: Vec<&Token> = Vec::new();
    for t in tokens {
        match t.kind {
            Tok::Str | Tok::Interpolated => {
                if let Some(message) = unterminated(text, t, python) {
                    return Some(SyntaxError {
                        message: message.to_owned(),
                        span: t.span,
                    });
                }
            }
            Tok::Punct => match t.value.as_ref() {
                "(" | "[" | "{" => open.push(t),
                close @ (")" | "]" | "}") => {
                    let Some(opener) = open.pop() else {
                        return Some(SyntaxError {
                            message: format!("unmatched `{close}`"),
                            span: t.span,
                        });
                    };
                    if closer(&opener.value) != close {
                        return Some(SyntaxError {
                            message: format!("`{close}` does not match `{}`", opener.value),
                            span: t.span,
                        });
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    open.first().map(|t| SyntaxError {
        message: format!("`{}` is never closed", t.value),
        span: t.span,
    })
}

fn closer(open: &str) -> &'static str {
    match open {
        "(" => ")",
        "[" => "]",
        _ => "}",
    }
}

/// Why a string token is not a whole literal, if it is not.
fn unterminated(text: &str, t: &Token, python: bool) -> Option<&'static str> {
    let raw = text.get(t.span.start..t.span.end)?;
    // A JavaScript regex literal: where it ends is the lexer's guess, so it is not judged.
    if raw.starts_with('/') {
        return None;
    }
    let body = if python {
        raw.trim_start_matches(|c: char| c.is_ascii_alphabetic())
    } else {
        raw
    };
    let first = body.chars().next()?;
    if !matches!(first, '\'' | '"' | '`') {
        return None;
    }
    let triple: String = std::iter::repeat_n(first, 3).collect();
    let quote = if python && body.starts_with(&triple) {
        triple.as_str()
    } else {
        &body[..first.len_utf8()]
    };
    let closed = body.len() >= 2 * quote.len()
        && body.ends_with(quote)
        && body[..body.len() - quote.len()]
            .chars()
            .rev()
            .take_while(|c| *c == '\\')
            .count()
            % 2
            == 0;
    if closed {
        return None;
    }
    Some(match (python, quote.len(), first) {
        (true, 3, _) => "unterminated triple-quoted string literal",
        (false, _, '`') => "unterminated template literal",
        _ => "unterminated string literal",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py(text: &str) -> Option<(String, &str)> {
        python_syntax_error(text).map(|e| (e.message, &text[e.span.start..e.span.end]))
    }

    fn js(text: &str) -> Option<(String, &str)> {
        javascript_syntax_error(text).map(|e| (e.message, &text[e.span.start..e.span.end]))
    }

    #[test]
    fn python_table() {
        let ok = [
            "app = FastAPI()\n",
            "x = {'a': [1, (2, 3)]}\n",
            "s = ''\nt = ''''''\nu = r'\\d+'\nv = f\"{x['a']}\"\n",
            "s = 'it\\'s'\n",
            "doc = \"\"\"\nmany ( lines [\n\"\"\"\n",
            "# a comment with ( and '\n",
            "x = (1 +\n     2)\n",
        ];
        for text in ok {
            assert_eq!(py(text), None, "{text}");
        }
        let cases = [
            ("app = FastAPI(\n", ("`(` is never closed".to_owned(), "(")),
            ("x = 1)\n", ("unmatched `)`".to_owned(), ")")),
            ("x = [1, 2)\n", ("`)` does not match `[`".to_owned(), ")")),
            (
                "s = 'abc\nx = 1\n",
                ("unterminated string literal".to_owned(), "'abc"),
            ),
            (
                "s = 'abc\\'\n",
                ("unterminated string literal".to_owned(), "'abc\\'"),
            ),
            (
                "d = \"\"\"never\nclosed\n",
                (
                    "unterminated triple-quoted string literal".to_owned(),
                    "\"\"\"never\nclosed\n",
                ),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(py(text), Some((want.0, want.1)), "{text}");
        }
    }

    #[test]
    fn javascript_table() {
        let ok = [
            "const app = express();\napp.listen(3000);\n",
            "const re = /[(]/g;\nconst t = `a ${f({ x: 1 })} b`;\n",
            "const s = 'a\\'b';\n// ( comment\n/* [ */\n",
            "const x = a / (b) / c;\n",
        ];
        for text in ok {
            assert_eq!(js(text), None, "{text}");
        }
        let cases = [
            (
                "app.get('/', (req, res) => {\n  res.send('hi');\n);\n",
                ("`)` does not match `{`".to_owned(), ")"),
            ),
            (
                "app.listen(3000;\n",
                ("`(` is never closed".to_owned(), "("),
            ),
            (
                "const s = 'abc;\n",
                ("unterminated string literal".to_owned(), "'abc;"),
            ),
            (
                "const t = `abc;\n",
                ("unterminated template literal".to_owned(), "`abc;\n"),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(js(text), Some((want.0, want.1)), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "(\\PC|[\n'\"`(){}\\[\\]/\\\\$])*") {
            let _ = python_syntax_error(&text);
            let _ = javascript_syntax_error(&text);
        }
    }
}
