//! Commands about gen itself: the spec's JSON Schema, shell completions, the man page. All
//! are derived from the one declaration of each (the spec's types, the clap definition).

use crate::cli::Cli;
use clap::CommandFactory as _;
use std::io::Write as _;

/// `gen schema`: the JSON Schema of spec.toml.
pub fn schema() -> u8 {
    crate::out!("{}", crate::spec::raw::json_schema());
    0
}

/// `gen completions SHELL`.
pub fn completions(shell: clap_complete::Shell) -> u8 {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "gen", &mut out);
    // A closed stdout (`gen completions bash | head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(&out);
    0
}

/// `gen man`: the man page in roff, for `man -l -`.
pub fn man() -> u8 {
    let mut out = Vec::new();
    if clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .is_err()
    {
        return 2;
    }
    let _ = std::io::stdout().write_all(&out);
    0
}
