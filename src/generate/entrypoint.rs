//! entrypoint.sh: the image's `ENTRYPOINT`, which checks the configuration variables of
//! [`super::env`] and applies those nginx reads to a copy of nginx.conf before supervisord
//! starts (see the template's header).

use super::Layout;
use super::env::{self, Check};
use askama::Template;

#[derive(Template)]
#[template(path = "entrypoint.sh", escape = "none")]
struct Entrypoint<'a> {
    header: &'a str,
    nginx_conf: &'a str,
    nginx_conf_var: &'a str,
    conf: String,
    checks: Vec<String>,
    seds: Vec<String>,
    rendered_dir: &'a str,
    rendered: &'a str,
    /// The tmpfs the copy is written under.
    writable: &'a str,
}

/// The shell call that checks one variable. Names and words are shell-safe by construction
/// (upper-case names, lower-case words), so they are written bare.
fn check_call(v: &env::Var) -> String {
    let value = format!("\"${{{}-}}\"", v.name);
    match &v.check {
        Check::Port { nginx_port } => format!("port {} {value} {nginx_port}", v.name),
        Check::Number { min, max } => format!("number {} {value} {min} {max}", v.name),
        Check::Size => format!("size {} {value}", v.name),
        Check::OneOf(words) => format!("one_of {} {value} {}", v.name, words.join(" ")),
        Check::Text => format!("text {} {value}", v.name),
    }
}

/// The sed expression that writes a variable's value before its `# env NAME` marker: the
/// last word before the `;` (after a `:` for `host:port`). The checks above allow only
/// digits and letters, so the value cannot break out of the expression.
fn sed_expression(name: &str) -> String {
    format!("\"s/[^ :;]*\\(; # env {name}\\)\\$/${{{name}}}\\1/\"")
}

pub fn render(l: &Layout<'_>) -> Result<String, askama::Error> {
    let vars = env::vars(l.c);
    let rendered = env::RENDERED_NGINX_CONF;
    Entrypoint {
        header: &l.header,
        nginx_conf: l.nginx_conf,
        nginx_conf_var: env::NGINX_CONF,
        conf: format!("${{{}:-{}}}", env::NGINX_CONF, l.nginx_conf),
        checks: vars.iter().map(check_call).collect(),
        seds: vars
            .iter()
            .filter(|v| v.in_nginx)
            .map(|v| sed_expression(v.name))
            .collect(),
        rendered_dir: rendered.rsplit_once('/').map_or("/run", |(d, _)| d),
        rendered,
        writable: "/run",
    }
    .render()
}
