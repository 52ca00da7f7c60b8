//! PHP-FPM's config files (`php-fpm.conf` and the pool files its `include` reaches): the
//! sections (`[global]`, one per pool such as `[www]`) and their `key = value` entries, each
//! with its key and value spans.
//!
//! The reading follows PHP's ini scanner as far as FPM configs use it: `;` starts a comment
//! anywhere outside double quotes; a value in double quotes is taken without them; keys keep
//! their dots and brackets (`listen.owner`, `php_admin_value[error_log]`). A value with
//! `${VAR}` (PHP expands the environment there) is marked `env`; FPM's own `$pool` is left
//! for the model, which knows the pool's name.
//!
//! Hand-written rather than an ini crate's: PHP's dialect (inline `;` comments, quoting,
//! repeated keys across sections, `include` in `[global]`) matches none of them.

use crate::parse::span::Span;

/// Longest config text read.
pub const MAX_LEN: usize = 1 << 20;
/// Most entries kept from one file.
pub const MAX_ENTRIES: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FpmEntry {
    pub key: String,
    pub value: String,
    pub key_span: Span,
    pub value_span: Span,
    /// The value reads the environment (`${VAR}`).
    pub env: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FpmSection {
    pub name: String,
    pub name_span: Span,
    pub entries: Vec<FpmEntry>,
}

impl FpmSection {
    /// The last value of a key (later lines override earlier ones).
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&FpmEntry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }
}

/// A parsed file: entries before any section belong to a section named `""`, which
/// `php-fpm.conf` treats as `[global]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FpmConfig {
    pub sections: Vec<FpmSection>,
    /// The text was cut at [`MAX_LEN`] or [`MAX_ENTRIES`]: what follows is unknown.
    pub truncated: bool,
}

/// Where a `;` comment starts, outside double quotes.
fn comment_at(line: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// Every comment of a PHP-FPM config as [`php_fpm`] reads it, from its marker to the end
/// of its line, line ending excluded: a `;` outside double quotes, or a line whose first
/// non-blank character is `#`.
#[must_use]
pub fn comments(text: &str) -> Vec<Span> {
    crate::parse::span::line_comments(text, |body| {
        let lead = body.len() - body.trim_start().len();
        if body[lead..].starts_with('#') {
            Some(lead)
        } else {
            comment_at(body)
        }
    })
}

#[must_use]
pub fn php_fpm(text: &str) -> FpmConfig {
    let mut out = FpmConfig::default();
    let text = if text.len() > MAX_LEN {
        out.truncated = true;
        let mut end = MAX_LEN;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        &text[..end]
    } else {
        text
    };
    let mut count = 0;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let at = start;
        start += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let body = &body[..comment_at(body).unwrap_or(body.len())];
        let trimmed = body.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let lead = body.len() - body.trim_start().len();
        if let Some(rest) = trimmed.strip_prefix('[') {
            let name = rest.split(']').next().unwrap_or(rest).trim();
            let name_start = at + lead + 1 + (rest.len() - rest.trim_start().len());
            out.sections.push(FpmSection {
                name: name.to_owned(),
                name_span: Span::new(name_start, name_start + name.len()),
                entries: Vec::new(),
            });
            continue;
        }
        let Some(eq) = body.find('=') else { continue };
        count += 1;
        if count > MAX_ENTRIES {
            out.truncated = true;
            break;
        }
        let key = body[..eq].trim();
        let raw = &body[eq + 1..];
        let mut value = raw.trim();
        let mut value_start = at + eq + 1 + (raw.len() - raw.trim_start().len());
        if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
            value = &value[1..value.len() - 1];
            value_start += 1;
        }
        let entry = FpmEntry {
            key: key.to_owned(),
            value: value.to_owned(),
            key_span: Span::new(at + lead, at + lead + key.len()),
            value_span: Span::new(value_start, value_start + value.len()),
            env: value.contains("${"),
        };
        if out.sections.is_empty() {
            out.sections.push(FpmSection {
                name: String::new(),
                name_span: Span::default(),
                entries: Vec::new(),
            });
        }
        if let Some(s) = out.sections.last_mut() {
            s.entries.push(entry);
        }
    }
    out
}

/// Where a pool's `listen` points: `9000` (every address), `127.0.0.1:9000`,
/// `[::1]:9000`, or a socket path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FpmListen {
    /// `host` is `None` for a bare port, which FPM binds on every address.
    Tcp {
        host: Option<String>,
        port: u16,
    },
    Unix(String),
    Invalid,
}

#[must_use]
pub fn fpm_listen(value: &str) -> FpmListen {
    let v = value.trim();
    if v.starts_with('/') {
        return FpmListen::Unix(v.to_owned());
    }
    if let Ok(port) = v.parse() {
        return FpmListen::Tcp { host: None, port };
    }
    let parsed = if let Some(rest) = v.strip_prefix('[') {
        rest.split_once("]:")
    } else {
        v.rsplit_once(':')
    };
    match parsed {
        Some((host, port)) if !host.is_empty() => match port.parse() {
            Ok(port) => FpmListen::Tcp {
                host: Some(host.to_owned()),
                port,
            },
            Err(_) => FpmListen::Invalid,
        },
        // A relative path is a socket too.
        None if !v.is_empty() && !v.contains(':') => FpmListen::Unix(v.to_owned()),
        _ => FpmListen::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sections_and_entries() {
        let text = "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf ; the pools\n\n[www]\nuser = www-data\nlisten = /run/php/php8.2-fpm.sock\n;listen.mode = 0660\nlisten.owner = \"www-data\"\nphp_admin_value[error_log] = /var/log/fpm-php.www.log\nenv[PATH] = ${PATH}\n";
        let c = php_fpm(text);
        assert_eq!(c.sections.len(), 2);
        assert_eq!(c.sections[0].name, "global");
        let inc = c.sections[0].get("include").expect("include");
        assert_eq!(inc.value, "/etc/php/8.2/fpm/pool.d/*.conf");
        let www = &c.sections[1];
        assert_eq!(www.name, "www");
        let listen = www.get("listen").expect("listen");
        assert_eq!(
            &text[listen.value_span.start..listen.value_span.end],
            "/run/php/php8.2-fpm.sock"
        );
        assert!(www.get("listen.mode").is_none());
        let owner = www.get("listen.owner").expect("owner");
        assert_eq!(owner.value, "www-data");
        assert_eq!(
            &text[owner.value_span.start..owner.value_span.end],
            "www-data"
        );
        assert_eq!(
            &text[owner.key_span.start..owner.key_span.end],
            "listen.owner"
        );
        assert!(www.get("env[PATH]").is_some_and(|e| e.env));
        assert_eq!(&text[www.name_span.start..www.name_span.end], "www");
    }

    #[test]
    fn entries_before_a_section_are_in_the_unnamed_one() {
        let c = php_fpm("pid = /run/x.pid\n[www]\nlisten=9000\nlisten=9001\n");
        assert_eq!(c.sections[0].name, "");
        assert_eq!(
            c.sections[1].get("listen").map(|e| e.value.as_str()),
            Some("9001")
        );
    }

    #[test]
    fn listen_table() {
        let tcp = |h: Option<&str>, port| FpmListen::Tcp {
            host: h.map(str::to_owned),
            port,
        };
        for (v, want) in [
            ("9000", tcp(None, 9000)),
            ("127.0.0.1:9000", tcp(Some("127.0.0.1"), 9000)),
            ("[::1]:9000", tcp(Some("::1"), 9000)),
            (
                "/run/php/php8.2-fpm.sock",
                FpmListen::Unix("/run/php/php8.2-fpm.sock".into()),
            ),
            ("php.sock", FpmListen::Unix("php.sock".into())),
            ("localhost:x", FpmListen::Invalid),
            (":9000", FpmListen::Invalid),
            ("", FpmListen::Invalid),
        ] {
            assert_eq!(fpm_listen(v), want, "{v}");
        }
    }

    #[test]
    fn hostile_inputs() {
        let many = "a=b\n".repeat(MAX_ENTRIES + 5);
        let c = php_fpm(&many);
        assert!(c.truncated);
        assert_eq!(c.sections[0].entries.len(), MAX_ENTRIES);
        let long = "é".repeat(MAX_LEN);
        assert!(php_fpm(&long).truncated);
        for text in [
            "[",
            "[]",
            "=",
            "\"=\"",
            "[www\nlisten=\"",
            "\u{0}=\u{0}",
            "a = \"\n",
        ] {
            let _ = php_fpm(text);
            let _ = fpm_listen(text);
        }
    }
}
