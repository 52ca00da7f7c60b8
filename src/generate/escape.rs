//! Escaping of spec values for each language they are written into. A value goes through the
//! escaper of its target, so no value can end a string early or inject code or directives.

use std::fmt::Write as _;

/// A double-quoted literal of `s` with the escapes Python and JavaScript share (`\\`, `\"`,
/// `\n`, `\r`, `\t`); every other character that [`needs_escape`] is written by `other`.
fn quoted(s: &str, other: impl Fn(char, &mut String)) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => other(c, &mut out),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A double-quoted Python string literal that evaluates to exactly `s`. Control characters,
/// line and paragraph separators and the BOM are written as escapes, so the literal is one
/// source line whatever `s` holds.
#[must_use]
pub fn python_str(s: &str) -> String {
    quoted(s, |c, out| {
        let n = c as u32;
        let _ = if n <= 0xff {
            write!(out, "\\x{n:02x}")
        } else if n <= 0xffff {
            write!(out, "\\u{n:04x}")
        } else {
            write!(out, "\\U{n:08x}")
        };
    })
}

/// A single-line JavaScript string literal that evaluates to exactly `s`. JSON's escaping
/// is valid JavaScript; U+2028 and U+2029 are escaped too for older engines.
#[must_use]
pub fn js_str(s: &str) -> String {
    quoted(s, |c, out| {
        let mut buf = [0u16; 2];
        for unit in c.encode_utf16(&mut buf) {
            let _ = write!(out, "\\u{unit:04x}");
        }
    })
}

/// The JSON text of `{"message": s}` as a reader expects to see it, with a space after the
/// colon.
#[must_use]
pub fn json_message(s: &str) -> String {
    format!("{{\"message\": {}}}", js_str(s))
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// A Markdown code fence longer than any run of backticks in `s`.
#[must_use]
pub fn fence_for(s: &str) -> String {
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_table() {
        let cases = [
            ("plain", r#""plain""#),
            (r#"a"b"#, r#""a\"b""#),
            (r"back\slash", r#""back\\slash""#),
            ("line\nbreak", r#""line\nbreak""#),
            ("nul\0", r#""nul\x00""#),
            ("sep\u{2028}", r#""sep\u2028""#),
            ("héllo ✓ 😀", "\"héllo ✓ 😀\""),
            ("$x; {y}", r#""$x; {y}""#),
        ];
        for (input, want) in cases {
            assert_eq!(python_str(input), want, "{input:?}");
        }
    }

    #[test]
    fn js_table() {
        let cases = [
            (r#"a"b'c"#, r#""a\"b'c""#),
            ("line\r\nbreak", r#""line\r\nbreak""#),
            ("\u{1}", r#""\u0001""#),
            ("\u{2029}", r#""\u2029""#),
            ("${injection}`", "\"${injection}`\""),
        ];
        for (input, want) in cases {
            assert_eq!(js_str(input), want, "{input:?}");
        }
    }

    #[test]
    fn fences_outgrow_backticks() {
        assert_eq!(fence_for("no ticks"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
    }
}
