//! What a container publishes: the ports its image EXPOSEs (the Dockerfile's, and those
//! the base image EXPOSEs for it), and the container ports of its `ports:` mappings in a
//! compose file.

use super::wiring::{Addr, Owner, Wiring};
use crate::lint::ContainerDir;
use crate::model::{Model, Origin};
use crate::parse::dockerfile::Protocol;
use crate::parse::span::Span;

/// A TCP port range the image EXPOSEs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposed {
    pub first: u16,
    pub last: u16,
    /// The Dockerfile's EXPOSE word; `None` when the base image EXPOSEs it.
    pub origin: Option<Origin>,
}

impl Exposed {
    #[must_use]
    pub fn contains(&self, port: u16) -> bool {
        (self.first..=self.last).contains(&port)
    }

    /// `8000` or `8000-8010`.
    #[must_use]
    pub fn shown(&self) -> String {
        if self.first == self.last {
            self.first.to_string()
        } else {
            format!("{}-{}", self.first, self.last)
        }
    }
}

/// The repository and tag of an image reference, without the Docker Hub prefixes; the
/// repository keeps any other namespace (`nginxinc/nginx-unprivileged`).
fn repository(image: &str) -> (String, String) {
    let image = image.split('@').next().unwrap_or(image);
    let image = image.strip_prefix("docker.io/").unwrap_or(image);
    let image = image.strip_prefix("library/").unwrap_or(image);
    let (repo, tag) = match image.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, t),
        _ => (image, "latest"),
    };
    (repo.to_owned(), tag.to_ascii_lowercase())
}

/// The ports a base image EXPOSEs, for the images gen knows; `None` for any other.
fn base_exposes(image: &str) -> Option<Vec<u16>> {
    let (repo, tag) = repository(image);
    match repo.as_str() {
        "scratch" | "alpine" | "ubuntu" | "debian" | "busybox" | "node" | "python" | "ruby"
        | "golang" | "rust" | "perl" | "buildpack-deps" | "eclipse-temurin" | "openjdk"
        | "fedora" | "amazonlinux" | "rockylinux" | "almalinux" => Some(Vec::new()),
        "nginx" | "httpd" => Some(vec![80]),
        "nginxinc/nginx-unprivileged" => Some(vec![8080]),
        "php" if tag.contains("fpm") => Some(vec![9000]),
        "php" if tag.contains("apache") => Some(vec![80]),
        "php" => Some(Vec::new()),
        _ => None,
    }
}

/// The TCP ports the image EXPOSEs, the base image's first; `None` when the base image is
/// one gen does not know (it may EXPOSE more).
#[must_use]
pub fn exposed(m: &Model) -> Option<Vec<Exposed>> {
    let base = m.base_image.as_ref()?;
    let mut out: Vec<Exposed> = base_exposes(&base.value)?
        .into_iter()
        .map(|p| Exposed {
            first: p,
            last: p,
            origin: None,
        })
        .collect();
    out.extend(m.expose.iter().filter_map(|e| {
        let (first, last) = e.value.ports?;
        (e.value.protocol == Protocol::Tcp).then(|| Exposed {
            first,
            last,
            origin: Some(e.origin.clone()),
        })
    }));
    Some(out)
}

/// The TCP ports other containers reach this one on, each with where it is set: nginx's
/// listeners and the apps' sockets that are not on loopback. `None` when gen cannot tell
/// them all: no nginx, a program or listen address it cannot read, config files whose
/// text it does not know.
#[must_use]
pub fn reachable(dir: &ContainerDir) -> Option<Vec<(u16, Origin)>> {
    listening(dir, false)
}

/// The TCP ports a probe run inside the container reaches: every socket nginx and the
/// apps listen on, loopback included. `None` as for [`reachable`].
#[must_use]
pub fn inside(dir: &ContainerDir) -> Option<Vec<(u16, Origin)>> {
    listening(dir, true)
}

fn listening(dir: &ContainerDir, loopback: bool) -> Option<Vec<(u16, Origin)>> {
    let w = Wiring::of(dir)?;
    if !w.complete || !w.nginx.unknown_files.is_empty() {
        return None;
    }
    let mut out: Vec<(u16, Origin)> = Vec::new();
    for s in &w.sockets {
        let Addr::Tcp { bind, port, .. } = &s.addr else {
            continue;
        };
        if (bind.is_loopback() && !loopback) || out.iter().any(|(p, _)| p == port) {
            continue;
        }
        let origin = match s.owner {
            Owner::Nginx(l) => l.origin.clone(),
            Owner::App { listen, .. } => match &listen.port {
                Some(p) => p.origin.clone(),
                None => continue,
            },
        };
        out.push((*port, origin));
    }
    Some(out)
}

/// One `ports:` entry of a compose service: the container port and its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub container: u16,
    pub span: Span,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The container side of a short-syntax entry (`"8001:80"`, `127.0.0.1:8001:80/tcp`,
/// `80`), with its byte range in `value`; `None` for ranges, UDP, and what does not parse.
fn container_port(value: &str) -> Option<(u16, usize, usize)> {
    let (body, proto) = value.split_once('/').unwrap_or((value, "tcp"));
    if proto != "tcp" {
        return None;
    }
    let start = body.rfind(':').map_or(0, |i| i + 1);
    let port = body.get(start..)?.parse().ok()?;
    Some((port, start, body.len()))
}

/// The container ports `service` maps in a compose file, read line by line (the layout
/// `gen build` writes, and the usual hand-written one): the short syntax and the long
/// syntax's `target:`.
#[must_use]
pub fn compose_ports(text: &str, service: &str) -> Vec<Mapping> {
    let mut out = Vec::new();
    let mut in_services = false;
    let mut service_indent: Option<usize> = None;
    let mut ports_indent: Option<usize> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let at = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let content = line.split(" #").next().unwrap_or(line).trim_end();
        let trimmed = content.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let ind = indent(content);
        if ind == 0 {
            in_services = trimmed == "services:";
            service_indent = None;
            ports_indent = None;
            continue;
        }
        if !in_services {
            continue;
        }
        if let Some(p) = ports_indent {
            if ind > p || (ind == p && trimmed.starts_with("- ")) {
                let item = trimmed.strip_prefix("- ").unwrap_or(trimmed).trim();
                let value = match item.strip_prefix("target:") {
                    Some(v) => v.trim(),
                    // The long syntax's other keys (`published:`, `protocol:`...).
                    None if item.contains(": ") || item.ends_with(':') => continue,
                    None => item,
                };
                let unquoted = value.trim_matches(['"', '\'']);
                if let (Some((port, s, e)), Some(pos)) =
                    (container_port(unquoted), content.rfind(unquoted))
                {
                    out.push(Mapping {
                        container: port,
                        span: Span::new(at + pos + s, at + pos + e),
                    });
                }
                continue;
            }
            ports_indent = None;
        }
        match service_indent {
            Some(si) if ind > si => {
                if trimmed == "ports:" {
                    ports_indent = Some(ind);
                }
            }
            _ => {
                service_indent = None;
                let key = trimmed.strip_suffix(':').unwrap_or("");
                if key.trim_matches(['"', '\'']) == service {
                    service_indent = Some(ind);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_exposes_table() {
        let cases = [
            ("ubuntu:24.04", Some(vec![])),
            ("docker.io/library/alpine:3.22", Some(vec![])),
            ("nginx:1.27-alpine", Some(vec![80])),
            ("nginxinc/nginx-unprivileged:1.27", Some(vec![8080])),
            ("php:8.3-fpm-alpine", Some(vec![9000])),
            ("python:3.12-slim", Some(vec![])),
            ("ghcr.io/acme/app:1.0", None),
            ("registry:5000/python", None),
        ];
        for (image, want) in cases {
            assert_eq!(base_exposes(image), want, "{image}");
        }
    }

    #[test]
    fn compose_ports_of_one_service() {
        let text = "services:\n  web:\n    image: web\n    ports:\n      - \"8001:80\"\n      - 127.0.0.1:9000:9000/tcp # admin\n      - 5353:53/udp\n      - target: 443\n        published: 8443\n    networks:\n      - backend\n  other:\n    ports:\n      - \"7000:7000\"\nnetworks:\n  web:\n    ports:\n      - 1:1\n";
        let got: Vec<(u16, &str)> = compose_ports(text, "web")
            .iter()
            .map(|m| (m.container, &text[m.span.start..m.span.end]))
            .collect();
        assert_eq!(got, [(80, "80"), (9000, "9000"), (443, "443")]);
        assert_eq!(compose_ports(text, "missing"), []);
        let other: Vec<u16> = compose_ports(text, "other")
            .iter()
            .map(|m| m.container)
            .collect();
        assert_eq!(other, [7000]);
    }
}
