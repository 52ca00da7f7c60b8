//! The per-container README: the exact `docker build` and `docker run` commands.

use super::env::{self, Check};
use super::{Layout, escape};
use crate::spec::AppKind;
use askama::Template;

#[derive(Template)]
#[template(path = "README.md", escape = "none")]
struct Readme<'a> {
    header: &'a str,
    name: &'a str,
    container_name: &'a str,
    kind_title: &'a str,
    base: &'a str,
    app_host: &'a str,
    app_port: u16,
    nginx_port: u16,
    host_port: Option<u16>,
    /// `host_address` as `-p` takes it, and the host name to reach it by.
    host_address: String,
    curl_host: String,
    lb_name: Option<&'a str>,
    fence: String,
    /// What the starter app's `GET /` answers; `None` for the user's own app.
    response: Option<String>,
    graceful_timeout: u32,
    stopwaitsecs: u32,
    stop_timeout: u32,
    app_files: Vec<(&'a str, &'a str)>,
    /// The user's app: the build command's Dockerfile path from the project directory, the
    /// app's directory, and what gen added.
    own: Option<Own>,
    /// Name, default (Markdown), allowed values, what it sets.
    vars: Vec<(&'static str, String, String, String)>,
    nginx_conf_var: &'a str,
    rendered_nginx_conf: &'a str,
    entrypoint: &'a str,
}

struct Own {
    dockerfile: String,
    /// From this directory to the project's (the build context).
    context: String,
    source: String,
    entry: String,
    health: String,
    manifests: String,
    added: String,
}

pub fn render(l: &Layout<'_>) -> Result<String, askama::Error> {
    let c = l.c;
    let response = c.app.message().map(escape::json_message);
    let (kind_title, app_files) = match c.app.kind {
        AppKind::Fastapi => (
            "FastAPI",
            vec![
                ("app.py", "the FastAPI app, run by uvicorn"),
                ("requirements.txt", "its Python dependencies, pinned"),
            ],
        ),
        AppKind::Express => (
            "Express",
            vec![
                ("app.js", "the Express app"),
                ("package.json", "its Node dependencies"),
                (
                    "package-lock.json",
                    "the pinned dependency tree, for `npm ci`",
                ),
            ],
        ),
    };
    let own = c.app.source().map(|s| {
        let facts = l.facts;
        Own {
            dockerfile: format!("{}Dockerfile", l.gen_files()),
            context: format!("../{}", l.project.context_from_out),
            source: s.dir.clone(),
            entry: s.entry.target(),
            health: c.app.health_path.as_ref().map_or_else(
                || "nginx reaches the app and it answers `GET /` with any status (the spec names no `health_path`)".to_owned(),
                |p| format!("the app answers `{p}` with a success status"),
            ),
            manifests: facts.map_or_else(String::new, |f| {
                f.install
                    .manifests()
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            }),
            added: facts.map_or_else(String::new, |f| {
                f.added
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        }
    });
    let app_files = if own.is_some() {
        vec![(
            "Dockerfile.dockerignore",
            "what stays out of the build context (BuildKit reads it beside the Dockerfile)",
        )]
    } else {
        app_files
    };
    let vars = env::vars(c)
        .into_iter()
        .map(|v| {
            let default = match v.check {
                // Any text: shown once, as JSON, above.
                Check::Text => "the message above".to_owned(),
                _ => format!("`{}`", v.default),
            };
            (v.name, default, v.allowed(), v.what)
        })
        .collect();
    Readme {
        header: &l.header,
        name: &c.name,
        container_name: &c.container_name,
        kind_title,
        base: &c.base.image,
        app_host: &c.app.host,
        app_port: c.app.port,
        nginx_port: c.nginx.port,
        host_port: c.host_port,
        host_address: c.host_address.in_mapping(),
        curl_host: if c.host_address.0.is_unspecified()
            || c.host_address == crate::spec::HostAddress::LOOPBACK
        {
            "localhost".to_owned()
        } else {
            c.host_address.in_mapping()
        },
        lb_name: l.lb.map(|lb| lb.name.as_str()),
        fence: escape::fence_for(response.as_deref().unwrap_or_default()),
        response,
        graceful_timeout: c.graceful_timeout(),
        stopwaitsecs: c.stopwaitsecs(),
        stop_timeout: c.stop_timeout,
        app_files,
        own,
        vars,
        nginx_conf_var: env::NGINX_CONF,
        rendered_nginx_conf: env::RENDERED_NGINX_CONF,
        entrypoint: l.entrypoint,
    }
    .render()
}
