//! Splitting a command line into words as Python's `shlex.split` does (POSIX mode, no
//! comments), which is how supervisord turns `command=` into an argv; also good enough for a
//! shell-form CMD or a `sh -c` script's simple commands. Each word keeps its byte range in
//! the input. No expansion of any kind: `$X`, globs and `~` stay as written.

use std::fmt;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellWord {
    /// The word with quotes and escapes removed.
    pub value: String,
    /// From its first to its last character in the input, quotes included.
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// A quote opened at this offset is never closed.
    NoClosingQuotation(usize),
    /// A backslash at the very end.
    NoEscapedCharacter(usize),
}

impl SplitError {
    #[must_use]
    pub const fn offset(&self) -> usize {
        match self {
            Self::NoClosingQuotation(at) | Self::NoEscapedCharacter(at) => *at,
        }
    }
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoClosingQuotation(_) => write!(f, "no closing quotation"),
            Self::NoEscapedCharacter(_) => write!(f, "no escaped character after `\\`"),
        }
    }
}

impl std::error::Error for SplitError {}

/// Python's `shlex.split(text)`.
///
/// Scans bytes, and copies each run of ordinary characters (or a quoted run) into the word
/// whole rather than a character at a time: every character with a meaning here is ASCII,
/// which in UTF-8 never occurs inside another character, so each run ends on a character
/// boundary.
///
/// # Errors
/// An unclosed quote, or a trailing backslash.
pub fn split(text: &str) -> Result<Vec<ShellWord>, SplitError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut word = String::new();
    let mut start: Option<usize> = None;
    let mut i = 0;
    let rest = |at: usize| text.get(at..).unwrap_or_default();
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                if let Some(s) = start.take() {
                    out.push(ShellWord {
                        value: std::mem::take(&mut word),
                        range: s..i,
                    });
                }
                i += 1;
            }
            b'\\' => {
                start.get_or_insert(i);
                let Some(n) = rest(i + 1).chars().next() else {
                    return Err(SplitError::NoEscapedCharacter(i));
                };
                word.push(n);
                i += 1 + n.len_utf8();
            }
            b'\'' => {
                start.get_or_insert(i);
                let Some(len) = run(bytes, i + 1, |b| b == b'\'') else {
                    return Err(SplitError::NoClosingQuotation(i));
                };
                word.push_str(rest(i + 1).get(..len).unwrap_or_default());
                i += len + 2;
            }
            b'"' => {
                start.get_or_insert(i);
                let open = i;
                i += 1;
                loop {
                    let Some(len) = run(bytes, i, |b| b == b'"' || b == b'\\') else {
                        return Err(SplitError::NoClosingQuotation(open));
                    };
                    word.push_str(rest(i).get(..len).unwrap_or_default());
                    i += len;
                    if bytes.get(i) == Some(&b'"') {
                        i += 1;
                        break;
                    }
                    // A backslash: it escapes only `"` and `\`.
                    match bytes.get(i + 1) {
                        Some(&n @ (b'"' | b'\\')) => {
                            word.push(char::from(n));
                            i += 2;
                        }
                        Some(_) => {
                            word.push('\\');
                            i += 1;
                        }
                        None => return Err(SplitError::NoClosingQuotation(open)),
                    }
                }
            }
            _ => {
                start.get_or_insert(i);
                let len = run(bytes, i, |b| {
                    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\\' | b'\'' | b'"')
                })
                .unwrap_or(bytes.len() - i);
                word.push_str(rest(i).get(..len).unwrap_or_default());
                i += len;
            }
        }
    }
    if let Some(s) = start {
        out.push(ShellWord {
            value: word,
            range: s..text.len(),
        });
    }
    Ok(out)
}

/// The length of the run of `bytes` from `at` up to the first byte `stop` accepts.
fn run(bytes: &[u8], at: usize, stop: impl Fn(u8) -> bool) -> Option<usize> {
    bytes.get(at..)?.iter().position(|&b| stop(b))
}

/// The simple commands of a `sh -c` script, split at unquoted `;`, `&`, `|`, `(`, `)` and
/// newlines, each split as `split` does, with a leading `exec` and `NAME=value` assignments
/// dropped. Enough to see through `sh -c 'cd /app && exec uvicorn main:app --port 8000'`;
/// not a shell parser (no redirections, substitutions or control flow). Ranges are offsets
/// into `script`.
#[must_use]
pub fn simple_commands(script: &str) -> Vec<Vec<ShellWord>> {
    let bytes = script.as_bytes();
    let mut cuts = Vec::new();
    // From one byte that matters to the next: every character that matters is ASCII, and
    // an escaped character's other bytes (if any) match nothing. An unclosed quote runs
    // to the end.
    let mut i = 0;
    while let Some(len) = run(bytes, i, |b| {
        matches!(
            b,
            b'\\' | b'\'' | b'"' | b';' | b'&' | b'|' | b'\n' | b'(' | b')'
        )
    }) {
        let at = i + len;
        i = at + 1;
        match bytes.get(at) {
            Some(b'\\') => i += 1,
            Some(b'\'') => match run(bytes, i, |b| b == b'\'') {
                Some(len) => i += len + 1,
                None => break,
            },
            Some(b'"') => loop {
                let Some(len) = run(bytes, i, |b| b == b'"' || b == b'\\') else {
                    i = bytes.len();
                    break;
                };
                let at = i + len;
                i = at + 1;
                if bytes.get(at) == Some(&b'"') {
                    break;
                }
                i += 1;
            },
            _ => cuts.push(at),
        }
    }
    cuts.push(script.len());
    let mut out = Vec::new();
    let mut from = 0;
    for cut in cuts {
        let piece = &script[from..cut];
        let mut words = split(piece).unwrap_or_default();
        for w in &mut words {
            w.range = w.range.start + from..w.range.end + from;
        }
        from = cut + 1;
        let skip = words
            .iter()
            .take_while(|w| w.value == "exec" || is_assignment(&w.value))
            .count();
        words.drain(..skip);
        if !words.is_empty() {
            out.push(words);
        }
    }
    out
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<String> {
        split(text)
            .expect(text)
            .into_iter()
            .map(|w| w.value)
            .collect()
    }

    #[test]
    fn split_table() {
        let cases: [(&str, &[&str]); 11] = [
            (
                "/usr/bin/node /app/app.js",
                &["/usr/bin/node", "/app/app.js"],
            ),
            ("  a   b  ", &["a", "b"]),
            ("a 'b c' d", &["a", "b c", "d"]),
            ("a\"b c\"d", &["ab cd"]),
            ("''", &[""]),
            ("a \\\"b", &["a", "\"b"]),
            ("\"a\\\"b\\$c\\\\\"", &["a\"b\\$c\\"]),
            ("'a\\b'", &["a\\b"]),
            ("x\\ y", &["x y"]),
            (
                "/bin/sh -c 'printf \"READY\\n\"; read -r header'",
                &["/bin/sh", "-c", "printf \"READY\\n\"; read -r header"],
            ),
            ("", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(values(text), want, "{text}");
        }
    }

    #[test]
    fn ranges_cover_quotes() {
        let text = "uvicorn 'main:app' --port=8000";
        let words = split(text).expect("splits");
        let got: Vec<&str> = words.iter().map(|w| &text[w.range.clone()]).collect();
        assert_eq!(got, ["uvicorn", "'main:app'", "--port=8000"]);
    }

    #[test]
    fn split_errors() {
        assert_eq!(split("a 'b"), Err(SplitError::NoClosingQuotation(2)));
        assert_eq!(split("a \"b\\"), Err(SplitError::NoClosingQuotation(2)));
        assert_eq!(split("a\\"), Err(SplitError::NoEscapedCharacter(1)));
    }

    #[test]
    fn simple_commands_table() {
        let cases: [(&str, &[&[&str]]); 4] = [
            (
                "exec uvicorn main:app --port 8000",
                &[&["uvicorn", "main:app", "--port", "8000"]],
            ),
            (
                "cd /app && exec node server.js",
                &[&["cd", "/app"], &["node", "server.js"]],
            ),
            (
                "PORT=1 exec node s.js; echo 'a;b'",
                &[&["node", "s.js"], &["echo", "a;b"]],
            ),
            ("a=1", &[]),
        ];
        for (script, want) in cases {
            let got: Vec<Vec<String>> = simple_commands(script)
                .into_iter()
                .map(|c| c.into_iter().map(|w| w.value).collect())
                .collect();
            assert_eq!(got, want, "{script}");
        }
        let script = "cd /x && exec node s.js";
        let cmds = simple_commands(script);
        assert_eq!(&script[cmds[1][1].range.clone()], "s.js");
    }
}
