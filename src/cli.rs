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
    #[arg(long, conflicts_with = "force")]
    pub check: bool,
    /// Overwrite or remove files in the output directory that were edited by hand since gen
    /// wrote them
    #[arg(long)]
    pub force: bool,
}
