//! supervisord's `environment=KEY="v",KEY2=v2`: its `dict_of_key_value_pairs`, a non-POSIX
//! `shlex` with `/.+-():` added to the word characters, read as `key = value` triples
//! separated by one token (normally a comma). Quotes are stripped from values only.

use std::ops::Range;

/// One `KEY=value` pair with the ranges of the key and of the value token (quotes included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RawPair {
    pub key: String,
    pub key_range: Range<usize>,
    pub value: String,
    pub value_range: Range<usize>,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_/.+-():".contains(c) || ('\u{c0}'..='\u{ff}').contains(&c)
}

struct Token {
    text: String,
    range: Range<usize>,
}

/// Python's non-POSIX `shlex` tokens: words, whole quoted strings (quotes kept), and single
/// punctuation characters; `#` starts a comment.
fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if c == '#' {
            for (_, n) in chars.by_ref() {
                if n == '\n' {
                    break;
                }
            }
            continue;
        }
        if c == '\'' || c == '"' {
            let mut end = None;
            for (j, n) in chars.by_ref() {
                if n == c {
                    end = Some(j + 1);
                    break;
                }
            }
            let end = end.ok_or_else(|| "no closing quotation".to_owned())?;
            out.push(Token {
                text: text[i..end].to_owned(),
                range: i..end,
            });
            continue;
        }
        if !is_word_char(c) {
            out.push(Token {
                text: c.to_string(),
                range: i..i + c.len_utf8(),
            });
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, n)) = chars.peek() {
            if is_word_char(n) || n == '\'' || n == '"' {
                end = j + n.len_utf8();
                chars.next();
            } else if n == '#' {
                // A comment inside a word drops the rest of the line; the word goes on.
                for (_, m) in chars.by_ref() {
                    if m == '\n' {
                        break;
                    }
                }
            } else {
                break;
            }
        }
        out.push(Token {
            text: text[i..end].to_owned(),
            range: i..end,
        });
    }
    Ok(out)
}

/// The pairs of an `environment=` value.
///
/// # Errors
/// supervisord's complaints: an unclosed quote, or pairs that do not read `KEY=value`.
pub(super) fn pairs(text: &str) -> Result<Vec<RawPair>, String> {
    let toks = tokens(text)?;
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let (Some(k), Some(eq), Some(v)) = (toks.get(i), toks.get(i + 1), toks.get(i + 2)) else {
            return Err("unexpected end of key/value pairs".to_owned());
        };
        if eq.text != "=" {
            return Err(format!("expected `=` after `{}`", k.text));
        }
        out.push(RawPair {
            key: k.text.clone(),
            key_range: k.range.clone(),
            value: v.text.trim_matches(['\'', '"']).to_owned(),
            value_range: v.range.clone(),
        });
        i += 4;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(text: &str) -> Result<Vec<(String, String)>, String> {
        pairs(text).map(|ps| ps.into_iter().map(|p| (p.key, p.value)).collect())
    }

    #[test]
    fn pairs_table() {
        let cases: [(&str, &[(&str, &str)]); 7] = [
            (
                "APP_HOST=\"127.0.0.1\",APP_PORT=\"3000\"",
                &[("APP_HOST", "127.0.0.1"), ("APP_PORT", "3000")],
            ),
            ("A=1, B=/x/y:z", &[("A", "1"), ("B", "/x/y:z")]),
            ("A='with, comma',B=2", &[("A", "with, comma"), ("B", "2")]),
            (
                "PATH=\"/opt/venv/bin:%(ENV_PATH)s\"",
                &[("PATH", "/opt/venv/bin:%(ENV_PATH)s")],
            ),
            ("A=1,\n  B=2", &[("A", "1"), ("B", "2")]),
            ("", &[]),
            ("A=x#rest", &[("A", "x")]),
        ];
        // As in supervisord, the token after a value is skipped whatever it is: an unquoted
        // space silently drops the next word.
        assert_eq!(
            kv("A=hello world"),
            Ok(vec![("A".to_owned(), "hello".to_owned())])
        );
        for (text, want) in cases {
            let want: Vec<(String, String)> = want
                .iter()
                .map(|&(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            assert_eq!(kv(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn pairs_errors() {
        for text in ["A", "A=", "A B", "A=\"open", "A=1,B"] {
            assert!(kv(text).is_err(), "{text}");
        }
    }

    #[test]
    fn value_ranges_include_quotes() {
        let text = "K=\"v\",L=w";
        let ps = pairs(text).expect("pairs");
        assert_eq!(&text[ps[0].value_range.clone()], "\"v\"");
        assert_eq!(&text[ps[1].key_range.clone()], "L");
    }
}
