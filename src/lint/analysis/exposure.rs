//! What a container publishes: the ports its image EXPOSEs (the Dockerfile's, and those
//! the base image EXPOSEs for it), the container ports of its `ports:` mappings in a
//! compose file, and the ports other containers or a probe reach it on.

use super::wiring::{Addr, Owner, Wiring, who};
use crate::deploy::Loc;
use crate::deploy::compose::Service;
use crate::lint::ContainerDir;
use crate::model::{Model, Origin};
use crate::parse::dockerfile::Protocol;

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

/// A TCP port something of the container listens on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listening {
    pub port: u16,
    pub origin: Origin,
    /// `nginx`, or the app as [`who`] names it.
    pub who: String,
}

impl Listening {
    /// `nginx listens on port 80`, for a label at [`Listening::origin`].
    #[must_use]
    pub fn note(&self) -> String {
        format!("{} listens on port {}", self.who, self.port)
    }
}

/// The TCP ports other containers reach this one on, nginx's first: nginx's listeners
/// and the apps' sockets that are not on loopback. `None` when gen cannot tell them all:
/// no nginx, a program or listen address it cannot read, config files whose text it does
/// not know. Worked out once per directory, on the first call.
#[must_use]
pub fn reachable(dir: &ContainerDir) -> Option<&[Listening]> {
    dir.analysis
        .reachable
        .get_or_init(|| listening(dir, false))
        .as_deref()
}

/// The TCP ports a probe run inside the container reaches: every socket nginx and the
/// apps listen on, loopback included. `None` as for [`reachable`].
#[must_use]
pub fn inside(dir: &ContainerDir) -> Option<&[Listening]> {
    dir.analysis
        .inside
        .get_or_init(|| listening(dir, true))
        .as_deref()
}

fn listening(dir: &ContainerDir, loopback: bool) -> Option<Vec<Listening>> {
    let w = Wiring::of(dir)?;
    if !w.complete || !w.nginx.unknown_files.is_empty() {
        return None;
    }
    let mut out: Vec<Listening> = Vec::new();
    // nginx's sockets first: it is what the deployment should talk to.
    let nginx_first = w
        .sockets
        .iter()
        .filter(|s| s.app().is_none())
        .chain(w.sockets.iter().filter(|s| s.app().is_some()));
    for s in nginx_first {
        let Addr::Tcp { bind, port, .. } = &s.addr else {
            continue;
        };
        if (bind.is_loopback() && !loopback) || out.iter().any(|l| l.port == *port) {
            continue;
        }
        let (origin, who) = match s.owner {
            Owner::Nginx(l) => (l.origin.clone(), "nginx".to_owned()),
            Owner::App { app, listen } => match &listen.port {
                Some(p) => (p.origin.clone(), who(app)),
                None => continue,
            },
        };
        out.push(Listening {
            port: *port,
            origin,
            who,
        });
    }
    Some(out)
}

/// A container port a compose service maps, and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    pub port: u16,
    pub loc: Loc,
}

/// The TCP container ports a compose service maps, one port each: ranges are left out.
#[must_use]
pub fn mapped(s: &Service) -> Vec<Mapped> {
    s.ports
        .iter()
        .filter(|p| p.protocol == "tcp" && p.target.0 == p.target.1)
        .map(|p| Mapped {
            port: p.target.0,
            loc: p.target_loc,
        })
        .collect()
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
}
