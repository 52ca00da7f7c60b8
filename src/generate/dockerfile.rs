//! The Dockerfile: the distribution's nginx and supervisor, the app's runtime and
//! dependencies (manifests before sources, for the layer cache), the configs at the paths
//! supervisord and nginx load, and supervisord as PID 1 in exec form.

use super::Layout;
use super::env::{self, Check};
use super::project::Install;
use crate::spec::AppKind;
use askama::Template;

#[derive(Template)]
#[template(path = "Dockerfile", escape = "none")]
struct Dockerfile<'a> {
    header: &'a str,
    base: &'a str,
    debian_like: bool,
    fastapi: bool,
    packages: Vec<String>,
    unpinned_reason: Option<String>,
    node_deps_image: Option<String>,
    user: &'a str,
    app_dir: &'a str,
    venv: &'a str,
    app_host: &'a str,
    nginx_port: u16,
    entrypoint: &'a str,
    env: Vec<String>,
    supervisord_conf: &'a str,
    health_cmd: String,
    /// COPY source prefixes in the build context: the app's directory (`app/`) and gen's
    /// files (`generated/<name>/`); both empty for the starter app.
    source: String,
    gen_files: String,
    /// The user's app: its directory as COPY takes it (`app/`, `.`).
    own_app: bool,
    source_dir: String,
    /// The user's FastAPI app: the lines that install it and its dependencies.
    python_install: Option<String>,
}

/// The lines that copy the user's FastAPI app and install its dependencies into the venv.
fn python_install(l: &Layout<'_>, source_dir: &str) -> Option<String> {
    let facts = l.facts?;
    let src = l.source_prefix();
    let (venv, app) = (l.venv, l.app_dir);
    let added = facts
        .added
        .iter()
        .map(|p| format!(" {p}"))
        .collect::<String>();
    let mut lines = Vec::new();
    if !facts.added.is_empty() {
        lines.push(format!(
            "# gen adds {}: it runs the app, and the app's {} does not list it.",
            facts.added.join(", "),
            facts.install.manifests().join(" and ")
        ));
    }
    let venv_cmd =
        format!("RUN python3 -m venv {venv} \\\n    && {venv}/bin/pip install --no-cache-dir");
    match facts.install {
        Install::Requirements { alone: true } => {
            lines.push(format!("COPY {src}requirements.txt {app}/requirements.txt"));
            lines.push(format!("{venv_cmd} -r {app}/requirements.txt{added}"));
            lines.push(format!("COPY {source_dir} {app}/"));
        }
        Install::Requirements { alone: false } => {
            lines.push(
                "# requirements.txt names other files of the app, so the app is copied first."
                    .to_owned(),
            );
            lines.push(format!("COPY {source_dir} {app}/"));
            lines.push(format!("{venv_cmd} -r {app}/requirements.txt{added}"));
        }
        Install::Pyproject | Install::NpmCi => {
            lines.push(
                "# pip installs the project from pyproject.toml, which needs its sources first."
                    .to_owned(),
            );
            lines.push(format!("COPY {source_dir} {app}/"));
            lines.push(format!("{venv_cmd} {app}{added}"));
        }
    }
    Some(lines.join("\n"))
}

pub fn render(l: &Layout<'_>) -> Result<String, askama::Error> {
    let c = l.c;
    let debian_like = l.distro().is_debian_like();
    let pins = c.base.packages();
    let pin = |name: &str, version: Option<&str>| match version {
        Some(v) if !v.is_empty() && debian_like => format!("{name}={v}"),
        Some(v) if !v.is_empty() => format!("{name}=~{v}"),
        _ => name.to_owned(),
    };
    let mut packages = vec![
        pin("nginx", pins.map(|p| p.nginx)),
        pin("supervisor", pins.map(|p| p.supervisor)),
    ];
    match (c.app.kind, debian_like) {
        (AppKind::Fastapi, true) => {
            packages.push(pin("python3", pins.map(|p| p.python)));
            packages.push(pin("python3-venv", pins.map(|p| p.python)));
        }
        (AppKind::Fastapi, false) => packages.push(pin("python3", pins.map(|p| p.python))),
        (AppKind::Express, _) => packages.push(pin("nodejs", pins.map(|p| p.nodejs))),
    }
    // Debian and Ubuntu images have no HTTP client for the health check; Alpine's busybox
    // has wget.
    if debian_like {
        packages.push(pin("curl", pins.map(|p| p.curl)));
    }
    // Exec form: no shell in between, and any non-zero exit marks the container unhealthy.
    let health_cmd = format!(
        "[{}]",
        l.health_argv()
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    packages.sort_by(|a, b| a.split(['=', '~']).next().cmp(&b.split(['=', '~']).next()));
    let unpinned_reason = pins.is_none().then(|| {
        format!(
            "gen has no package version table for {}: packages are unpinned. Pin them here.",
            c.base.image
        )
    });
    let node_deps_image = (c.app.kind == AppKind::Express).then(|| {
        let major = pins.map_or("22", |p| p.nodejs.split('.').next().unwrap_or("22"));
        if debian_like {
            format!("node:{major}-bookworm-slim")
        } else {
            format!("node:{major}-alpine{}", c.base.release)
        }
    });
    let mut env: Vec<String> = env::vars(c)
        .iter()
        .map(|v| match v.check {
            Check::Text => format!("{}={}", v.name, env::dockerfile_value(&v.default)),
            _ => format!("{}={}", v.name, v.default),
        })
        .collect();
    env.push(format!("{}={}", env::NGINX_CONF, l.nginx_conf));
    let source_dir = match l.source_prefix().as_str() {
        "" => ".".to_owned(),
        prefix => prefix.to_owned(),
    };
    Dockerfile {
        header: &l.header,
        base: &c.base.image,
        debian_like,
        fastapi: c.app.kind == AppKind::Fastapi,
        packages,
        unpinned_reason,
        node_deps_image,
        user: &c.app.user,
        app_dir: l.app_dir,
        venv: l.venv,
        app_host: &c.app.host,
        nginx_port: c.nginx.port,
        entrypoint: l.entrypoint,
        env,
        supervisord_conf: l.supervisord_conf,
        health_cmd,
        source: l.source_prefix(),
        gen_files: l.gen_files(),
        own_app: c.app.source().is_some(),
        python_install: python_install(l, &source_dir),
        source_dir,
    }
    .render()
}
