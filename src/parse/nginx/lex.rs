//! The tokens of nginx's configuration language: blanks, `#` comments, quoted strings, bare
//! words and the raw Lua code of `*_by_lua_block` directives.
//!
//! The rules are nginx's own (`ngx_conf_read_token`), not crossplane's: only space, tab, CR and
//! LF separate tokens; a bare word ends at a blank, `;` or `{` (but not at `}`, and not at a `{`
//! right after `$`, so `${var}` stays one word); a backslash escapes the next character
//! wherever it is; and a closing quote must be followed by a blank, `;`, `{` or `)`. Every
//! reader takes the text and an index and returns an index, so nothing is copied here.
//!
//! They scan bytes, not chars: every byte they stop at is ASCII, and an ASCII byte never
//! occurs inside a multi-byte UTF-8 sequence, so every index they return is a char boundary
//! (a backslash skips one byte, then the scan goes on over the rest of its character's bytes,
//! none of which is ASCII). This is the parser's hot loop; see `benches/nginx_parse.rs`.
//!
//! Hand-written on purpose, not with a parser-combinator crate: a nom version of these
//! readers was measured at a third of the throughput and four times the memory of this one
//! (`cargo bench --bench nginx_parse`, `--bench nginx_parse_mem`), and nginx's token rules
//! are a few byte tests that combinators add nothing to.

use super::ParseErrorKind;

/// A syntax error at byte `at` of the text, covering `len` bytes from there (`0`: the
/// character there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LexError {
    pub at: usize,
    pub len: usize,
    pub kind: ParseErrorKind,
}

/// nginx's token separators. Other Unicode spaces (NBSP, form feed...) are part of a word for
/// nginx, so they are here too, unlike in crossplane, which splits on any `str.isspace()`.
pub(super) const fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// What ends or changes a bare word, by byte: blanks, `;`, `{`, `\` and `$`.
const WORD_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let special = *b" \t\r\n;{\\$";
    let mut i = 0;
    while i < special.len() {
        table[special[i] as usize] = true;
        i += 1;
    }
    table
};

/// The index of the first byte at or after `i` that is not a blank.
pub(super) fn blanks(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && is_blank(bytes[i]) {
        i += 1;
    }
    i
}

/// The `#` comment at `i`, up to (not including) the end of its line: `(end of its text,
/// index after it)`. The text (after `#`) loses a trailing CR, so CRLF files give the same
/// text as LF files.
pub(super) fn comment(bytes: &[u8], i: usize) -> (usize, usize) {
    let from = (i + 1).min(bytes.len());
    let next = bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p);
    let end = if next > from && bytes[next - 1] == b'\r' {
        next - 1
    } else {
        next
    };
    (end, next)
}

/// The quoted string at `i`, whose opening quote the caller has seen: the index after its
/// closing quote. The inner text is kept as written (escapes kept). After the closing quote
/// nginx wants a blank, `;`, `{` or `)`, or the end of the input.
pub(super) fn quoted(text: &str, i: usize) -> Result<usize, LexError> {
    let bytes = text.as_bytes();
    let q = bytes.get(i).copied().unwrap_or(b'"');
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b if b == q => {
                let next = j + 1;
                return match bytes.get(next) {
                    Some(&c) if !(is_blank(c) || matches!(c, b';' | b'{' | b')')) => {
                        let found = text
                            .get(next..)
                            .and_then(|r| r.chars().next())
                            .unwrap_or(char::REPLACEMENT_CHARACTER);
                        Err(LexError {
                            at: next,
                            len: found.len_utf8(),
                            kind: ParseErrorKind::UnexpectedAfterQuote { found },
                        })
                    }
                    _ => Ok(next),
                };
            }
            _ => j += 1,
        }
    }
    Err(LexError {
        at: i,
        len: 1,
        kind: ParseErrorKind::UnterminatedQuote {
            quote: char::from(q),
        },
    })
}

/// The bare word at `i` (escapes kept as written): the index after it. The caller only calls
/// it on a character that starts a word (not a blank, `;`, `{`, `}`, `#` or quote); on any
/// other it returns the error nginx gives for that character, so a word is never empty.
pub(super) fn bare(bytes: &[u8], i: usize) -> Result<usize, LexError> {
    // nginx's `variable` flag: a `{` right after `$` (or after `${`) belongs to the word.
    let mut variable = false;
    let mut j = i;
    while j < bytes.len() {
        let b = bytes[j];
        if !WORD_SPECIAL[usize::from(b)] {
            variable = false;
            j += 1;
            continue;
        }
        match b {
            b'\\' => {
                variable = false;
                j += 2;
            }
            b'$' => {
                variable = true;
                j += 1;
            }
            b'{' if variable => j += 1,
            _ => break,
        }
    }
    let end = j.min(bytes.len());
    if end == i {
        let kind = match bytes.get(i) {
            Some(b';') => ParseErrorKind::EmptyDirective,
            Some(b'{') => ParseErrorKind::UnexpectedOpenBrace,
            _ => ParseErrorKind::UnexpectedCloseBrace,
        };
        return Err(LexError {
            at: i,
            len: 0,
            kind,
        });
    }
    Ok(end)
}

/// The Lua code of a `*_by_lua_block` directive, from its `{` at `i` to the matching `}`:
/// the index after that `}`. Braces inside Lua strings, long brackets and comments do not
/// count, as in lua-nginx-module's own reader. `None` when the block is not closed.
pub(super) fn lua_block(bytes: &[u8], i: usize) -> Option<usize> {
    if bytes.get(i) != Some(&b'{') {
        return None;
    }
    let mut depth = 0usize;
    let mut i = i;
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
                    return Some(i);
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
    None
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The readers in `(rest, token)` form, for readable tables.
    fn bare_s(input: &str) -> Result<(&str, &str), LexError> {
        bare(input.as_bytes(), 0).map(|end| (&input[end..], &input[..end]))
    }

    fn quoted_s(input: &str) -> Result<(&str, &str), LexError> {
        quoted(input, 0).map(|end| (&input[end..], &input[1..end - 1]))
    }

    fn lua_block_s(input: &str) -> Option<(&str, &str)> {
        lua_block(input.as_bytes(), 0).map(|end| (&input[end..], &input[..end]))
    }

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
            assert_eq!(bare_s(input), Ok((rest, word)), "{input:?}");
        }
    }

    #[test]
    fn quoted_strings() {
        let cases = [
            (r#""a b" c"#, "a b", " c"),
            (r#""a\"b";"#, r#"a\"b"#, ";"),
            (r#""a\\"{"#, r"a\\", "{"),
            ("'x')", "x", ")"),
            ("\"é\"", "é", ""),
            ("\"a;{}#\nb\" ", "a;{}#\nb", " "),
        ];
        for (input, inner, rest) in cases {
            assert_eq!(quoted_s(input), Ok((rest, inner)), "{input:?}");
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
            match quoted_s(input) {
                Err(e) => assert_eq!(e.kind, kind, "{input:?}"),
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
            assert_eq!(lua_block_s(input), Some((rest, block)), "{input:?}");
        }
        assert_eq!(lua_block_s("{ x"), None);
        assert_eq!(lua_block_s("{ s = '}"), None);
        assert_eq!(lua_block_s("{ --[[ }"), None);
    }
}
