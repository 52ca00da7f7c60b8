//! Glob patterns over `/`-separated paths, as the programs gen models match them: glob(3)
//! for nginx's `include` and Python's `glob` for supervisord's `[include]` (where `*` does
//! not match a leading `.`), Go's `filepath.Match` for COPY sources, and `.dockerignore`'s
//! `**`. `*` and `?` never cross a `/`; `[abc]`, `[a-z]` and `[!a]`/`[^a]` are classes.

/// How a pattern treats names that start with `.`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dots {
    /// `*` and `?` match a leading `.` (Go, BuildKit).
    Match,
    /// A leading `.` must be matched by a `.` in the pattern (glob(3), Python).
    Literal,
}

/// Whether `path` matches `pattern` as a whole.
#[must_use]
pub fn matches(pattern: &str, path: &str, dots: Dots) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = path.chars().collect();
    match_from(&p, &s, dots, 0)
}

/// Whether the pattern has any glob metacharacter.
#[must_use]
pub fn is_pattern(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

fn at_name_start(s: &[char], i: usize) -> bool {
    i == 0 || s[i - 1] == '/'
}

/// Steps taken: a cap that keeps hostile patterns (`*a*a*a*...b`) from running forever.
const MAX_STEPS: usize = 100_000;

fn match_from(p: &[char], s: &[char], dots: Dots, depth: usize) -> bool {
    let mut steps = 0;
    inner(p, s, dots, depth, &mut steps)
}

fn inner(p: &[char], s: &[char], dots: Dots, depth: usize, steps: &mut usize) -> bool {
    *steps += 1;
    if *steps > MAX_STEPS || depth > 64 {
        return false;
    }
    let (mut pi, mut si) = (0, 0);
    while pi < p.len() {
        match p[pi] {
            '*' if p.get(pi + 1) == Some(&'*') => {
                // `**` matches any number of path components; `**/` also none.
                let mut rest = pi + 2;
                if rest >= p.len() {
                    return true;
                }
                if p.get(rest) == Some(&'/') {
                    rest += 1;
                }
                for start in si..=s.len() {
                    if (start == si || s[start - 1] == '/')
                        && inner(&p[rest..], &s[start..], dots, depth + 1, steps)
                    {
                        return true;
                    }
                }
                return false;
            }
            '*' => {
                if dots == Dots::Literal && at_name_start(s, si) && s.get(si) == Some(&'.') {
                    return false;
                }
                for end in si..=s.len() {
                    if end > si && s[end - 1] == '/' {
                        break;
                    }
                    if inner(&p[pi + 1..], &s[end..], dots, depth + 1, steps) {
                        return true;
                    }
                }
                return false;
            }
            '?' => {
                let Some(&c) = s.get(si) else { return false };
                if c == '/' || (dots == Dots::Literal && c == '.' && at_name_start(s, si)) {
                    return false;
                }
                pi += 1;
                si += 1;
            }
            '[' => {
                let Some(&c) = s.get(si) else { return false };
                match class(&p[pi..], c) {
                    Some((true, len)) if c != '/' => {
                        pi += len;
                        si += 1;
                    }
                    Some(_) => return false,
                    // An unclosed `[` is a literal `[`.
                    None if c == '[' => {
                        pi += 1;
                        si += 1;
                    }
                    None => return false,
                }
            }
            '\\' if pi + 1 < p.len() => {
                if s.get(si) != Some(&p[pi + 1]) {
                    return false;
                }
                pi += 2;
                si += 1;
            }
            c => {
                if s.get(si) != Some(&c) {
                    return false;
                }
                pi += 1;
                si += 1;
            }
        }
    }
    si == s.len()
}

/// Matches `c` against the class at the start of `p`: `(matched, pattern length)`, or
/// `None` when the class is not closed.
fn class(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(i), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while let Some(&ch) = p.get(i) {
        if ch == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|&e| e != ']') {
            let hi = p[i + 2];
            matched |= ch <= c && c <= hi;
            i += 3;
        } else {
            matched |= ch == c;
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_table() {
        let cases = [
            (
                "/etc/nginx/conf.d/*.conf",
                "/etc/nginx/conf.d/site.conf",
                Dots::Literal,
                true,
            ),
            (
                "/etc/nginx/conf.d/*.conf",
                "/etc/nginx/conf.d/a/b.conf",
                Dots::Literal,
                false,
            ),
            (
                "/etc/nginx/conf.d/*.conf",
                "/etc/nginx/conf.d/.hidden.conf",
                Dots::Literal,
                false,
            ),
            (
                "/etc/nginx/conf.d/*.conf",
                "/etc/nginx/conf.d/.hidden.conf",
                Dots::Match,
                true,
            ),
            (
                "/etc/nginx/sites-enabled/*",
                "/etc/nginx/sites-enabled/default",
                Dots::Literal,
                true,
            ),
            ("app?.py", "app1.py", Dots::Match, true),
            ("app?.py", "app/.py", Dots::Match, false),
            ("[a-c]*.ini", "b.ini", Dots::Match, true),
            ("[!a-c]*.ini", "b.ini", Dots::Match, false),
            ("**/*.pyc", "a/b/c.pyc", Dots::Match, true),
            ("**/*.pyc", "c.pyc", Dots::Match, true),
            ("node_modules/**", "node_modules/x/y.js", Dots::Match, true),
            ("*.md", "docs/a.md", Dots::Match, false),
            ("exact", "exact", Dots::Match, true),
            ("a\\*", "a*", Dots::Match, true),
            ("[", "[", Dots::Match, true),
        ];
        for (p, s, dots, want) in cases {
            assert_eq!(matches(p, s, dots), want, "{p} vs {s}");
        }
    }

    #[test]
    fn hostile_patterns_end() {
        let p = "*a".repeat(30) + "b";
        assert!(!matches(&p, &"a".repeat(60), Dots::Match));
    }
}
