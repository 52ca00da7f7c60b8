//! The command line, with clap derive: one variant per subcommand.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "gen",
    version,
    about = "Generate and lint containers that run nginx in front of an app under supervisord",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write every container of the spec under the output directory
    Build(BuildArgs),
    /// Parse one config file and print its tree as JSON (crossplane's payload for nginx)
    Parse(ParseArgs),
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The spec to read
    #[arg(long, default_value = "spec.toml")]
    pub spec: PathBuf,
    /// The directory to write the containers into
    #[arg(long, default_value = "generated")]
    pub out: PathBuf,
    /// Write nothing; print what would change and exit 1 if the output directory differs
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// The file to parse
    pub file: PathBuf,
    /// What kind of file it is (default: nginx)
    #[arg(long = "as", value_enum)]
    pub kind: Option<ParseAs>,
    /// Include comments as `"#"` entries, like crossplane's `--include-comments`
    #[arg(long)]
    pub include_comments: bool,
}

/// The kinds of file `gen parse` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ParseAs {
    Nginx,
}
