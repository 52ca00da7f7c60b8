//! Shell-word expansion as BuildKit's `shell.Lex.ProcessWord` does it for ENV, ARG, COPY,
//! WORKDIR, USER, EXPOSE...: quotes removed, the escape character honoured, and `$x`,
//! `${x}`, `${x:-d}`, `${x-d}`, `${x:+a}`, `${x+a}`, `${x:?m}` substituted where the value
//! is known. Variables whose value gen cannot know (set by the base image, say) are listed
//! as unresolved; `${x#p}`, `${x%p}` and `${x/p/r}` are kept verbatim and listed too.

/// What a variable is when an instruction runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Lookup {
    Known(String),
    /// Declared (an `ARG` without default and no build argument): expands to nothing.
    Unset,
    /// Not declared in the Dockerfile: may come from the base image.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Expanded {
    pub value: String,
    pub unresolved: Vec<String>,
}

struct Lexer<'a> {
    chars: Vec<char>,
    pos: usize,
    escape: char,
    lookup: &'a dyn Fn(&str) -> Lookup,
    unresolved: Vec<String>,
}

/// Expands one word. Errors are BuildKit's messages (unterminated quote, bad substitution).
pub(super) fn expand(
    word: &str,
    escape: char,
    lookup: &dyn Fn(&str) -> Lookup,
) -> Result<Expanded, String> {
    // A word without quotes, `$` or the escape character expands to itself: the usual
    // case, answered without the lexer's copy of the word as characters.
    if !word.contains(['\'', '"', '$', escape]) {
        return Ok(Expanded {
            value: word.to_owned(),
            unresolved: Vec::new(),
        });
    }
    let mut lx = Lexer {
        chars: word.chars().collect(),
        pos: 0,
        escape,
        lookup,
        unresolved: Vec::new(),
    };
    let value = lx.until(None)?;
    let mut unresolved = lx.unresolved;
    unresolved.dedup();
    Ok(Expanded { value, unresolved })
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.pos += usize::from(c.is_some());
        c
    }

    fn until(&mut self, stop: Option<char>) -> Result<String, String> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.pos += 1;
                return Ok(out);
            }
            match c {
                '\'' => out.push_str(&self.single_quote()?),
                '"' => out.push_str(&self.double_quote()?),
                '$' => out.push_str(&self.dollar()?),
                _ => {
                    self.pos += 1;
                    if c == self.escape {
                        match self.next() {
                            Some(n) => out.push(n),
                            None => break,
                        }
                    } else {
                        out.push(c);
                    }
                }
            }
        }
        match stop {
            Some(s) => Err(format!(
                "unexpected end of statement while looking for matching `{s}`"
            )),
            None => Ok(out),
        }
    }

    fn single_quote(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.next() {
                Some('\'') => return Ok(out),
                Some(c) => out.push(c),
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .to_owned(),
                    );
                }
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .to_owned(),
                    );
                }
                Some('"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some('$') => out.push_str(&self.dollar()?),
                Some(c) => {
                    self.pos += 1;
                    if c == self.escape {
                        match self.peek() {
                            None => continue,
                            Some(n) if n == '"' || n == '$' || n == self.escape => {
                                self.pos += 1;
                                out.push(n);
                            }
                            Some(_) => out.push(c),
                        }
                    } else {
                        out.push(c);
                    }
                }
            }
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        if let Some(c) = self.peek() {
            if c.is_ascii_digit() {
                while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    name.push(d);
                    self.pos += 1;
                }
                return name;
            }
            if matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.pos += 1;
                return c.to_string();
            }
        }
        while let Some(c) = self.peek().filter(|c| c.is_alphanumeric() || *c == '_') {
            name.push(c);
            self.pos += 1;
        }
        name
    }

    fn dollar(&mut self) -> Result<String, String> {
        let start = self.pos;
        self.pos += 1;
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".to_owned());
            }
            return Ok(match (self.lookup)(&name) {
                Lookup::Known(v) => v,
                Lookup::Unset => String::new(),
                Lookup::Unknown => {
                    self.unresolved.push(name);
                    self.chars[start..self.pos].iter().collect()
                }
            });
        }
        self.pos += 1;
        match self.peek() {
            None => return Err("syntax error: missing '}'".to_owned()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".to_owned()),
            Some(_) => {}
        }
        let name = self.name();
        let lookup = (self.lookup)(&name);
        let Some(op) = self.next() else {
            return Err("syntax error: missing '}'".to_owned());
        };
        if op == '}' {
            return Ok(match lookup {
                Lookup::Known(v) => v,
                Lookup::Unset => String::new(),
                Lookup::Unknown => {
                    self.unresolved.push(name);
                    self.chars[start..self.pos].iter().collect()
                }
            });
        }
        let (colon, op) = if op == ':' {
            (true, self.next().unwrap_or(':'))
        } else {
            (false, op)
        };
        if matches!(op, '#' | '%' | '/') && !colon {
            // Pattern removal and replacement: rare in the files gen reads; kept verbatim.
            self.until(Some('}'))?;
            self.unresolved.push(name);
            return Ok(self.chars[start..self.pos].iter().collect());
        }
        if !matches!(op, '-' | '+' | '?') {
            return Err(format!(
                "unsupported modifier ({}{op}) in substitution",
                if colon { ":" } else { "" }
            ));
        }
        let word = self
            .until(Some('}'))
            .map_err(|_| "syntax error: missing '}'".to_owned())?;
        let (set, value) = match lookup {
            Lookup::Known(v) => (true, v),
            Lookup::Unset => (false, String::new()),
            Lookup::Unknown => {
                self.unresolved.push(name);
                return Ok(match op {
                    '-' => word,
                    '+' => String::new(),
                    _ => self.chars[start..self.pos].iter().collect(),
                });
            }
        };
        let empty = !set || (colon && value.is_empty());
        match op {
            '-' => Ok(if empty { word } else { value }),
            '+' => Ok(if empty { String::new() } else { word }),
            _ if empty => Err(format!(
                "{name}: {}",
                if word.is_empty() {
                    "is not allowed to be unset"
                } else {
                    &word
                }
            )),
            _ => Ok(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Lookup {
        match name {
            "A" => Lookup::Known("1".to_owned()),
            "E" => Lookup::Known(String::new()),
            "U" => Lookup::Unset,
            _ => Lookup::Unknown,
        }
    }

    #[test]
    fn expand_table() {
        let cases: [(&str, &str, &[&str]); 22] = [
            ("plain", "plain", &[]),
            ("$A", "1", &[]),
            ("${A}x", "1x", &[]),
            ("a$A-b", "a1-b", &[]),
            ("$U", "", &[]),
            ("/opt/bin:$PATH", "/opt/bin:$PATH", &["PATH"]),
            ("${PATH}", "${PATH}", &["PATH"]),
            ("${U:-d}", "d", &[]),
            ("${E:-d}", "d", &[]),
            ("${E-d}", "", &[]),
            ("${A:-d}", "1", &[]),
            ("${A:+yes}", "yes", &[]),
            ("${U+yes}", "", &[]),
            ("${X:-8000}", "8000", &["X"]),
            ("${U:-${A}0}", "10", &[]),
            ("'$A'", "$A", &[]),
            ("\"$A b\"", "1 b", &[]),
            ("\"a\\\"b\\x\"", "a\"b\\x", &[]),
            ("a\\ b", "a b", &[]),
            ("$", "$", &[]),
            ("${A#x}", "${A#x}", &["A"]),
            ("trail\\", "trail", &[]),
        ];
        for (word, value, unresolved) in cases {
            let got = expand(word, '\\', &env).expect(word);
            assert_eq!(got.value, value, "{word}");
            assert_eq!(got.unresolved, unresolved, "{word}");
        }
    }

    #[test]
    fn expand_errors() {
        for word in [
            "'open",
            "\"open",
            "${A",
            "${}",
            "${E:?}",
            "${U?gone}",
            "${A*}",
        ] {
            assert!(expand(word, '\\', &env).is_err(), "{word}");
        }
    }

    #[test]
    fn backtick_escape() {
        assert_eq!(
            expand("a` b\\c", '`', &env).expect("expands").value,
            "a b\\c"
        );
    }
}
