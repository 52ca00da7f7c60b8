//! What the server keeps between lints: each container directory it read, with its model
//! and the findings of the rules that read one container alone
//! ([`lint::Rule::per_container`]). A lint rebuilds only the containers whose files changed
//! and runs on the others only the rules that read across containers (the compose project,
//! the manifests, the other containers): an edit of `compose.yaml` re-reads the project and
//! reruns those rules, an edit of a container's file rebuilds that container too.
//!
//! An entry is keyed by the container as read (its name, its directory and its Dockerfile)
//! and serves while the files read for it are the same, path for path and byte for byte.
//! Every lint reads the files anew, an open buffer in place of its file, so an edit, a
//! save, a close that falls back to the disk and a change on disk by another program (a
//! `git checkout`, a formatter) are all seen, with no file watching to trust; reading is a
//! small part of a lint, building the models and running the rules most of it.
//!
//! The result is [`lint::run`]'s to the byte: the findings are assembled rule by rule in
//! the order it collects them, and [`lint::finish`] folds, suppresses and sorts them over
//! the whole run. The test below holds every fixture to that.
//!
//! Bounded: after each lint, only the containers that a unit with an open document read at
//! its last lint are kept (one entry per container of the open projects).

use super::check::{self, Build};
use crate::commands::vfs::Vfs;
use crate::diagnostic::Diagnostic;
use crate::error::Result;
use crate::lint::{self, ContainerDir, Context, date::Date};
use std::collections::hash_map::Entry::{Occupied, Vacant};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// A container as read: its name, its directory as shown, and its Dockerfile.
type Key = (String, String, Option<String>);

#[derive(Debug, Default)]
pub struct Cache {
    entries: HashMap<Key, Entry>,
    /// The containers each unit's last lint read.
    users: BTreeMap<PathBuf, BTreeSet<Key>>,
    /// Containers built, and containers served from an entry, since the server started
    /// (said in the log when it exits).
    pub built: u64,
    pub reused: u64,
}

#[derive(Debug)]
struct Entry {
    /// The container alone in a context (its one container), as the per-container rules
    /// see it.
    alone: Context,
    /// Each per-container rule's findings on it, by code, worked out when first asked.
    found: HashMap<&'static str, Vec<Diagnostic>>,
}

impl Cache {
    /// The context of the unit at `unit`, read as [`check::paths_context`] reads it with
    /// `vfs` over the disk, and what `rules` find in it, as [`lint::run`] gives it.
    ///
    /// # Errors
    /// As [`check::paths_context`].
    pub fn lint(
        &mut self,
        unit: &Path,
        vfs: &Vfs,
        today: Date,
        rules: &[&'static lint::Rule],
    ) -> Result<(Context, lint::Outcome)> {
        let mut used: Vec<Key> = Vec::new();
        let ctx = check::paths_context_with(&[unit.to_path_buf()], vfs, today, &mut |b| {
            let key = (b.name.clone(), b.dir.clone(), b.dockerfile.clone());
            let entry = match self.entries.entry(key.clone()) {
                Occupied(e) if e.get().dir().files == b.files => {
                    self.reused += 1;
                    e.into_mut()
                }
                Occupied(mut e) => {
                    self.built += 1;
                    e.insert(Entry::new(b, today));
                    e.into_mut()
                }
                Vacant(e) => {
                    self.built += 1;
                    e.insert(Entry::new(b, today))
                }
            };
            // The per-container rules run first, so that the copy in the whole context
            // carries the analyses they worked out.
            for rule in rules.iter().filter(|r| r.per_container()) {
                entry
                    .found
                    .entry(rule.code)
                    .or_insert_with(|| lint::findings_of(&entry.alone, rule));
            }
            used.push(key);
            entry.dir().clone()
        })?;
        let mut found = Vec::new();
        for rule in rules {
            if rule.per_container() {
                for key in &used {
                    let mine = self.entries.get(key).and_then(|e| e.found.get(rule.code));
                    found.extend(mine.into_iter().flatten().cloned());
                }
            } else {
                found.extend(lint::findings_of(&ctx, rule));
            }
        }
        self.users
            .insert(unit.to_path_buf(), used.into_iter().collect());
        let outcome = lint::finish(&ctx, found);
        Ok((ctx, outcome))
    }

    /// Keeps the entries of the units `live` accepts (those with an open document), and
    /// drops the others.
    pub fn retain(&mut self, live: impl Fn(&Path) -> bool) {
        self.users.retain(|unit, _| live(unit));
        let users = &self.users;
        self.entries
            .retain(|key, _| users.values().any(|keys| keys.contains(key)));
    }
}

impl Entry {
    fn new(b: Build, today: Date) -> Self {
        let dir =
            ContainerDir::with_dockerfile(b.name, b.dir, None, b.files, b.dockerfile.as_deref());
        let mut alone = Context::new(today);
        alone.containers.push(dir);
        Self {
            alone,
            found: HashMap::new(),
        }
    }

    /// The container, the one of [`Entry::alone`].
    fn dir(&self) -> &ContainerDir {
        &self.alone.containers[0]
    }
}

/// The rule fixtures' trees as gen sees them (their bases laid in).
#[cfg(test)]
#[path = "../../../tests/cli/fixture_tree.rs"]
#[allow(
    dead_code,
    reason = "the fixture harness's fields this test does not read"
)]
mod fixture_tree;

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// Every directory a lint is tried on: each case of every rule's fixtures and each
    /// base, laid out under `tmp`, and the hand-written projects and generated trees.
    fn trees(tmp: &Path) -> Vec<PathBuf> {
        let root = fixture_tree::fixtures_root();
        let mut out = Vec::new();
        let mut cases = Vec::new();
        for rule in fs::read_dir(root.join("check")).expect("tests/fixtures/check") {
            let rule = rule.expect("entry").path();
            if rule.is_dir() {
                for case in fs::read_dir(&rule).expect("a rule's cases") {
                    cases.push(case.expect("entry").path());
                }
            }
        }
        for base in fs::read_dir(root.join("bases")).expect("tests/fixtures/bases") {
            cases.push(base.expect("entry").path());
        }
        cases.sort();
        for (i, case) in cases.iter().filter(|c| c.is_dir()).enumerate() {
            let to = tmp.join(i.to_string());
            fixture_tree::materialize(case, &to);
            out.push(to);
        }
        for dir in ["projects", "lsp", "own-apps"] {
            for p in fs::read_dir(root.join(dir)).expect("a fixture directory") {
                out.push(p.expect("entry").path());
            }
        }
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        out.push(repo.join("generated"));
        out.push(repo.join("examples/lb/generated"));
        out.retain(|p| p.is_dir());
        out
    }

    fn findings(outcome: &lint::Outcome) -> (Vec<Diagnostic>, usize) {
        (outcome.diagnostics.clone(), outcome.suppressed)
    }

    /// The cache gives what `gen check` gives, to the byte, on every fixture: cold, and
    /// again from its entries. A rule that reads across containers but is not in
    /// `lint::ACROSS` fails here on its own fixture.
    #[test]
    fn cached_lints_are_the_checks_findings() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let today = Date::parse("2026-11-29").expect("a date");
        let vfs = Vfs::default();
        let mut cache = Cache::default();
        let mut checked = 0;
        for dir in trees(tmp.path()) {
            let Ok(ctx) = check::paths_context(std::slice::from_ref(&dir), &vfs, today) else {
                assert!(
                    cache.lint(&dir, &vfs, today, lint::RULES).is_err(),
                    "{}",
                    dir.display()
                );
                continue;
            };
            let want = findings(&lint::run(&ctx, lint::RULES));
            for pass in ["cold", "warm"] {
                let (_, got) = cache.lint(&dir, &vfs, today, lint::RULES).expect("lints");
                assert_eq!(findings(&got), want, "{pass}: {}", dir.display());
            }
            checked += 1;
        }
        assert!(checked > 50, "{checked} trees");
        assert!(cache.reused > 0 && cache.built > 0);
    }

    /// A container whose files changed is built anew; the others of the unit are served.
    #[test]
    fn only_changed_containers_are_rebuilt() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("p");
        // generated/: two containers and a compose file.
        fixture_tree::materialize(
            &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("generated"),
            &root,
        );
        let today = Date::parse("2026-11-29").expect("a date");
        let mut vfs = Vfs::default();
        let mut cache = Cache::default();
        let (ctx, _) = cache.lint(&root, &vfs, today, lint::RULES).expect("lints");
        let n = u64::try_from(ctx.containers.len()).expect("a count");
        assert!(n >= 2, "{n} containers");
        assert_eq!((cache.built, cache.reused), (n, 0));
        let compose = root.join("compose.yaml");
        let text = fs::read_to_string(&compose).expect("compose.yaml");
        vfs.insert(&compose, format!("{text}\n# edited\n"));
        cache.lint(&root, &vfs, today, lint::RULES).expect("lints");
        assert_eq!((cache.built, cache.reused), (n, n));
        let file = ctx.containers[0].files[0].path.clone();
        vfs.insert(Path::new(&file), "# edited\n".to_owned());
        cache.lint(&root, &vfs, today, lint::RULES).expect("lints");
        assert_eq!((cache.built, cache.reused), (n + 1, 2 * n - 1));
        cache.retain(|_| false);
        assert!(cache.entries.is_empty() && cache.users.is_empty());
    }
}
