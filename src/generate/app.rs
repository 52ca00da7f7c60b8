//! The app sources and their dependency manifests: `app.py` and `requirements.txt` for
//! FastAPI, `app.js`, `package.json` and `package-lock.json` for Express.

use super::{Layout, escape};
use crate::spec::AppKind;
use askama::Template;

#[derive(Template)]
#[template(path = "app.py", escape = "none")]
struct AppPy<'a> {
    header: &'a str,
    name: &'a str,
    message: String,
    app_host: &'a str,
    app_port: u16,
    workers: u16,
    log_level: &'a str,
    graceful_timeout: u32,
}

#[derive(Template)]
#[template(path = "app.js", escape = "none")]
struct AppJs<'a> {
    header: &'a str,
    name: &'a str,
    message: String,
    app_host: &'a str,
    app_port: u16,
    log_level: &'a str,
    graceful_timeout: u32,
}

#[derive(Template)]
#[template(path = "requirements.txt", escape = "none")]
struct Requirements<'a> {
    header: &'a str,
}

#[derive(Template)]
#[template(path = "package.json", escape = "none")]
struct PackageJson<'a> {
    header: &'a str,
    name: &'a str,
}

#[derive(Template)]
#[template(path = "package-lock.json", escape = "none")]
struct PackageLock<'a> {
    name: &'a str,
}

pub fn render(l: &Layout<'_>) -> Result<Vec<(&'static str, String)>, askama::Error> {
    let c = l.c;
    // The user's own app is built from its directory: gen writes none of its files.
    let Some(message) = c.app.message() else {
        return Ok(Vec::new());
    };
    Ok(match c.app.kind {
        AppKind::Fastapi => vec![
            (
                "app.py",
                AppPy {
                    header: &l.header,
                    name: &c.name,
                    message: escape::python_str(message),
                    app_host: &c.app.host,
                    app_port: c.app.port,
                    workers: c.app.workers,
                    log_level: c.app.log_level.as_str(),
                    graceful_timeout: c.graceful_timeout(),
                }
                .render()?,
            ),
            (
                "requirements.txt",
                Requirements { header: &l.header }.render()?,
            ),
        ],
        AppKind::Express => vec![
            (
                "app.js",
                AppJs {
                    header: &l.header,
                    name: &c.name,
                    message: escape::js_str(message),
                    app_host: &c.app.host,
                    app_port: c.app.port,
                    log_level: c.app.log_level.as_str(),
                    graceful_timeout: c.graceful_timeout(),
                }
                .render()?,
            ),
            (
                "package.json",
                PackageJson {
                    header: &l.header,
                    name: &c.name,
                }
                .render()?,
            ),
            ("package-lock.json", PackageLock { name: &c.name }.render()?),
        ],
    })
}
