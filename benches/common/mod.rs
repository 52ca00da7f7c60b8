//! The two inputs of the parser benchmarks, written under `target/bench/` so that
//! `scripts/bench/parser.sh` and a person can look at the same bytes: the 1.3 MB real-world
//! config of the corpus (decompressed with the `bzip2` command) and the synthetic config of
//! `scripts/bench/make-nginx-config.py` (run with `python3`). A missing tool or file is a
//! panic with the reason: a benchmark that silently measured nothing would mislead.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One benchmark input: its name and its text.
pub struct Input {
    pub name: String,
    pub text: String,
}

/// Size of the synthetic config, in MB (the issue asks for about 20).
pub const SYNTHETIC_MB: u32 = 20;

const LARGE_CONFIG: &str = "../shared/corpus/nginx/nginxinc-nginx-go-crossplane/testdata/configs/large-config/nginx.conf.bz2";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `target/bench/`, or `$CARGO_TARGET_DIR/bench/`.
pub fn bench_dir() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    let dir = target.join("bench");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

/// Runs `program args` and returns its stdout, or panics saying what is missing.
fn output(program: &str, args: &[&str], what: &str) -> Vec<u8> {
    let out = Command::new(program)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("the `{program}` command is needed to {what}: {e}"));
    assert!(
        out.status.success(),
        "`{program} {}` failed ({}): {}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn save(name: &str, bytes: Vec<u8>) -> String {
    let path = bench_dir().join(name);
    std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("{name} is not UTF-8: {e}"))
}

/// The 1.3 MB real-world config, as `target/bench/large-config.conf`.
pub fn large_config() -> Input {
    let bz2 = root().join(LARGE_CONFIG);
    assert!(
        bz2.is_file(),
        "the corpus config is missing: expected {} (shared/corpus beside the project)",
        bz2.display()
    );
    let path = bz2.to_string_lossy().into_owned();
    let bytes = output("bzip2", &["-dc", &path], "decompress the corpus config");
    let name = "large-config.conf".to_owned();
    let text = save(&name, bytes);
    Input { name, text }
}

/// The synthetic config, as `target/bench/synthetic-<SYNTHETIC_MB>mb.conf`.
pub fn synthetic() -> Input {
    let size = SYNTHETIC_MB.to_string();
    let bytes = output(
        "python3",
        &["scripts/bench/make-nginx-config.py", &size],
        "generate the synthetic config",
    );
    let name = format!("synthetic-{SYNTHETIC_MB}mb.conf");
    let text = save(&name, bytes);
    Input { name, text }
}
