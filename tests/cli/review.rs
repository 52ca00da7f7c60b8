//! Snapshots under review, in the manner of insta: a snapshot that differs from the output
//! (or is missing) fails its test; with `GEN_BLESS=1` the test also writes the output beside
//! it as `<name>.new`, and `scripts/review-snapshots.sh` shows each `.new` against the file it
//! would replace, to accept or reject. A blessing run never overwrites a reviewed snapshot.
//!
//! Hand-written rather than insta: insta's review needs `cargo-insta`, one more tool for
//! every machine and CI to install, and these snapshots are whole files compared byte for
//! byte, which needs no more than this.

use std::fs;
use std::path::{Path, PathBuf};

/// Whether a differing snapshot should be written as `<name>.new` for review.
pub fn blessing() -> bool {
    std::env::var_os("GEN_BLESS").is_some_and(|v| v == "1")
}

/// Where a pending snapshot of `path` is written.
pub fn pending(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

/// Compares `actual` byte for byte with the snapshot at `path`. Panics on a difference; with
/// `GEN_BLESS=1` writes `actual` to `<path>.new` first. A stale `.new` of a snapshot that
/// matches is removed.
pub fn assert_snapshot(path: &Path, actual: &str) {
    let expected = fs::read_to_string(path).ok();
    let new = pending(path);
    if expected.as_deref() == Some(actual) {
        if new.exists() {
            fs::remove_file(&new).unwrap_or_else(|e| panic!("{}: {e}", new.display()));
        }
        return;
    }
    let review = if blessing() {
        fs::create_dir_all(path.parent().expect("a parent")).expect("create snapshot dir");
        fs::write(&new, actual).unwrap_or_else(|e| panic!("{}: {e}", new.display()));
        format!(
            "wrote {}; review it with scripts/review-snapshots.sh",
            new.display()
        )
    } else {
        "GEN_BLESS=1 writes the output as `.new` for scripts/review-snapshots.sh".to_owned()
    };
    match expected {
        None => panic!("{}: no snapshot yet; {review}", path.display()),
        Some(expected) => panic!(
            "{} differs ({review}):\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        ),
    }
}
