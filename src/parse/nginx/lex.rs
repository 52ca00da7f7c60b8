//! The tokens of nginx's configuration language as nom parsers over `&str`: blanks, `#`
//! comments, quoted strings, bare words and the raw Lua code of `*_by_lua_block` directives.
//!
//! The rules are nginx's own (`ngx_conf_read_token`), not crossplane's: only space, tab, CR and
//! LF separate tokens; a bare word ends at a blank, `;` or `{` (but not at `}`, and not at a `{`
//! right after `$`, so `${var}` stays one word); a backslash escapes the next character
//! wherever it is; and a closing quote must be followed by a blank, `;`, `{` or `)`. Every
//! parser returns slices of its input, so nothing is copied here.

use super::{ParseErrorKind, Quote};
use nom::bytes::complete::{take_till, take_while};
use nom::character::complete::char;
use nom::sequence::preceded;
use nom::{IResult, Parser as _};

/// Why a token parser stopped: a syntax error at `rest` (the input left where it was found),
/// covering `len` bytes from there. `kind` is `None` for a plain "not this token" that
/// alternatives may recover from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LexError<'a> {
    pub rest: &'a str,
    pub len: usize,
    pub kind: Option<ParseErrorKind>,
}

impl<'a> LexError<'a> {
    fn fatal(rest: &'a str, len: usize, kind: ParseErrorKind) -> nom::Err<Self> {
        nom::Err::Failure(Self {
            rest,
            len,
            kind: Some(kind),
        })
    }
}

impl<'a> nom::error::ParseError<&'a str> for LexError<'a> {
    fn from_error_kind(input: &'a str, _: nom::error::ErrorKind) -> Self {
        Self {
            rest: input,
            len: 0,
            kind: None,
        }
    }

    fn append(_: &'a str, _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

pub(super) type LexResult<'a, T> = IResult<&'a str, T, LexError<'a>>;

/// nginx's token separators. Other Unicode spaces (NBSP, form feed...) are part of a word for
/// nginx, so they are here too, unlike in crossplane, which splits on any `str.isspace()`.
pub(super) const fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

pub(super) fn blanks(input: &str) -> LexResult<'_, &str> {
    take_while(is_blank)(input)
}

/// A `#` comment up to (not including) the end of its line; returns the text after `#`
/// without a trailing CR, so CRLF files give the same text as LF files.
pub(super) fn comment(input: &str) -> LexResult<'_, &str> {
    let (rest, text) = preceded(char('#'), take_till(|c| c == '\n')).parse(input)?;
    Ok((rest, text.strip_suffix('\r').unwrap_or(text)))
}

/// A quoted string: `(quote, inner text)`, the inner text as written (escapes kept). After
/// the closing quote nginx wants a blank, `;`, `{` or `)`, or the end of the input.
pub(super) fn quoted(input: &str) -> LexResult<'_, (Quote, &str)> {
    let (quote, q) = match input.as_bytes().first() {
        Some(b'"') => (Quote::Double, b'"'),
        Some(b'\'') => (Quote::Single, b'\''),
        _ => return Err(nom::Err::Error(LexError::from_input(input))),
    };
    let body = &input[1..];
    let bytes = body.as_bytes();
    let mut i = 0;
    // Bytes, not chars: the quote and the backslash are ASCII and never appear inside a
    // multi-byte UTF-8 sequence, so every index where they match is a char boundary.
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == q => {
                let inner = &body[..i];
                let rest = &body[i + 1..];
                if let Some(c) = rest.chars().next()
                    && !(is_blank(c) || matches!(c, ';' | '{' | ')'))
                {
                    return Err(LexError::fatal(
                        rest,
                        c.len_utf8(),
                        ParseErrorKind::UnexpectedAfterQuote { found: c },
                    ));
                }
                return Ok((rest, (quote, inner)));
            }
            _ => i += 1,
        }
    }
    Err(LexError::fatal(
        input,
        1,
        ParseErrorKind::UnterminatedQuote {
            quote: char::from(q),
        },
    ))
}

/// A bare word, escapes kept as written. Never empty: the caller only calls it on a character
/// that starts a word (not a blank, `;`, `{`, `}`, `#` or quote).
pub(super) fn bare(input: &str) -> LexResult<'_, &str> {
    let mut chars = input.char_indices();
    // nginx's `variable` flag: a `{` right after `$` (or after `${`) belongs to the word.
    let mut variable = false;
    let mut end = input.len();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                variable = false;
                chars.next();
            }
            '{' if variable => {}
            ';' | '{' => {
                end = i;
                break;
            }
            c if is_blank(c) => {
                end = i;
                break;
            }
            '$' => variable = true,
            _ => variable = false,
        }
    }
    if end == 0 {
        return Err(nom::Err::Error(LexError::from_input(input)));
    }
    Ok((&input[end..], &input[..end]))
}

/// The Lua code of a `*_by_lua_block` directive, from its `{` to the matching `}`: returns
/// `(with braces, code between them)`. Braces inside Lua strings, long brackets and comments
/// do not count, as in lua-nginx-module's own reader.
pub(super) fn lua_block(input: &str) -> LexResult<'_, (&str, &str)> {
    let bytes = input.as_bytes();
    if bytes.first() != Some(&b'{') {
        return Err(nom::Err::Error(LexError::from_input(input)));
    }
    let mut depth = 0usize;
    let mut i = 0;
    // As in `quoted`, every byte compared is ASCII, so the slice ends are char boundaries.
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'}' => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    return Ok((&input[i..], (&input[..i], &input[1..i - 1])));
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i += 2;
                i = match long_bracket(bytes, i) {
                    Some(level) => close_long_bracket(bytes, i, level),
                    None => bytes[i..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(bytes.len(), |p| i + p),
                };
            }
            b'[' => match long_bracket(bytes, i) {
                Some(level) => i = close_long_bracket(bytes, i, level),
                None => i += 1,
            },
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    Err(LexError::fatal(
        input,
        1,
        ParseErrorKind::UnexpectedEof {
            open: super::Span::default(),
        },
    ))
}

/// If a Lua long bracket `[[` or `[==[` opens at `i`, its level (the number of `=`).
fn long_bracket(bytes: &[u8], i: usize) -> Option<usize> {
    if bytes.get(i) != Some(&b'[') {
        return None;
    }
    let level = bytes[i + 1..].iter().take_while(|&&b| b == b'=').count();
    (bytes.get(i + 1 + level) == Some(&b'[')).then_some(level)
}

/// The index just past the `]=*]` that closes a long bracket of `level` opened at `i`, or the
/// end of the input when it is never closed.
fn close_long_bracket(bytes: &[u8], i: usize, level: usize) -> usize {
    let mut j = i + level + 2;
    while j < bytes.len() {
        if bytes[j] == b']'
            && bytes[j + 1..].iter().take(level).all(|&b| b == b'=')
            && bytes.get(j + 1 + level) == Some(&b']')
        {
            return j + level + 2;
        }
        j += 1;
    }
    bytes.len()
}

impl<'a> LexError<'a> {
    const fn from_input(input: &'a str) -> Self {
        Self {
            rest: input,
            len: 0,
            kind: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_words() {
        let cases = [
            ("foo bar", "foo", " bar"),
            ("foo;", "foo", ";"),
            ("foo{", "foo", "{"),
            ("foo}", "foo}", ""),
            ("${uri}.html x", "${uri}.html", " x"),
            ("$${{a", "$${{a", ""),
            ("a${", "a${", ""),
            (r"a\ b c", r"a\ b", " c"),
            (r"a\;b;", r"a\;b", ";"),
            (r"\${x", r"\$", "{x"),
            ("a\\", "a\\", ""),
            ("é\u{a0}x y", "é\u{a0}x", " y"),
            ("a\"b\" c", "a\"b\"", " c"),
            ("a#b c", "a#b", " c"),
        ];
        for (input, word, rest) in cases {
            assert_eq!(bare(input), Ok((rest, word)), "{input:?}");
        }
    }

    #[test]
    fn quoted_strings() {
        let cases = [
            (r#""a b" c"#, Quote::Double, "a b", " c"),
            (r#""a\"b";"#, Quote::Double, r#"a\"b"#, ";"),
            (r#""a\\"{"#, Quote::Double, r"a\\", "{"),
            ("'x')", Quote::Single, "x", ")"),
            ("\"é\"", Quote::Double, "é", ""),
            ("\"a;{}#\nb\" ", Quote::Double, "a;{}#\nb", " "),
        ];
        for (input, quote, inner, rest) in cases {
            assert_eq!(quoted(input), Ok((rest, (quote, inner))), "{input:?}");
        }
    }

    #[test]
    fn quoted_errors() {
        let cases = [
            ("\"abc", ParseErrorKind::UnterminatedQuote { quote: '"' }),
            ("'a\\'", ParseErrorKind::UnterminatedQuote { quote: '\'' }),
            (
                "\"a\"b",
                ParseErrorKind::UnexpectedAfterQuote { found: 'b' },
            ),
            (
                "\"a\"}",
                ParseErrorKind::UnexpectedAfterQuote { found: '}' },
            ),
            (
                "\"a\"#",
                ParseErrorKind::UnexpectedAfterQuote { found: '#' },
            ),
            (
                "'a''b'",
                ParseErrorKind::UnexpectedAfterQuote { found: '\'' },
            ),
        ];
        for (input, kind) in cases {
            match quoted(input) {
                Err(nom::Err::Failure(e)) => assert_eq!(e.kind, Some(kind), "{input:?}"),
                other => panic!("{input:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn lua_blocks() {
        let cases = [
            ("{ a = 1 } x", "{ a = 1 }", " x"),
            ("{ t = { 1 } }", "{ t = { 1 } }", ""),
            ("{ s = \"}\" }", "{ s = \"}\" }", ""),
            ("{ s = '\\'}' }", "{ s = '\\'}' }", ""),
            ("{ -- }\n }", "{ -- }\n }", ""),
            ("{ --[[ } ]] }", "{ --[[ } ]] }", ""),
            ("{ s = [==[ }]] ]==] }", "{ s = [==[ }]] ]==] }", ""),
            ("{ a[b] = 1 }", "{ a[b] = 1 }", ""),
        ];
        for (input, block, rest) in cases {
            let (r, (b, code)) = lua_block(input).expect(input);
            assert_eq!((r, b), (rest, block), "{input:?}");
            assert_eq!(code, &block[1..block.len() - 1]);
        }
        assert!(lua_block("{ x").is_err());
        assert!(lua_block("{ s = '}").is_err());
        assert!(lua_block("{ --[[ }").is_err());
    }
}
