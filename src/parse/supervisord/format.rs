//! supervisord's `%(name)s` expansion: Python's `str % mapping`, which supervisord applies to
//! option values. Supports `%%`, `%(name)s`, `%(name)r` and integer conversions with flags
//! and width (`%(process_num)02d`). As in Python, a `%` that starts no valid conversion (as
//! in `date +%s`) is an error: supervisord refuses such a value.

/// A value supervisord offers for expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatValue {
    Str(String),
    Int(i64),
}

/// Why a value cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// `%(name)s` where supervisord has no `name`.
    UnknownName(String),
    /// Anything Python's `%` operator rejects.
    Bad(String),
}

/// Expands `text` as Python's `text % mapping`.
///
/// # Errors
/// An unknown name, or a malformed conversion.
pub fn expand(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<FormatValue>,
) -> Result<String, FormatError> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => return Err(FormatError::Bad("incomplete format".to_owned())),
            Some((_, '%')) => out.push('%'),
            Some((open, '(')) => {
                let mut depth = 1;
                let mut name_end = None;
                for (i, c) in chars.by_ref() {
                    match c {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                name_end = Some(i);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let Some(end) = name_end else {
                    return Err(FormatError::Bad("incomplete format key".to_owned()));
                };
                let name = &text[open + 1..end];
                let mut flags = String::new();
                while let Some(&(_, f)) = chars.peek().filter(|(_, f)| "#0- +".contains(*f)) {
                    flags.push(f);
                    chars.next();
                }
                let mut width = String::new();
                while let Some(&(_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
                    width.push(d);
                    chars.next();
                }
                if chars.peek().is_some_and(|&(_, c)| c == '.') {
                    chars.next();
                    while chars.peek().is_some_and(|(_, d)| d.is_ascii_digit()) {
                        chars.next();
                    }
                }
                while chars.peek().is_some_and(|&(_, c)| "hlL".contains(c)) {
                    chars.next();
                }
                let Some((_, conv)) = chars.next() else {
                    return Err(FormatError::Bad("incomplete format".to_owned()));
                };
                let value =
                    lookup(name).ok_or_else(|| FormatError::UnknownName(name.to_owned()))?;
                let width = width.parse::<usize>().unwrap_or(0);
                out.push_str(&convert(&value, conv, &flags, width)?);
            }
            Some((_, _)) => {
                return Err(FormatError::Bad("format requires a mapping".to_owned()));
            }
        }
    }
    Ok(out)
}

fn convert(
    value: &FormatValue,
    conv: char,
    flags: &str,
    width: usize,
) -> Result<String, FormatError> {
    let left = flags.contains('-');
    let body = match (conv, value) {
        ('s' | 'r' | 'a', FormatValue::Str(s)) => s.clone(),
        ('s' | 'r' | 'a', FormatValue::Int(n)) => n.to_string(),
        ('d' | 'i' | 'u', FormatValue::Int(n)) => {
            let digits = n.unsigned_abs().to_string();
            let sign = if *n < 0 {
                "-"
            } else if flags.contains('+') {
                "+"
            } else if flags.contains(' ') {
                " "
            } else {
                ""
            };
            if flags.contains('0') && !left {
                let pad = width.saturating_sub(sign.len() + digits.len());
                return Ok(format!("{sign}{}{digits}", "0".repeat(pad)));
            }
            format!("{sign}{digits}")
        }
        ('d' | 'i' | 'u', FormatValue::Str(_)) => {
            return Err(FormatError::Bad(format!(
                "%{conv} format: a real number is required, not str"
            )));
        }
        _ => {
            return Err(FormatError::Bad(format!(
                "unsupported format character `{conv}`"
            )));
        }
    };
    let pad = width.saturating_sub(body.chars().count());
    Ok(if left {
        format!("{body}{}", " ".repeat(pad))
    } else {
        format!("{}{body}", " ".repeat(pad))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<FormatValue> {
        match name {
            "here" => Some(FormatValue::Str("/etc/supervisor".to_owned())),
            "ENV_PORT" => Some(FormatValue::Str("8000".to_owned())),
            "process_num" => Some(FormatValue::Int(3)),
            _ => None,
        }
    }

    #[test]
    fn expand_table() {
        let cases = [
            ("plain", "plain"),
            ("%(here)s/conf.d", "/etc/supervisor/conf.d"),
            ("--port %(ENV_PORT)s", "--port 8000"),
            ("app_%(process_num)02d", "app_03"),
            ("app_%(process_num)d", "app_3"),
            ("%(process_num)s", "3"),
            ("100%%", "100%"),
            ("[%(ENV_PORT)6s]", "[  8000]"),
            ("[%(ENV_PORT)-6s]", "[8000  ]"),
        ];
        for (text, want) in cases {
            assert_eq!(expand(text, &vars).as_deref(), Ok(want), "{text}");
        }
    }

    #[test]
    fn error_table() {
        let cases = [
            (
                "%(ENV_NOPE)s",
                FormatError::UnknownName("ENV_NOPE".to_owned()),
            ),
            (
                "date +%s",
                FormatError::Bad("format requires a mapping".to_owned()),
            ),
            ("50%", FormatError::Bad("incomplete format".to_owned())),
            (
                "%(here",
                FormatError::Bad("incomplete format key".to_owned()),
            ),
            (
                "%(here)d",
                FormatError::Bad("%d format: a real number is required, not str".to_owned()),
            ),
            ("%(here)", FormatError::Bad("incomplete format".to_owned())),
        ];
        for (text, want) in cases {
            assert_eq!(expand(text, &vars), Err(want), "{text}");
        }
    }
}
