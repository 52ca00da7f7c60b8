//! `gen init`: write a starter spec.toml (with its JSON Schema beside it, for editors) from
//! flags, or from a few questions on a terminal (each bad answer is asked again at once; a
//! bad flag is refused before the first question), then
//! run the first build and print the next commands. It never overwrites a spec without
//! `--force`, and checks everything the build would refuse before it writes anything.

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
    // One write: `write!` to the unbuffered stderr writes each piece of the format on its
    // own, and what the terminal echoes of an answer typed ahead lands between them.
    let _ = err.write_all(format!("{question} [{default}]: ").as_bytes());
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
        (None, true) => loop {
            // Judged at once, by the spec's own rules, so a bad name is asked again before
            // the next question rather than refused after the last.
            let name = ask("Container name", &default_name)?;
            let trial = Answers {
                kind,
                name: name.clone(),
                app_port: kind.default_port(),
                host_port: 8080,
                base: kind.default_base().to_owned(),
                message: "m".to_owned(),
            };
            match refusal(&trial) {
                None => break name,
                Some(why) => crate::errln!("  {why}"),
            }
        },
    };
    // Each port is judged at once too, with the answers so far and the defaults for the
    // rest (the app's port must not be nginx's, for one).
    let trial = |app_port: u16, host_port: u16| Answers {
        kind,
        name: name.clone(),
        app_port,
        host_port,
        base: args
            .base
            .clone()
            .unwrap_or_else(|| kind.default_base().to_owned()),
        message: "m".to_owned(),
    };
    let app_port = match (args.app_port, interactive) {
        (Some(p), _) => p,
        (None, false) => kind.default_port(),
        (None, true) => loop {
            let p = ask_port("App port on 127.0.0.1", kind.default_port())?;
            match refusal_of_answer(
                &trial(p, args.host_port.unwrap_or(8080)),
                &trial(kind.default_port(), args.host_port.unwrap_or(8080)),
            ) {
                None => break p,
                Some(why) => crate::errln!("  {why}"),
            }
        },
    };
    let host_port = match (args.host_port, interactive) {
        (Some(p), _) => p,
        (None, false) => 8080,
        (None, true) => loop {
            let p = ask_port("Host port", 8080)?;
            match refusal_of_answer(&trial(app_port, p), &trial(app_port, 8080)) {
                None => break p,
                Some(why) => crate::errln!("  {why}"),
            }
        },
    };
    let base = match (&args.base, interactive) {
        (Some(b), _) => b.clone(),
        (None, false) => kind.default_base().to_owned(),
        (None, true) => loop {
            let base = ask("Base image", kind.default_base())?;
            let trial = |base: &str| Answers {
                kind,
                name: name.clone(),
                app_port,
                host_port,
                base: base.to_owned(),
                message: "m".to_owned(),
            };
            match refusal_of_answer(&trial(&base), &trial(kind.default_base())) {
                None => break base,
                Some(why) => crate::errln!("  {why}"),
            }
        },
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

/// Why the answer just given makes the spec refused: `a` holds it, `baseline` the same
/// answers with that question's default. When the baseline is refused too, the fault is in
/// a flag (`--name`), not in this answer: it is reported once all is asked, not re-asked
/// forever.
fn refusal_of_answer(a: &Answers, baseline: &Answers) -> Option<String> {
    refusal(a).filter(|_| refusal(baseline).is_none())
}

/// Why the spec written from `a` would be refused, in one line; `None` when it is valid.
fn refusal(a: &Answers) -> Option<String> {
    let e = spec::load("spec.toml", &spec_text(a)).err()?;
    let d = e.diagnostics.first()?;
    Some(match &d.help {
        Some(help) => format!("{}: {help}", d.message),
        None => d.message.clone(),
    })
}

/// Files under `out` that the first build would refuse to overwrite or remove (files gen did
/// not write there), so that init fails before it writes anything.
fn blocking_files(text: &str, out: &std::path::Path) -> Result<Vec<std::path::PathBuf>> {
    let Ok(spec) = spec::load("spec.toml", text) else {
        return Ok(Vec::new());
    };
    let files = crate::generate::generate(&spec, &crate::generate::project::Project::default())?;
    let on_disk = super::build::read_tree(out)?;
    Ok(super::build::edited(&on_disk, &files)
        .into_iter()
        .map(|p| out.join(p))
        .collect())
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
    // A bad flag is refused before any question is asked, naming what the flags give.
    if interactive {
        if let Some(why) = refusal(&answers(args, false)?) {
            crate::errln!("error: the flags given make a spec gen would refuse: {why}");
            crate::errln!(
                "help: correct the flag, or leave it out to be asked; nothing was written"
            );
            return Ok(2);
        }
    }
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
    let out = args.dir.join("generated");
    if !args.no_build {
        let blocking = blocking_files(&text, &out)?;
        if !blocking.is_empty() {
            crate::errln!(
                "error: `{}` holds files gen did not write, which the first build would replace or remove:",
                out.display()
            );
            for p in &blocking {
                crate::errln!("  {}", p.display());
            }
            crate::errln!(
                "help: move them away, start the project in another directory, or run `gen init --no-build`; nothing was written"
            );
            return Ok(2);
        }
    }
    fs::create_dir_all(&args.dir).map_err(|e| Error::io("create directory", &args.dir, e))?;
    fs::write(&spec_path, &text).map_err(|e| Error::io("write", &spec_path, e))?;
    let schema_path = args.dir.join("spec.schema.json");
    fs::write(&schema_path, spec::raw::json_schema())
        .map_err(|e| Error::io("write", &schema_path, e))?;
    crate::outln!("  created {shown}");
    crate::outln!("  created {}", schema_path.display());
    let code = if args.no_build {
        0
    } else {
        super::build::run(&BuildArgs {
            spec: spec_path,
            out,
            check: false,
            force: false,
            verbose: false,
        })?
    };
    if code == 0 {
        next_steps(args, &answers);
    }
    Ok(code)
}

/// What to run next, as docker init ends: build, check, and start the container.
fn next_steps(args: &InitArgs, a: &Answers) {
    let cd = if args.dir == std::path::Path::new(".") {
        String::new()
    } else {
        format!("cd {} && ", args.dir.display())
    };
    crate::outln!();
    crate::outln!("Next:");
    if args.no_build {
        crate::outln!("  {cd}gen build                 # write the container under generated/");
    }
    crate::outln!("  {cd}gen check                 # lint the spec and what it gives");
    crate::outln!(
        "  {cd}docker compose -f generated/compose.yaml up --build   # then open http://localhost:{}/",
        a.host_port
    );
}
