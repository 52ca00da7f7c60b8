//! The input of the model: a container directory's files, by relative path. Filled by the
//! commands (which read the disk) or by tests; the model never reads the disk itself.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A file's text, shared: a container directory's file list and its model hold the same
/// one instead of a copy each (a copy of a file of tens of KB is as many pages of fresh
/// memory, each a page fault). An `Arc<String>`, not an `Arc<str>`: making one from the
/// `String` read from disk moves it, where an `Arc<str>` would copy it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Text(Arc<String>);

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.as_str(), f)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Self(Arc::new(s))
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Self(Arc::new(s.to_owned()))
    }
}

/// A container directory's files: relative `/`-separated path to text. A file that is
/// present but not readable as text (binary, too large) has no text; it still exists, so a
/// COPY of it is not a COPY of nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files {
    entries: BTreeMap<String, Option<Text>>,
}

impl Files {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file; `None` for one whose contents cannot be read as text.
    pub fn insert(&mut self, path: &str, text: Option<String>) {
        self.insert_text(path, text.map(Text::from));
    }

    /// Adds a file whose text is shared with its reader; `None` as for [`Files::insert`].
    pub fn insert_text(&mut self, path: &str, text: Option<Text>) {
        self.entries.insert(super::path::relative(path), text);
    }

    /// The text of a file, if it exists and is text.
    #[must_use]
    pub fn text(&self, path: &str) -> Option<&str> {
        self.entries.get(&super::path::relative(path))?.as_deref()
    }

    #[must_use]
    pub fn contains(&self, path: &str) -> bool {
        self.entries.contains_key(&super::path::relative(path))
    }

    /// Whether `path` is a directory: some file lies under it (`""` is the root).
    #[must_use]
    pub fn is_dir(&self, path: &str) -> bool {
        let p = super::path::relative(path);
        p.is_empty() || self.under(&p).next().is_some()
    }

    /// The files under directory `dir`, as relative paths from the root.
    pub fn under<'a>(&'a self, dir: &str) -> impl Iterator<Item = &'a str> + 'a {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{}/", super::path::relative(dir))
        };
        self.entries
            .keys()
            .filter(move |k| k.starts_with(&prefix))
            .map(String::as_str)
    }

    /// Every path, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<P: AsRef<str>, T: Into<String>> FromIterator<(P, T)> for Files {
    fn from_iter<I: IntoIterator<Item = (P, T)>>(iter: I) -> Self {
        let mut files = Self::new();
        for (p, t) in iter {
            files.insert(p.as_ref(), Some(t.into()));
        }
        files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized() {
        let mut f: Files = [("./conf.d//a.conf", "x")].into_iter().collect();
        f.insert("bin.dat", None);
        assert_eq!(f.text("conf.d/a.conf"), Some("x"));
        assert!(f.is_dir("conf.d") && f.is_dir("./conf.d/") && !f.is_dir("nope"));
        assert!(f.contains("bin.dat") && f.text("bin.dat").is_none());
        assert_eq!(f.under("").count(), 2);
    }
}
