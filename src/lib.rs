//! gen: generate and lint containers that run nginx in front of an app under supervisord.

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
