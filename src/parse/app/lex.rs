//! Tokenizers for Python and JavaScript sources: identifiers, numbers, strings (decoded where
//! simple), punctuation, with comments collected aside. Careful about what hides code (string
//! literals of every kind, comments, JavaScript regex literals and template literals), and
//! nothing more: no grammar.

use super::Comment;
use crate::parse::span::Span;
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok {
    Ident,
    Number,
    /// A string literal; `Token::value` is its decoded text when it has no interpolation.
    Str,
    /// An f-string or a template literal with `${}`: its value is unknown.
    Interpolated,
    Punct,
    /// A line break outside brackets (Python only: statements end there).
    Newline,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token<'t> {
    pub kind: Tok,
    /// The source text (for punctuation and identifiers) or the decoded string: borrowed
    /// from the source unless decoding changed it, so that a token costs no allocation.
    pub value: Cow<'t, str>,
    pub span: Span,
}

impl Token<'_> {
    pub fn is(&self, kind: Tok, value: &str) -> bool {
        self.kind == kind && self.value == value
    }

    pub fn punct(&self, value: &str) -> bool {
        self.is(Tok::Punct, value)
    }

    pub fn ident(&self, value: &str) -> bool {
        self.is(Tok::Ident, value)
    }
}

#[derive(Debug, Default)]
pub(super) struct Lexed<'t> {
    pub tokens: Vec<Token<'t>>,
    pub comments: Vec<Comment>,
}

const PUNCT3: [&str; 6] = ["===", "!==", "**=", "...", ">>>", "<<="];
const PUNCT2: [&str; 22] = [
    "==", "!=", "<=", ">=", "&&", "||", "??", "=>", "++", "--", "+=", "-=", "*=", "/=", "**", "//",
    "->", ":=", "?.", "<<", ">>", "%=",
];

fn punct_len(rest: &str) -> usize {
    if PUNCT3.iter().any(|p| rest.starts_with(p)) {
        3
    } else if PUNCT2.iter().any(|p| rest.starts_with(p)) {
        2
    } else {
        rest.chars().next().map_or(1, char::len_utf8)
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Decodes the common backslash escapes of a string body; others keep the backslash.
fn unescape(body: &str) -> Cow<'_, str> {
    if !body.contains('\\') {
        return Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('\n') | None => {}
            Some(c @ ('\\' | '\'' | '"' | '`' | '/')) => out.push(c),
            Some(c) => {
                out.push('\\');
                out.push(c);
            }
        }
    }
    Cow::Owned(out)
}

/// A number's text without its `_` separators.
fn number(raw: &str) -> Cow<'_, str> {
    if raw.contains('_') {
        Cow::Owned(raw.replace('_', ""))
    } else {
        Cow::Borrowed(raw)
    }
}

struct Cursor<'t> {
    text: &'t str,
    pos: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Reads a quoted string whose opening quote(s) `quote` start at `self.pos`; returns the
    /// body's range. An unterminated string runs to the end of the line (or the text, for
    /// triple-quoted and template strings).
    fn string(&mut self, quote: &str, multiline: bool) -> (usize, usize) {
        self.pos += quote.len();
        let body = self.pos;
        loop {
            let rest = self.rest();
            if rest.starts_with(quote) {
                let end = self.pos;
                self.pos += quote.len();
                return (body, end);
            }
            match self.bump() {
                None => return (body, self.pos),
                // Even in a raw string a backslash keeps the next quote from closing it.
                Some('\\') => {
                    self.bump();
                }
                Some('\n') if !multiline => {
                    self.pos -= 1;
                    return (body, self.pos);
                }
                Some(_) => {}
            }
        }
    }
}

/// The quote that opens the Python string at the start of `rest` (which starts with `'` or
/// `"`): tripled or single.
fn python_quote(rest: &str) -> &'static str {
    if rest.starts_with('\'') {
        if rest.starts_with("'''") { "'''" } else { "'" }
    } else if rest.starts_with("\"\"\"") {
        "\"\"\""
    } else {
        "\""
    }
}

/// Tokenizes Python: `#` comments, string prefixes (`r`, `b`, `f`, `u` and pairs), triple
/// quotes, implicit line joining inside brackets, backslash continuations.
pub(super) fn python(text: &str) -> Lexed<'_> {
    let mut out = Lexed::default();
    let mut c = Cursor { text, pos: 0 };
    let mut depth: usize = 0;
    while let Some(ch) = c.peek() {
        let start = c.pos;
        if ch == '\n' {
            c.bump();
            if depth == 0 && out.tokens.last().is_some_and(|t| t.kind != Tok::Newline) {
                out.tokens.push(Token {
                    kind: Tok::Newline,
                    value: Cow::Borrowed("\n"),
                    span: Span::new(start, start + 1),
                });
            }
            continue;
        }
        if ch.is_whitespace() {
            c.bump();
            continue;
        }
        if ch == '\\' && c.rest()[1..].starts_with(['\n', '\r']) {
            c.bump();
            c.bump();
            continue;
        }
        if ch == '#' {
            let end = c.rest().find('\n').map_or(text.len(), |i| start + i);
            out.comments.push(Comment {
                text: text[start + 1..end].to_owned(),
                span: Span::new(start, end),
            });
            c.pos = end;
            continue;
        }
        if is_ident_start(ch) && ch != '$' {
            while c.peek().is_some_and(is_ident_char) {
                c.bump();
            }
            let word = &text[start..c.pos];
            // Checked before anything is allocated: most words are not string prefixes.
            let is_prefix = word.len() <= 2
                && word
                    .bytes()
                    .all(|p| matches!(p.to_ascii_lowercase(), b'r' | b'b' | b'f' | b'u'));
            if is_prefix && c.peek().is_some_and(|q| q == '\'' || q == '"') {
                let lower = word.to_ascii_lowercase();
                let quote = python_quote(c.rest());
                let multiline = quote.len() == 3;
                let (b, e) = c.string(quote, multiline);
                let body = &text[b..e];
                let interpolated = lower.contains('f') && body.contains('{');
                out.tokens.push(Token {
                    kind: if interpolated {
                        Tok::Interpolated
                    } else {
                        Tok::Str
                    },
                    value: if lower.contains('r') {
                        Cow::Borrowed(body)
                    } else {
                        unescape(body)
                    },
                    span: Span::new(start, c.pos),
                });
                continue;
            }
            out.tokens.push(Token {
                kind: Tok::Ident,
                value: Cow::Borrowed(word),
                span: Span::new(start, c.pos),
            });
            continue;
        }
        if ch == '\'' || ch == '"' {
            let quote = python_quote(c.rest());
            let multiline = quote.len() == 3;
            let (b, e) = c.string(quote, multiline);
            out.tokens.push(Token {
                kind: Tok::Str,
                value: unescape(&text[b..e]),
                span: Span::new(start, c.pos),
            });
            continue;
        }
        if ch.is_ascii_digit()
            || (ch == '.' && c.rest()[1..].starts_with(|d: char| d.is_ascii_digit()))
        {
            while c
                .peek()
                .is_some_and(|d| d.is_ascii_alphanumeric() || d == '_' || d == '.')
            {
                c.bump();
            }
            out.tokens.push(Token {
                kind: Tok::Number,
                value: number(&text[start..c.pos]),
                span: Span::new(start, c.pos),
            });
            continue;
        }
        let len = punct_len(c.rest());
        c.pos += len;
        let p = &text[start..c.pos];
        match p {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.tokens.push(Token {
            kind: Tok::Punct,
            value: Cow::Borrowed(p),
            span: Span::new(start, c.pos),
        });
    }
    out
}

/// Whether a `/` after this token starts a regex literal rather than a division.
fn regex_allowed(prev: Option<&Token>) -> bool {
    match prev {
        None => true,
        Some(t) => match t.kind {
            Tok::Number | Tok::Str | Tok::Interpolated => false,
            Tok::Ident => matches!(
                t.value.as_ref(),
                "return"
                    | "typeof"
                    | "instanceof"
                    | "in"
                    | "of"
                    | "new"
                    | "delete"
                    | "void"
                    | "throw"
                    | "case"
                    | "do"
                    | "else"
                    | "yield"
                    | "await"
            ),
            Tok::Punct => !matches!(t.value.as_ref(), ")" | "]" | "}" | "++" | "--"),
            Tok::Newline => true,
        },
    }
}

/// Tokenizes JavaScript (and TypeScript well enough): `//` and `/* */` comments, the three
/// string quotes (a template literal with `${...}` is `Interpolated`), regex literals.
pub(super) fn javascript(text: &str) -> Lexed<'_> {
    let mut out = Lexed::default();
    let mut c = Cursor { text, pos: 0 };
    while let Some(ch) = c.peek() {
        let start = c.pos;
        if ch.is_whitespace() {
            c.bump();
            continue;
        }
        let rest = c.rest();
        if rest.starts_with("//") || (start == 0 && rest.starts_with("#!")) {
            let end = rest.find('\n').map_or(text.len(), |i| start + i);
            out.comments.push(Comment {
                text: text[start + 2..end].to_owned(),
                span: Span::new(start, end),
            });
            c.pos = end;
            continue;
        }
        if let Some(body) = rest.strip_prefix("/*") {
            let (body_end, end) = body
                .find("*/")
                .map_or((text.len(), text.len()), |i| (start + 2 + i, start + 4 + i));
            out.comments.push(Comment {
                text: text[start + 2..body_end].to_owned(),
                span: Span::new(start, end),
            });
            c.pos = end;
            continue;
        }
        if is_ident_start(ch) {
            while c.peek().is_some_and(is_ident_char) {
                c.bump();
            }
            out.tokens.push(Token {
                kind: Tok::Ident,
                value: Cow::Borrowed(&text[start..c.pos]),
                span: Span::new(start, c.pos),
            });
            continue;
        }
        if ch == '\'' || ch == '"' {
            let (b, e) = c.string(if ch == '"' { "\"" } else { "'" }, false);
            out.tokens.push(Token {
                kind: Tok::Str,
                value: unescape(&text[b..e]),
                span: Span::new(start, c.pos),
            });
            continue;
        }
        if ch == '`' {
            let (kind, end) = template(text, start);
            c.pos = end;
            let closed = end > start + 1 && text.as_bytes().get(end - 1) == Some(&b'`');
            let body = text
                .get(start + 1..if closed { end - 1 } else { end })
                .unwrap_or("");
            out.tokens.push(Token {
                kind,
                value: unescape(body),
                span: Span::new(start, end),
            });
            continue;
        }
        if ch.is_ascii_digit() || (ch == '.' && rest[1..].starts_with(|d: char| d.is_ascii_digit()))
        {
            while c
                .peek()
                .is_some_and(|d| d.is_ascii_alphanumeric() || d == '_' || d == '.')
            {
                c.bump();
            }
            out.tokens.push(Token {
                kind: Tok::Number,
                value: number(&text[start..c.pos]),
                span: Span::new(start, c.pos),
            });
            continue;
        }
        if ch == '/' && regex_allowed(out.tokens.last()) {
            c.bump();
            let mut class = false;
            while let Some(r) = c.bump() {
                match r {
                    '\\' => {
                        c.bump();
                    }
                    '[' => class = true,
                    ']' => class = false,
                    '/' if !class => break,
                    '\n' => break,
                    _ => {}
                }
            }
            while c.peek().is_some_and(char::is_alphanumeric) {
                c.bump();
            }
            out.tokens.push(Token {
                kind: Tok::Str,
                value: Cow::Borrowed(&text[start..c.pos]),
                span: Span::new(start, c.pos),
            });
            continue;
        }
        let len = punct_len(rest);
        c.pos += len;
        out.tokens.push(Token {
            kind: Tok::Punct,
            value: Cow::Borrowed(&text[start..c.pos]),
            span: Span::new(start, c.pos),
        });
    }
    out
}

/// Skips a template literal starting at `start` (the backtick), nested `${ }` included.
fn template(text: &str, start: usize) -> (Tok, usize) {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    let mut kind = Tok::Str;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'`' => return (kind, i + 1),
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                kind = Tok::Interpolated;
                let mut depth = 1;
                i += 2;
                while i < bytes.len() && depth > 0 {
                    match bytes[i] {
                        b'{' => depth += 1,
                        b'}' => depth -= 1,
                        b'`' => {
                            let (_, end) = template(text, i);
                            i = end;
                            continue;
                        }
                        b'\'' | b'"' => {
                            let q = bytes[i];
                            i += 1;
                            while i < bytes.len() && bytes[i] != q && bytes[i] != b'\n' {
                                i += if bytes[i] == b'\\' { 2 } else { 1 };
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    (kind, text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds<'a>(lexed: &'a Lexed<'_>) -> Vec<(Tok, &'a str)> {
        lexed
            .tokens
            .iter()
            .map(|t| (t.kind, t.value.as_ref()))
            .collect()
    }

    #[test]
    fn python_table() {
        let cases: [(&str, &[(Tok, &str)]); 6] = [
            (
                "x = 'a#b' # c",
                &[(Tok::Ident, "x"), (Tok::Punct, "="), (Tok::Str, "a#b")],
            ),
            ("r'\\d' b\"x\"", &[(Tok::Str, "\\d"), (Tok::Str, "x")]),
            (
                "\"\"\"doc\nuvicorn.run()\"\"\"\nf(1_000)",
                &[
                    (Tok::Str, "doc\nuvicorn.run()"),
                    (Tok::Newline, "\n"),
                    (Tok::Ident, "f"),
                    (Tok::Punct, "("),
                    (Tok::Number, "1000"),
                    (Tok::Punct, ")"),
                ],
            ),
            ("f'{x}:8000'", &[(Tok::Interpolated, "{x}:8000")]),
            (
                "a(\n1,\n)\nb",
                &[
                    (Tok::Ident, "a"),
                    (Tok::Punct, "("),
                    (Tok::Number, "1"),
                    (Tok::Punct, ","),
                    (Tok::Punct, ")"),
                    (Tok::Newline, "\n"),
                    (Tok::Ident, "b"),
                ],
            ),
            (
                "x == 'it\\'s'",
                &[(Tok::Ident, "x"), (Tok::Punct, "=="), (Tok::Str, "it's")],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(kinds(&python(text)), want, "{text}");
        }
        assert_eq!(python("x # note").comments[0].text, " note");
    }

    #[test]
    fn javascript_table() {
        let cases: [(&str, &[(Tok, &str)]); 6] = [
            (
                "a.listen(3000) // app.listen(1)",
                &[
                    (Tok::Ident, "a"),
                    (Tok::Punct, "."),
                    (Tok::Ident, "listen"),
                    (Tok::Punct, "("),
                    (Tok::Number, "3000"),
                    (Tok::Punct, ")"),
                ],
            ),
            ("/* x.listen(1) */ y", &[(Tok::Ident, "y")]),
            (
                "`a ${b} c` d",
                &[(Tok::Interpolated, "a ${b} c"), (Tok::Ident, "d")],
            ),
            (
                "x = /listen\\(/g; y",
                &[
                    (Tok::Ident, "x"),
                    (Tok::Punct, "="),
                    (Tok::Str, "/listen\\(/g"),
                    (Tok::Punct, ";"),
                    (Tok::Ident, "y"),
                ],
            ),
            (
                "a / b / c",
                &[
                    (Tok::Ident, "a"),
                    (Tok::Punct, "/"),
                    (Tok::Ident, "b"),
                    (Tok::Punct, "/"),
                    (Tok::Ident, "c"),
                ],
            ),
            (
                "p || '3000'",
                &[(Tok::Ident, "p"), (Tok::Punct, "||"), (Tok::Str, "3000")],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(kinds(&javascript(text)), want, "{text}");
        }
    }

    #[test]
    fn unterminated_strings_do_not_run_away() {
        let lexed = python("x = 'open\ny = 1\n");
        assert!(lexed.tokens.iter().any(|t| t.ident("y")));
        let lexed = javascript("x = 'open\ny = 1\n");
        assert!(lexed.tokens.iter().any(|t| t.ident("y")));
    }
}
