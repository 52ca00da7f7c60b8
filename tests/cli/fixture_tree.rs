//! Fixture trees: a directory under tests/fixtures as gen sees it once its bases are laid in.
//!
//! A directory holding a `fixture.toml` is written as the differences from a base container
//! kept once under tests/fixtures/bases/: `base = "fastapi"` lays the base in first, the
//! directory's own files then replace the base's files of the same path or add to them, as
//! do the files written out in its `[files]` table (`"nginx.conf" = """..."""`, for a short
//! file, so that a case can be one file), and `delete = ["requirements.txt"]` removes files
//! of the base. On a rule's case directory, `args = ["web"]` says the case is checked from
//! inside it, as `gen check web` (`args = []`: `gen check`, a spec project), and
//! `containers = N` how many containers a passing case holds. The `fixture.toml` itself is
//! never copied: gen sees a plain container directory.
//!
//! [`materialize`] writes such a tree into a temporary directory; it is shared by the fixture
//! harness (tests/fixtures_check.rs) and the hand-written tests of tests/cli/.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The name of the file that makes a directory a base plus overrides.
pub const FIXTURE_TOML: &str = "fixture.toml";

/// A directory's `fixture.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureToml {
    /// The base container under tests/fixtures/bases/ laid in first.
    pub base: Option<String>,
    /// Files of the base (paths relative to the directory) this fixture does not have.
    #[serde(default)]
    pub delete: Vec<String>,
    /// Files written out here, by path relative to the directory.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// For a rule's case directory: the arguments of `gen check` run from inside the case
    /// directory. Without them, the case is checked by its name from the rule's directory
    /// (`gen check fail`).
    #[allow(dead_code, reason = "read by the fixture harness, not by tests/cli")]
    pub args: Option<Vec<String>>,
    /// For a passing case: how many containers `gen check` finds in it.
    pub containers: Option<usize>,
}

/// tests/fixtures.
pub fn fixtures_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The `fixture.toml` of `dir`, if it has one.
pub fn read_fixture_toml(dir: &Path) -> Option<FixtureToml> {
    let path = dir.join(FIXTURE_TOML);
    let text = fs::read_to_string(&path).ok()?;
    Some(toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Writes the tree at `src` into `dst` (created if missing), each `fixture.toml` replaced by
/// its base and deletions.
pub fn materialize(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap_or_else(|e| panic!("{}: {e}", dst.display()));
    let spec = read_fixture_toml(src);
    if let Some(spec) = &spec {
        if let Some(base) = &spec.base {
            let at = fixtures_root().join("bases").join(base);
            assert!(
                at.is_dir(),
                "{}: no base `{base}` under tests/fixtures/bases/",
                src.display()
            );
            copy_tree(&at, dst);
        }
        for rel in &spec.delete {
            assert!(
                !src.join(rel).exists(),
                "{}: `{rel}` is both deleted and given",
                src.display()
            );
            let gone = dst.join(rel);
            fs::remove_file(&gone).unwrap_or_else(|e| {
                panic!(
                    "{}: cannot delete `{rel}`, which the base should have: {e}",
                    src.display()
                )
            });
        }
    }
    let mut entries: Vec<_> = fs::read_dir(src)
        .unwrap_or_else(|e| panic!("{}: {e}", src.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().expect("a file name");
        if path.is_dir() {
            materialize(&path, &dst.join(name));
        } else if name != FIXTURE_TOML {
            copy_file(&path, &dst.join(name));
        }
    }
    for (rel, text) in spec.iter().flat_map(|s| &s.files) {
        assert!(
            !src.join(rel).exists(),
            "{}: `{rel}` is both a file and in [files]",
            src.display()
        );
        let to = dst.join(rel);
        fs::create_dir_all(to.parent().expect("a parent")).expect("create directory");
        fs::write(&to, text).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    }
}

/// Copies a plain tree (a base: no `fixture.toml` inside).
fn copy_tree(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap_or_else(|e| panic!("{}: {e}", dst.display()));
    for entry in fs::read_dir(src).unwrap_or_else(|e| panic!("{}: {e}", src.display())) {
        let path = entry.expect("directory entry").path();
        let to = dst.join(path.file_name().expect("a file name"));
        if path.is_dir() {
            copy_tree(&path, &to);
        } else {
            copy_file(&path, &to);
        }
    }
}

fn copy_file(from: &Path, to: &Path) {
    fs::copy(from, to).unwrap_or_else(|e| panic!("{} -> {}: {e}", from.display(), to.display()));
}
