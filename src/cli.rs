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

// `defer`: each subcommand's arguments are built only when that subcommand runs, not all of
// them at every start (`gen --version` 1.12 -> 0.88 ms; see docs/performance.md). Help,
// completions and the man page build them all as before.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Write every container of the spec under the output directory
    Build(BuildArgs),
    /// Start a project: write a starter spec.toml and its schema, then run the first build
    Init(InitArgs),
    /// Write a spec that rebuilds hand-written container directories on gen's templates,
    /// and say what it carried over, changed and could not express
    Import(ImportArgs),
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
    /// Lint container directories, or the spec and the output it gives
    Check(CheckArgs),
    /// Explain a lint rule: what it checks, why, and an example
    Explain(ExplainArgs),
    /// List every lint rule
    Rules,
    /// Parse one config file and print its tree as JSON (crossplane's payload for nginx)
    Parse(ParseArgs),
    /// Run the language server on stdin and stdout: findings as you type, quick fixes, hover
    Lsp(LspArgs),
    /// Print the container model gen checks against: listeners, proxy targets, programs,
    /// app servers, sockets and files in the image, each fact with its origin
    Model(ModelArgs),
}

#[derive(Debug, clap::Args)]
pub struct ModelArgs {
    /// Container directories, or directories of them (default: the current directory)
    pub paths: Vec<PathBuf>,
    /// Output format: `json` is the stable shape of docs/model.md
    #[arg(long, value_enum, default_value_t = ModelFormat::Human)]
    pub format: ModelFormat,
}

/// The formats of `gen model`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelFormat {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Judge end-of-life dates as of this day instead of today
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
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
    /// List unchanged files too, not only the created, updated and removed ones
    #[arg(short, long)]
    pub verbose: bool,
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
pub struct ImportArgs {
    /// Hand-written container directories (with a Dockerfile, nginx.conf or
    /// supervisord.conf), or a project holding them; a compose file in a directory or in its
    /// parent gives the host ports and container names
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// The spec to write; the nginx snippets go beside it
    #[arg(long, default_value = "spec.toml")]
    pub out: PathBuf,
    /// Overwrite an existing spec or snippet
    #[arg(long)]
    pub force: bool,
    /// Judge end-of-life dates as of this day instead of today
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
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

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Container directories (with a Dockerfile, nginx.conf or supervisord.conf),
    /// directories of them, or compose projects (with a compose file). A file checks the
    /// container that holds it and reports the findings that involve the file; `-` is the
    /// file `--stdin-filename` names, read from stdin. Without any, check the spec and its
    /// output directory when there is a spec.toml, else the current directory
    pub paths: Vec<PathBuf>,
    /// The file whose content `-` reads from stdin (an editor's unsaved buffer): its
    /// container is checked with that content in its place
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// The spec to check (default: spec.toml)
    #[arg(long, conflicts_with = "paths")]
    pub spec: Option<PathBuf>,
    /// The output directory the spec writes to (default: generated)
    #[arg(long, conflicts_with = "paths")]
    pub out: Option<PathBuf>,
    /// How to print the findings
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Print how many findings each rule made (count, severity, code, name) instead of the
    /// findings
    #[arg(long)]
    pub statistics: bool,
    /// Write the findings to this file instead of standard output (the summary stays on
    /// standard error)
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output_file: Option<PathBuf>,
    /// When to colour the output: `auto` colours a terminal, unless `NO_COLOR` is set;
    /// `CLICOLOR_FORCE` (not `0`) colours it anywhere
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Fail on warnings too
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<Deny>,
    /// Run only these rules, even those the spec's `[check] ignore` lists (code or name;
    /// repeatable, or comma-separated)
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not run these rules (code or name; repeatable, or comma-separated)
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Print the findings only, without the summary line
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the settings in force (from the command line, the gen.toml or .gen.toml found
    /// in the checked directory or above, the spec's `[check]` table when a spec is checked,
    /// and the defaults) and where each comes from, then exit
    #[arg(long)]
    pub show_settings: bool,
    /// Judge end-of-life dates as of this day instead of today
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
    /// Apply the safe fixes to the files, then report what remains (never to files the
    /// spec writes)
    #[arg(long)]
    pub fix: bool,
    /// With `--fix` or `--diff`, apply the unsafe fixes too (review them: they pick one
    /// side of a mismatch, or change more than the finding)
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them; exit 1 if there is any
    #[arg(long)]
    pub diff: bool,
}

/// Output formats of `gen check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-like, with the source lines; errors first
    Human,
    /// one finding a line: `path:line:col: severity[CODE] message` (gcc's and ruff's format,
    /// for editors' problem matchers)
    Concise,
    /// one JSON document
    Json,
    /// SARIF 2.1.0, for GitHub code scanning
    Sarif,
    /// GitHub Actions annotations
    Github,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// on a terminal, unless `NO_COLOR` is set (`CLICOLOR_FORCE` colours anywhere)
    Auto,
    Always,
    Never,
}

/// What `--deny` turns into failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    Warnings,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A rule's code (`GEN001`) or name (`generated-drift`)
    pub rule: String,
}

#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// The file to parse
    pub file: PathBuf,
    /// What kind of file it is (default: from its name, as `gen check` reads it; nginx
    /// when the name says nothing)
    #[arg(long = "as", value_enum)]
    pub kind: Option<ParseAs>,
    /// Include comments as `"#"` entries, like crossplane's `--include-comments`
    #[arg(long)]
    pub include_comments: bool,
    /// Keep only the first error of crossplane's analyzer, and print nothing parsed
    #[arg(long)]
    pub no_catch: bool,
    /// Leave out these directives (comma-separated), unjudged
    #[arg(long, value_name = "DIRECTIVES", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Report directives nginx does not declare (`unknown directive "x"`)
    #[arg(long)]
    pub strict: bool,
    /// Do not judge the context of directives (crossplane's `check_ctx=False`)
    #[arg(long)]
    pub no_check_ctx: bool,
    /// Do not judge the arguments of directives (crossplane's `check_args=False`)
    #[arg(long)]
    pub no_check_args: bool,
}

/// The kinds of file `gen parse` reads: every kind gen parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ParseAs {
    Nginx,
    Dockerfile,
    Supervisord,
    Compose,
    Kubernetes,
    /// A gunicorn config file (Python)
    Gunicorn,
    /// A uWSGI ini file
    Uwsgi,
    /// A PHP-FPM config or pool file
    PhpFpm,
    /// gen's spec.toml
    Spec,
}
