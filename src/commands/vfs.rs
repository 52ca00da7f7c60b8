//! The seam between the commands and the disk for what they read: file contents held in
//! memory (an editor's unsaved buffer given on stdin with `gen check --stdin-filename`, and
//! later a language server's open documents) take the place of the files at their paths.
//! Paths are compared by their absolute, lexically normalised form, so `./web/app.js` and
//! `web/app.js` are one file; symlinks are not resolved (the buffer names the file the
//! editor opened).

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// In-memory file contents over the disk.
#[derive(Debug, Default, Clone)]
pub struct Vfs {
    overlay: BTreeMap<PathBuf, String>,
}

impl Vfs {
    /// `text` is the contents of the file at `path`, whatever the disk holds.
    pub fn insert(&mut self, path: &Path, text: String) {
        self.overlay.insert(key(path), text);
    }

    /// Forgets the in-memory contents of the file at `path`: the disk's count again.
    pub fn remove(&mut self, path: &Path) {
        self.overlay.remove(&key(path));
    }

    /// The in-memory contents of the file at `path`, if any.
    #[must_use]
    pub fn get(&self, path: &Path) -> Option<&str> {
        // Without buffers (every run but `--stdin-filename` and the language server's), no
        // path is made absolute: that is a `getcwd` for every file read.
        if self.overlay.is_empty() {
            return None;
        }
        self.overlay.get(&key(path)).map(String::as_str)
    }

    /// The in-memory files under `dir`, by their path relative to it.
    #[must_use]
    pub fn under(&self, dir: &Path) -> Vec<(PathBuf, &str)> {
        if self.overlay.is_empty() {
            return Vec::new();
        }
        let dir = key(dir);
        self.overlay
            .iter()
            .filter_map(|(p, t)| Some((p.strip_prefix(&dir).ok()?.to_path_buf(), t.as_str())))
            .filter(|(rel, _)| !rel.as_os_str().is_empty())
            .collect()
    }
}

/// `path` made absolute and without `.` and `..` components.
#[must_use]
pub fn key(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_one_file_however_written() {
        let mut vfs = Vfs::default();
        vfs.insert(Path::new("./web/../web/app.js"), "x".into());
        assert_eq!(vfs.get(Path::new("web/app.js")), Some("x"));
        assert_eq!(vfs.get(Path::new("web/other.js")), None);
        assert_eq!(
            vfs.under(Path::new("web")),
            [(PathBuf::from("app.js"), "x")]
        );
        assert!(vfs.under(Path::new("elsewhere")).is_empty());
    }
}
