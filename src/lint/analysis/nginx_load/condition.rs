//! An `if`'s condition as nginx reads it. The tree keeps crossplane's view of an `if`
//! (parentheses stripped, backslash escapes kept), which hides what nginx refuses: `if $x`
//! without parentheses reads as `if ($x)` there. So the words up to the `{` are read again
//! from the text by nginx's token rules (`ngx_conf_read_token`: a quote opens a string only
//! at the start of a word, `)` may follow a closing quote, and each word is unescaped as
//! nginx copies it), then judged as `ngx_http_rewrite_if_condition` judges them, with its
//! messages. The operand of `~`, `~*`, `!~` and `!~*` is handed back for [`super::regex`]
//! to compile. Variables are left to [`super::variables`].
//!
//! Hand-written: the reader is a few byte tests on a short slice of text, and its rules are
//! nginx's, which no tokenizer crate follows.

use crate::parse::span::Span;

/// The most words read: an `if` takes at most four, and [`judge`] needs no more to give
/// nginx's verdict on a longer one.
pub const MAX_WORDS: usize = 16;

/// One word as nginx's config reader yields it: quotes removed, escapes resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub value: String,
    /// The token in the text, quotes included.
    pub span: Span,
}

/// nginx's copy of a token's text into a word: `\"`, `\'` and `\\` lose the backslash,
/// `\t`, `\r` and `\n` become the control character, any other backslash stays.
#[must_use]
pub fn unescape(raw: &str) -> String {
    let inner = match raw.as_bytes() {
        [q @ (b'"' | b'\''), .., last] if raw.len() >= 2 && last == q => &raw[1..raw.len() - 1],
        _ => raw,
    };
    if !inner.contains('\\') {
        return inner.to_owned();
    }
    let bytes = inner.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            let escaped = match bytes.get(i + 1) {
                Some(&c @ (b'"' | b'\'' | b'\\')) => Some(c),
                Some(b't') => Some(b'\t'),
                Some(b'r') => Some(b'\r'),
                Some(b'n') => Some(b'\n'),
                _ => None,
            };
            if let Some(c) = escaped {
                out.push(c);
                i += 2;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    // Only ASCII bytes were replaced, by ASCII bytes: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

const fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The words of the directive whose name ends at `from`, up to the `{` or `;` that ends its
/// arguments. `None` when the text ends first, a `}` comes, or a closing quote is followed
/// by what nginx refuses (the parser reports those), or past [`MAX_WORDS`] words.
#[must_use]
pub fn words(text: &str, from: usize) -> Option<Vec<Word>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    loop {
        while bytes.get(i).copied().is_some_and(is_blank) {
            i += 1;
        }
        let start = i;
        match *bytes.get(i)? {
            b'{' | b';' => return Some(out),
            b'}' => return None,
            b'#' => {
                while bytes.get(i).is_some_and(|&b| b != b'\n') {
                    i += 1;
                }
                continue;
            }
            q @ (b'"' | b'\'') => {
                i += 1;
                loop {
                    match *bytes.get(i)? {
                        b'\\' => i += 2,
                        b if b == q => break,
                        _ => i += 1,
                    }
                }
                i += 1;
                match bytes.get(i) {
                    None => return None,
                    Some(&b) if is_blank(b) || matches!(b, b';' | b'{' | b')') => {}
                    Some(_) => return None,
                }
            }
            _ => {
                // A bare word: to a blank, `;` or `{`, except the `{` of `${`; quotes are
                // plain characters here.
                while let Some(&b) = bytes.get(i) {
                    match b {
                        b'\\' => i += 2,
                        b'$' if bytes.get(i + 1) == Some(&b'{') => i += 2,
                        b';' | b'{' => break,
                        b if is_blank(b) => break,
                        _ => i += 1,
                    }
                }
                i = i.min(bytes.len());
            }
        }
        let raw = text.get(start..i)?;
        out.push(Word {
            value: unescape(raw),
            span: Span::new(start, i),
        });
        if out.len() > MAX_WORDS {
            return None;
        }
    }
}

/// What nginx makes of a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    /// Valid if word `word`'s `pattern` compiles (`caseless` for `~*` and `!~*`).
    Regex {
        word: usize,
        pattern: String,
        caseless: bool,
    },
    /// nginx refuses it: the word it names, and its message.
    Invalid {
        word: usize,
        message: String,
    },
}

fn invalid(word: usize, v: &str) -> Verdict {
    Verdict::Invalid {
        word,
        message: format!("invalid condition `{v}`"),
    }
}

/// `ngx_http_rewrite_if_condition` on the words of an `if`.
#[must_use]
pub fn judge(words: &[Word]) -> Verdict {
    let mut v: Vec<&str> = words.iter().map(|w| w.value.as_str()).collect();
    let Some(&first) = v.first() else {
        // No argument at all: the argument count's finding.
        return Verdict::Valid;
    };
    if !first.starts_with('(') {
        return invalid(0, first);
    }
    let cur = if first.len() == 1 {
        1
    } else {
        v[0] = &first[1..];
        0
    };
    // May fall below `cur`, as nginx's does.
    let mut last = v.len() as isize - 1;
    let lv = v[v.len() - 1];
    if !lv.ends_with(')') {
        return invalid(v.len() - 1, lv);
    }
    if lv.len() == 1 {
        last -= 1;
    } else {
        let k = v.len() - 1;
        v[k] = &lv[..lv.len() - 1];
    }
    let p = v.get(cur).copied().unwrap_or("");
    let cur_i = cur as isize;
    if p.len() > 1 && p.starts_with('$') {
        if cur_i != last && cur_i + 2 != last {
            return invalid(cur, p);
        }
        if cur_i == last {
            return Verdict::Valid;
        }
        let op = v.get(cur + 1).copied().unwrap_or("");
        return match op {
            "=" | "!=" => Verdict::Valid,
            "~" | "~*" | "!~" | "!~*" => Verdict::Regex {
                word: cur + 2,
                pattern: v.get(cur + 2).copied().unwrap_or("").to_owned(),
                caseless: op.ends_with('*'),
            },
            _ => Verdict::Invalid {
                word: cur + 1,
                message: format!("unexpected `{op}` in condition"),
            },
        };
    }
    let b = p.as_bytes();
    let file_op = (b.len() == 2 && b[0] == b'-') || (b.len() == 3 && b[0] == b'!' && b[1] == b'-');
    if file_op {
        if cur_i + 1 != last {
            return invalid(cur, p);
        }
        let test = |c: u8| matches!(c, b'f' | b'd' | b'e' | b'x');
        if test(b[1]) || (b[0] == b'!' && b.get(2).copied().is_some_and(test)) {
            return Verdict::Valid;
        }
    }
    // `cur` is a word: a lone `(` is refused above unless a word follows it.
    invalid(cur.min(v.len() - 1), p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(args: &str) -> Verdict {
        let text = format!("if {args} {{ }}");
        let w = words(&text, 2).expect("words");
        judge(&w)
    }

    fn message(args: &str) -> Option<String> {
        match verdict(args) {
            Verdict::Invalid { message, .. } => Some(message),
            _ => None,
        }
    }

    /// Each condition with the message `nginx -t` (1.22.1) gives, `None` where it accepts.
    #[test]
    fn conditions_as_nginx_judges_them() {
        for (args, want) in [
            ("$uri", Some("invalid condition `$uri`")),
            ("($uri", Some("invalid condition `$uri`")),
            ("$uri)", Some("invalid condition `$uri)`")),
            ("( $uri )", None),
            ("($uri)", None),
            ("()", Some("invalid condition `)`")),
            ("( )", Some("invalid condition `)`")),
            ("($uri == a)", Some("unexpected `==` in condition")),
            ("($uri = a b)", Some("invalid condition `$uri`")),
            ("($uri =)", Some("invalid condition `$uri`")),
            ("($uri = )", Some("invalid condition `$uri`")),
            ("($ = a)", Some("invalid condition `$`")),
            ("(uri = a)", Some("invalid condition `uri`")),
            ("(-f $x)", None),
            ("(-F $request_filename)", Some("invalid condition `-F`")),
            ("(!-x $request_filename)", None),
            ("(!-q $request_filename)", Some("invalid condition `!-q`")),
            ("(-f)", Some("invalid condition `-f`")),
            ("(-f a b)", Some("invalid condition `-f`")),
            ("(-fa)", Some("invalid condition `-fa`")),
            ("(\"$uri\" = \"a\")", Some("invalid condition `\"$uri\"`")),
            ("($uri = \"a b\")", None),
            ("($uri ~ \"a b\")", None),
            ("($uri ~ (a))", None),
            ("($uri a)", Some("invalid condition `$uri`")),
            ("($uri !=)", Some("invalid condition `$uri`")),
            ("($uri) a", Some("invalid condition `a`")),
            ("($uri!=a)", None),
        ] {
            assert_eq!(message(args).as_deref(), want, "{args}");
        }
    }

    #[test]
    fn regex_operands_are_unescaped_and_keep_inner_parentheses() {
        for (args, pattern, caseless) in [
            ("($uri ~ ^/(a|b))", "^/(a|b)", false),
            ("($uri ~* \"^a\")", "^a", true),
            ("($uri !~ a\\))", "a\\)", false),
            ("($uri !~* \"a\\\\\")", "a\\", true),
            ("( $uri ~ ^a$ )", "^a$", false),
        ] {
            assert_eq!(
                verdict(args),
                Verdict::Regex {
                    word: if args.starts_with("( ") { 3 } else { 2 },
                    pattern: pattern.to_owned(),
                    caseless
                },
                "{args}"
            );
        }
    }

    #[test]
    fn the_reader_follows_nginx_tokens() {
        let text = "if ( $a ~ \"x y\") # c\n {";
        let w = words(text, 2).expect("words");
        let values: Vec<&str> = w.iter().map(|w| w.value.as_str()).collect();
        assert_eq!(values, ["(", "$a", "~", "x y", ")"]);
        assert_eq!(w[3].span, Span::new(10, 15));
        assert_eq!(unescape("a\\tb\\\"\\d"), "a\tb\"\\d");
        assert_eq!(unescape("'x\\''"), "x'");
    }

    #[test]
    fn hostile_input_gives_none_not_a_panic() {
        for text in [
            "if",
            "if (",
            "if \"abc",
            "if \"a\"b {",
            "if \\",
            "if ($a }",
            "if ${",
            "if a a a a a a a a a a a a a a a a a a a a {",
            "if \"é\\",
            "if é\\é {",
        ] {
            if let Some(w) = words(text, 2) {
                let _ = judge(&w);
            }
        }
        assert_eq!(words("if a a a a a a a a a a a a a a a a a a {", 2), None);
    }

    proptest::proptest! {
        /// Whatever follows `if`: words within the text, on char boundaries, and a verdict.
        #[test]
        fn any_text_reads_without_panic(tail in "[ ()$~!=*\"'\\\\{};#a-z\n-]{0,40}|\\PC{0,20}") {
            let text = format!("if{tail}");
            if let Some(w) = words(&text, 2) {
                for x in &w {
                    proptest::prop_assert!(x.span.end <= text.len() && x.span.start < x.span.end);
                    proptest::prop_assert!(text.is_char_boundary(x.span.start) && text.is_char_boundary(x.span.end));
                }
                let _ = judge(&w);
            }
        }
    }
}
