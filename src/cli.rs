//! The command line, with clap derive: one variant per subcommand.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "gen",
    version = env!("GEN_LONG_VERSION"),
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
    /// Start a project: write a starter spec.toml and its schema, then run the first build
    Init(InitArgs),
    /// Make a self-signed development certificate for the load balancer's TLS
    Cert(CertArgs),
    /// Print the JSON Schema of spec.toml, for editors with TOML schema support
    Schema,
    /// Print a shell completion script
    Completions {
        /// The shell to complete in
        shell: clap_complete::Shell,
    },
    /// Print the man page, in roff
    Man,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InitKind {
    Fastapi,
    Express,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The project directory (created if missing)
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The app framework; asked on a terminal when not given
    #[arg(long, value_enum)]
    pub kind: Option<InitKind>,
    /// The container's name: a DNS label (default: `<kind>-nginx`)
    #[arg(long)]
    pub name: Option<String>,
    /// The app's port on 127.0.0.1 (default: 8000 for fastapi, 3000 for express)
    #[arg(long)]
    pub app_port: Option<u16>,
    /// The host port published to nginx (default: 8080)
    #[arg(long)]
    pub host_port: Option<u16>,
    /// The base image (default: ubuntu:24.04 for fastapi, alpine:3.22 for express)
    #[arg(long)]
    pub base: Option<String>,
    /// What `GET /` answers
    #[arg(long)]
    pub message: Option<String>,
    /// Never ask, even on a terminal: use the flags and the defaults
    #[arg(long)]
    pub no_input: bool,
    /// Overwrite an existing spec.toml
    #[arg(long)]
    pub force: bool,
    /// Write the spec only; do not run the first build
    #[arg(long)]
    pub no_build: bool,
}

#[derive(Debug, clap::Args)]
pub struct CertArgs {
    /// The directory to write cert.pem and key.pem into (keep it out of generated/)
    #[arg(long, default_value = "certs")]
    pub out: PathBuf,
    /// The host name the certificate is for (localhost is always included)
    #[arg(long, default_value = "localhost")]
    pub name: String,
    /// Replace an existing certificate
    #[arg(long)]
    pub force: bool,
}
