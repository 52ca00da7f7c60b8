//! `gen init`: write a starter spec.toml (with its JSON Schema beside it, for editors) from
//! flags, or from a few questions on a terminal, then run the first build. It never
//! overwrites a spec without `--force`.

use crate::cli::{BuildArgs, InitArgs, InitKind};
use crate::diagnostic::Sources;
use crate::error::{Error, Result};
use crate::spec::{self, AppKind};
use std::fs;
use std::io::{BufRead as _, IsTerminal as _, Write as _};

/// The answers a spec is written from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub kind: AppKind,
    pub name: String,
    pub app_port: u16,
    pub host_port: u16,
    pub base: String,
    pub message: String,
}

/// The starter spec for `a`, with a `#:schema` line so editors validate and complete it.
#[must_use]
pub fn spec_text(a: &Answers) -> String {
    let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
    format!(
        "#:schema ./spec.schema.json\n\
         # The containers gen generates: `gen build` writes them under generated/.\n\
         # Every key is documented in spec.schema.json (`gen schema`).\n\
         \n\
         [[container]]\n\
         name = {name}\n\
         base = {base}\n\
         host_port = {host_port}\n\
         \n\
         [container.app]\n\
         kind = {kind}\n\
         port = {app_port}\n\
         message = {message}\n",
        name = quote(&a.name),
        base = quote(&a.base),
        host_port = a.host_port,
        kind = quote(a.kind.as_str()),
        app_port = a.app_port,
        message = quote(&a.message),
    )
}

fn ask(question: &str, default: &str) -> Result<String> {
    let mut err = std::io::stderr();
    let _ = write!(err, "{question} [{default}]: ");
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io("read", "standard input", e))?;
    let line = line.trim();
    Ok(if line.is_empty() {
        default.to_owned()
    } else {
        line.to_owned()
    })
}

fn ask_port(question: &str, default: u16) -> Result<u16> {
    loop {
        let answer = ask(question, &default.to_string())?;
        match answer.parse::<u16>() {
            Ok(p) if p > 0 => return Ok(p),
            _ => crate::errln!("  a port is a number from 1 to 65535"),
        }
    }
}

/// Fills in what the flags leave open: by asking on a terminal, else with the defaults.
fn answers(args: &InitArgs, interactive: bool) -> Result<Answers> {
    let kind = match (args.kind, interactive) {
        (Some(InitKind::Fastapi), _) => AppKind::Fastapi,
        (Some(InitKind::Express), _) => AppKind::Express,
        (None, false) => AppKind::Fastapi,
        (None, true) => loop {
            match ask("App framework (fastapi or express)", "fastapi")?.as_str() {
                "fastapi" => break AppKind::Fastapi,
                "express" => break AppKind::Express,
                _ => crate::errln!("  answer `fastapi` or `express`"),
            }
        },
    };
    let default_name = format!("{}-nginx", kind.as_str());
    let name = match (&args.name, interactive) {
        (Some(n), _) => n.clone(),
        (None, false) => default_name,
        (None, true) => ask("Container name", &default_name)?,
    };
    let app_port = match (args.app_port, interactive) {
        (Some(p), _) => p,
        (None, false) => kind.default_port(),
        (None, true) => ask_port("App port on 127.0.0.1", kind.default_port())?,
    };
    let host_port = match (args.host_port, interactive) {
        (Some(p), _) => p,
        (None, false) => 8080,
        (None, true) => ask_port("Host port", 8080)?,
    };
    let base = match (&args.base, interactive) {
        (Some(b), _) => b.clone(),
        (None, false) => kind.default_base().to_owned(),
        (None, true) => ask("Base image", kind.default_base())?,
    };
    let message = args
        .message
        .clone()
        .unwrap_or_else(|| format!("Hello from {name}"));
    Ok(Answers {
        kind,
        name,
        app_port,
        host_port,
        base,
        message,
    })
}

pub fn run(args: &InitArgs) -> Result<u8> {
    let spec_path = args.dir.join("spec.toml");
    if spec_path.exists() && !args.force {
        crate::errln!(
            "error: `{}` exists; gen init does not overwrite a spec\nhelp: edit it, or run `gen init --force` to replace it",
            spec_path.display()
        );
        return Ok(2);
    }
    let interactive = !args.no_input && std::io::stdin().is_terminal();
    let answers = answers(args, interactive)?;
    let text = spec_text(&answers);
    let shown = spec_path.display().to_string();
    if let Err(e) = spec::load(&shown, &text) {
        let mut sources = Sources::default();
        sources.insert(&shown, &text);
        return Err(Error::Input {
            diagnostics: e.diagnostics,
            sources,
        });
    }
    fs::create_dir_all(&args.dir).map_err(|e| Error::io("create directory", &args.dir, e))?;
    fs::write(&spec_path, &text).map_err(|e| Error::io("write", &spec_path, e))?;
    let schema_path = args.dir.join("spec.schema.json");
    fs::write(&schema_path, spec::raw::json_schema())
        .map_err(|e| Error::io("write", &schema_path, e))?;
    crate::outln!("  created {shown}");
    crate::outln!("  created {}", schema_path.display());
    if args.no_build {
        return Ok(0);
    }
    super::build::run(&BuildArgs {
        spec: spec_path,
        out: args.dir.join("generated"),
        check: false,
        force: false,
        verbose: false,
    })
}
