//! gen: generate and lint containers that run nginx in front of an app under supervisord.
//!
//! `gen check` runs through six layers; each reads only the layers before it
//! (`tests/cli/layers.rs` holds the code to that), and only the last touches the disk or
//! prints:
//!
//! 1. **parse** ([`parse`]): one parser per file type, text in, a tree with byte spans (or
//!    an error with a span) out, and the file's comments. Reads nothing of gen but the
//!    model's leaf tables (`model::path`, `model::runtime`).
//! 2. **model** ([`model`], [`deploy`]): the container as gen sees it from its files, and
//!    the compose project and Kubernetes manifests that run it; every fact with its origin,
//!    or unknown.
//! 3. **analysis** ([`lint::analysis`]): facts derived from the model that several rule
//!    families read (the wiring of nginx to the programs, what the image lacks, how PID 1
//!    starts them, nginx's config as `nginx -t` loads it), worked out once per container
//!    directory and cached in it.
//! 4. **rules** ([`lint::rules`]): one rule a file, reading the context, the analyses and
//!    the model, never another family's rules; [`lint::run`] runs them, folds and
//!    suppresses.
//! 5. **diagnostics** ([`diagnostic`], [`fix`]): findings, labels and fixes, and one
//!    renderer per output format.
//! 6. **commands** ([`commands`], [`cli`]): reading files, discovering containers, writing
//!    output and exit codes.
//!
//! [`spec`] and [`generate`] are `gen build`'s side: the spec and the pure generators;
//! [`import`] turns existing containers into a spec.

/// `println!` and friends that never panic: when stdout or stderr is closed (`gen ... | head`),
/// output ends quietly instead of aborting the command halfway.
#[macro_export]
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

#[macro_export]
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($t)*);
    }};
}

#[macro_export]
macro_rules! errln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

#[macro_export]
macro_rules! err {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($t)*);
    }};
}

pub mod cli;
pub mod commands;
pub mod deploy;
pub mod diagnostic;
pub mod error;
pub mod fix;
pub mod generate;
pub mod import;
pub mod lint;
pub mod model;
pub mod parse;
pub mod spec;
