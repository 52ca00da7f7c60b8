//! A compose file's services: what each builds or runs, the ports it publishes (short and
//! long syntax), its health check, how long a stop may take, what it waits for, the
//! networks it joins with their aliases, and its environment. What cannot be read (a
//! variable `${PORT}` where a number goes, a value of the wrong type) is left out: unknown
//! is not wrong.

use super::{Loc, Val};
use crate::parse::span::Span;
use crate::parse::yaml::{Node, Value};

/// The compose file of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compose {
    /// Index into the project's files.
    pub file: usize,
    pub services: Vec<Service>,
    /// The top-level `networks:`.
    pub networks: Vec<Network>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub name: Val<String>,
    /// `external: true`: containers outside the project may be on it.
    pub external: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: Val<String>,
    /// `build:` or `build.context:`, as written (relative to the compose file's directory).
    pub build_context: Option<Val<String>>,
    /// `build.dockerfile:`, as written (relative to the build context).
    pub build_dockerfile: Option<Val<String>>,
    /// What of the build the command found missing on disk (set by the command, which
    /// reads the disk; `None` when all is there or it was not looked at).
    pub build_missing: Option<BuildMissing>,
    pub image: Option<Val<String>>,
    pub container_name: Option<Val<String>>,
    pub hostname: Option<Val<String>>,
    pub ports: Vec<PortMapping>,
    pub healthcheck: Option<Healthcheck>,
    /// `stop_grace_period:` in milliseconds; `None` inside when it does not parse.
    pub stop_grace_period: Option<Val<Option<u64>>>,
    pub depends_on: Vec<Dependency>,
    /// The networks it joins: `default` when it names none.
    pub networks: Vec<ServiceNetwork>,
    /// `network_mode:` (`host`, `service:x`...): the networks do not apply.
    pub network_mode: Option<Val<String>>,
    /// Names this service's containers resolve besides the services: `extra_hosts`'
    /// names and `external_links`' aliases.
    pub other_hosts: Vec<String>,
    /// `links:` as (service, alias).
    pub links: Vec<(String, String)>,
    pub environment: Vec<EnvVar>,
    /// The container directory it builds (index into the context's containers), set by
    /// the command that compared paths.
    pub container: Option<usize>,
}

/// A part of a service's build that is not on disk: `docker compose build` stops there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildMissing {
    /// The build context directory.
    Context,
    /// The Dockerfile (`build.dockerfile`, or `Dockerfile` by default) in the context.
    Dockerfile,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceNetwork {
    pub name: Val<String>,
    pub aliases: Vec<Val<String>>,
}

/// A `depends_on` entry: the service, and the long syntax's `condition` (the short syntax's
/// is `service_started`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub service: Val<String>,
    pub condition: Option<Val<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    /// The name, placed on the name alone (also in `NAME=value`).
    pub name: Val<String>,
    /// The value as written (compose interpolates `$`; `$$` is one `$`); `None` for a
    /// name without one, which takes the host's value.
    pub value: Option<Val<String>>,
}

/// `healthcheck.test`: the command's words (a shell form split on blanks), each placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Healthcheck {
    pub words: Vec<Val<String>>,
    /// `disable: true` or `test: ["NONE"]`.
    pub disabled: bool,
}

/// One published port (range) of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortMapping {
    /// The host address; `None` for every address.
    pub host_ip: Option<String>,
    /// The host ports; `None` when Docker picks one, or it is not a number gen can read.
    pub published: Option<(u16, u16)>,
    pub published_loc: Option<Loc>,
    /// The container ports.
    pub target: (u16, u16),
    pub target_loc: Loc,
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
    /// The whole entry.
    pub loc: Loc,
}

impl PortMapping {
    /// Whether this and `other` publish a common host port on a common address.
    #[must_use]
    pub fn clashes(&self, other: &Self) -> bool {
        let (Some((a1, a2)), Some((b1, b2))) = (self.published, other.published) else {
            return false;
        };
        let wildcard = |ip: &Option<String>| {
            ip.as_deref()
                .is_none_or(|i| matches!(i, "" | "0.0.0.0" | "::" | "[::]"))
        };
        self.protocol == other.protocol
            && a1 <= b2
            && b1 <= a2
            && (wildcard(&self.host_ip)
                || wildcard(&other.host_ip)
                || self.host_ip == other.host_ip)
    }

    /// `8001`, `8000-8010`, with the address when one is given.
    #[must_use]
    pub fn shown_published(&self) -> String {
        let ports = match self.published {
            Some((a, b)) if a != b => format!("{a}-{b}"),
            Some((a, _)) => a.to_string(),
            None => String::new(),
        };
        match &self.host_ip {
            Some(ip) if !ip.is_empty() => format!("{ip}:{ports}"),
            _ => ports,
        }
    }
}

/// `8000` or `8000-8010`.
fn port_range(s: &str) -> Option<(u16, u16)> {
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (a <= b).then_some((a, b))
        }
        None => {
            let p = s.trim().parse().ok()?;
            Some((p, p))
        }
    }
}

fn val(file: usize, node: &Node) -> Option<Val<String>> {
    Some(Val::new(
        node.as_str()?.to_owned(),
        Loc {
            file,
            span: node.span,
        },
    ))
}

/// The span of `part` (a byte range of the scalar's text) in the file, when the scalar is
/// written as it reads (no escapes); else the whole scalar.
fn sub_span(node: &Node, start: usize, end: usize) -> Span {
    match &node.value {
        Value::Scalar { text, .. } if text.len() == node.span.len() => {
            Span::new(node.span.start + start, node.span.start + end)
        }
        _ => node.span,
    }
}

/// A short-syntax entry: `[HOST_IP:][HOST_PORTS:]CONTAINER_PORTS[/PROTOCOL]`.
fn short_port(file: usize, node: &Node) -> Option<PortMapping> {
    let text = node.as_str()?;
    let (body, protocol) = text.split_once('/').unwrap_or((text, "tcp"));
    let (host_ip, rest, rest_at) = if let Some(v6) = body.strip_prefix('[') {
        let (ip, after) = v6.split_once("]:")?;
        (Some(ip.to_owned()), after, ip.len() + 3)
    } else {
        let colons = body.matches(':').count();
        if colons >= 2 {
            let (ip, after) = body.split_once(':')?;
            (Some(ip.to_owned()), after, ip.len() + 1)
        } else {
            (None, body, 0)
        }
    };
    let (published, target, target_at) = match rest.rsplit_once(':') {
        Some((p, t)) => (Some(p), t, rest_at + p.len() + 1),
        None => (None, rest, rest_at),
    };
    let target_range = port_range(target)?;
    let published_range = published.filter(|p| !p.is_empty()).and_then(port_range);
    let loc = |span| Loc { file, span };
    Some(PortMapping {
        host_ip,
        published: published_range,
        published_loc: published_range.map(|_| {
            loc(sub_span(
                node,
                rest_at,
                rest_at + published.map_or(0, str::len),
            ))
        }),
        target: target_range,
        target_loc: loc(sub_span(node, target_at, target_at + target.len())),
        protocol: protocol.to_ascii_lowercase(),
        loc: loc(node.span),
    })
}

/// A long-syntax entry: a map with `target`, `published`, `host_ip`, `protocol`.
fn long_port(file: usize, node: &Node) -> Option<PortMapping> {
    let target = node.get("target")?;
    let loc = |span| Loc { file, span };
    let published = node.get("published");
    let published_range = published.and_then(Node::as_str).and_then(port_range);
    Some(PortMapping {
        host_ip: node.str_at("host_ip").map(str::to_owned),
        published: published_range,
        published_loc: published
            .filter(|_| published_range.is_some())
            .map(|p| loc(p.span)),
        target: port_range(target.as_str()?)?,
        target_loc: loc(target.span),
        protocol: node
            .str_at("protocol")
            .unwrap_or("tcp")
            .to_ascii_lowercase(),
        loc: loc(node.span),
    })
}

/// A Go-style duration (`1m30s`, `10s`, `500ms`, `1.5s`) in milliseconds.
#[must_use]
pub fn duration_ms(s: &str) -> Option<u64> {
    let s = s.trim();
    if s == "0" {
        return Some(0);
    }
    let mut total = 0.0_f64;
    let mut rest = s;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest.get(..num_len)?.parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-6,
            "us" | "µs" => 1e-3,
            "ms" => 1.0,
            "s" => 1e3,
            "m" => 60e3,
            "h" => 3600e3,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += number * scale;
    }
    // Durations beyond u64 milliseconds saturate.
    (total.is_finite() && total >= 0.0).then(|| {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let ms = total.round().min(u64::MAX as f64) as u64;
        ms
    })
}

/// The words of a `healthcheck.test`.
fn healthcheck(file: usize, node: &Node) -> Healthcheck {
    let disabled = node
        .get("disable")
        .and_then(Node::as_str)
        .is_some_and(|s| s == "true");
    let mut words = Vec::new();
    let mut none = false;
    match node.get("test") {
        Some(t) if t.is_seq() => {
            let items = t.items();
            let kind = items.first().and_then(Node::as_str).unwrap_or("");
            none = kind == "NONE";
            match kind {
                "CMD" => words.extend(items.iter().skip(1).filter_map(|w| val(file, w))),
                "CMD-SHELL" => {
                    for item in items.iter().skip(1) {
                        words.extend(split_words(file, item));
                    }
                }
                _ => {}
            }
        }
        Some(t) => words.extend(split_words(file, t)),
        None => {}
    }
    Healthcheck {
        words,
        disabled: disabled || none,
    }
}

/// A shell string's blank-separated words, each placed (quotes are kept: the probe URL is
/// what is read from them, and it is rarely quoted).
fn split_words(file: usize, node: &Node) -> Vec<Val<String>> {
    let Some(text) = node.as_str() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut at = 0;
    for word in text.split([' ', '\t', '\n']) {
        if !word.is_empty() {
            let w = word.trim_matches(['"', '\'']);
            let offset = word.find(w).unwrap_or(0);
            out.push(Val::new(
                w.to_owned(),
                Loc {
                    file,
                    span: sub_span(node, at + offset, at + offset + w.len()),
                },
            ));
        }
        at += word.len() + 1;
    }
    out
}

fn environment(file: usize, node: &Node) -> Vec<EnvVar> {
    if node.is_map() {
        return node
            .entries()
            .iter()
            .filter_map(|(k, v)| {
                Some(EnvVar {
                    name: val(file, k)?,
                    value: val(file, v),
                })
            })
            .collect();
    }
    node.items()
        .iter()
        .filter_map(|item| {
            let text = item.as_str()?;
            let name = text.split('=').next().unwrap_or(text);
            let value = text.split_once('=').map(|(_, v)| {
                Val::new(
                    v.to_owned(),
                    Loc {
                        file,
                        span: sub_span(item, name.len() + 1, text.len()),
                    },
                )
            });
            Some(EnvVar {
                name: Val::new(
                    name.to_owned(),
                    Loc {
                        file,
                        span: sub_span(item, 0, name.len()),
                    },
                ),
                value,
            })
        })
        .collect()
}

/// The names of `extra_hosts` (list `name:ip` / `name=ip`, or map) and the aliases of
/// `external_links` (`container:alias`).
fn other_hosts(node: &Node) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(h) = node.get("extra_hosts") {
        out.extend(
            h.entries()
                .iter()
                .filter_map(|(k, _)| k.as_str().map(str::to_owned)),
        );
        out.extend(h.items().iter().filter_map(|i| {
            let text = i.as_str()?;
            let end = text.find([':', '=']).unwrap_or(text.len());
            Some(text[..end].to_owned())
        }));
    }
    if let Some(l) = node.get("external_links") {
        out.extend(l.items().iter().filter_map(|i| {
            let text = i.as_str()?;
            Some(text.rsplit(':').next().unwrap_or(text).to_owned())
        }));
    }
    out
}

fn service(file: usize, key: &Node, node: &Node) -> Option<Service> {
    let name = val(file, key)?;
    let build = node.get("build");
    let build_context = match build {
        Some(b) if b.is_map() => match b.get("context") {
            Some(c) => val(file, c),
            // `build:` with no context builds the compose file's directory.
            None => Some(Val::new(".".to_owned(), Loc { file, span: b.span })),
        },
        Some(b) => val(file, b),
        None => None,
    };
    let build_dockerfile = build
        .filter(|b| b.is_map())
        .and_then(|b| b.get("dockerfile"))
        .and_then(|d| val(file, d));
    let ports = node
        .get("ports")
        .map(|p| {
            p.items()
                .iter()
                .filter_map(|item| {
                    if item.is_map() {
                        long_port(file, item)
                    } else {
                        short_port(file, item)
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let depends_on = match node.get("depends_on") {
        Some(d) if d.is_map() => d
            .entries()
            .iter()
            .filter_map(|(k, v)| {
                Some(Dependency {
                    service: val(file, k)?,
                    condition: v.get("condition").and_then(|c| val(file, c)),
                })
            })
            .collect(),
        Some(d) => d
            .items()
            .iter()
            .filter_map(|i| {
                Some(Dependency {
                    service: val(file, i)?,
                    condition: None,
                })
            })
            .collect(),
        None => Vec::new(),
    };
    let networks = match node.get("networks") {
        Some(n) if n.is_map() => n
            .entries()
            .iter()
            .filter_map(|(k, v)| {
                Some(ServiceNetwork {
                    name: val(file, k)?,
                    aliases: v
                        .get("aliases")
                        .map(|a| a.items().iter().filter_map(|i| val(file, i)).collect())
                        .unwrap_or_default(),
                })
            })
            .collect(),
        Some(n) => n
            .items()
            .iter()
            .filter_map(|i| {
                Some(ServiceNetwork {
                    name: val(file, i)?,
                    aliases: Vec::new(),
                })
            })
            .collect(),
        None => vec![ServiceNetwork {
            name: Val::new("default".to_owned(), name.loc),
            aliases: Vec::new(),
        }],
    };
    Some(Service {
        build_context,
        build_dockerfile,
        build_missing: None,
        image: node.get("image").and_then(|n| val(file, n)),
        container_name: node.get("container_name").and_then(|n| val(file, n)),
        hostname: node.get("hostname").and_then(|n| val(file, n)),
        ports,
        healthcheck: node.get("healthcheck").map(|h| healthcheck(file, h)),
        stop_grace_period: node.get("stop_grace_period").and_then(|n| {
            Some(Val::new(
                duration_ms(n.as_str()?),
                Loc { file, span: n.span },
            ))
        }),
        depends_on,
        networks,
        network_mode: node.get("network_mode").and_then(|n| val(file, n)),
        other_hosts: other_hosts(node),
        links: node
            .get("links")
            .map(|l| {
                l.items()
                    .iter()
                    .filter_map(Node::as_str)
                    .map(|l| match l.split_once(':') {
                        Some((s, a)) => (s.to_owned(), a.to_owned()),
                        None => (l.to_owned(), l.to_owned()),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        environment: node
            .get("environment")
            .map(|e| environment(file, e))
            .unwrap_or_default(),
        container: None,
        name,
    })
}

/// The compose file whose first document is `doc`.
#[must_use]
pub fn read(file: usize, doc: &Node) -> Compose {
    let services = doc
        .get("services")
        .map(|s| {
            s.entries()
                .iter()
                .filter_map(|(k, v)| service(file, k, v))
                .collect()
        })
        .unwrap_or_default();
    let networks = doc
        .get("networks")
        .map(|n| {
            n.entries()
                .iter()
                .filter_map(|(k, v)| {
                    Some(Network {
                        name: val(file, k)?,
                        external: v
                            .get("external")
                            .is_some_and(|e| e.as_str() == Some("true") || e.is_map()),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Compose {
        file,
        services,
        networks,
    }
}

impl Compose {
    /// The service named `name`.
    #[must_use]
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name.value == name)
    }

    /// Whether network `name` may hold containers from outside the project.
    #[must_use]
    pub fn external(&self, name: &str) -> bool {
        self.networks
            .iter()
            .any(|n| n.name.value == name && n.external)
    }
}

impl Service {
    /// Whether `host` names this service on one of `networks`: its name, its
    /// `container_name`, `hostname`, or an alias on that network.
    #[must_use]
    pub fn answers_to(&self, host: &str, networks: &[&str]) -> bool {
        let shared: Vec<&ServiceNetwork> = self
            .networks
            .iter()
            .filter(|n| networks.contains(&n.name.value.as_str()))
            .collect();
        if shared.is_empty() {
            return false;
        }
        self.name.value == host
            || self
                .container_name
                .as_ref()
                .is_some_and(|c| c.value == host)
            || self.hostname.as_ref().is_some_and(|c| c.value == host)
            || shared
                .iter()
                .any(|n| n.aliases.iter().any(|a| a.value == host))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;

    fn compose(text: &str) -> Compose {
        let docs = yaml::parse(text).expect("yaml");
        read(0, &docs[0])
    }

    /// (entry, host ip, published, target, protocol, the target's text)
    type PortCase = (
        &'static str,
        Option<&'static str>,
        Option<(u16, u16)>,
        (u16, u16),
        &'static str,
        &'static str,
    );

    #[test]
    fn ports_table() {
        let cases: &[PortCase] = &[
            (
                "\"8001:80\"",
                None,
                Some((8001, 8001)),
                (80, 80),
                "tcp",
                "80",
            ),
            ("80", None, None, (80, 80), "tcp", "80"),
            (
                "127.0.0.1:8001:80/udp",
                Some("127.0.0.1"),
                Some((8001, 8001)),
                (80, 80),
                "udp",
                "80",
            ),
            (
                "127.0.0.1::80",
                Some("127.0.0.1"),
                None,
                (80, 80),
                "tcp",
                "80",
            ),
            (
                "\"[::1]:8080:80\"",
                Some("::1"),
                Some((8080, 8080)),
                (80, 80),
                "tcp",
                "80",
            ),
            (
                "8000-8002:9000-9002",
                None,
                Some((8000, 8002)),
                (9000, 9002),
                "tcp",
                "9000-9002",
            ),
            ("${PORT}:80", None, None, (80, 80), "tcp", "80"),
            (
                "{target: 80, published: \"8080\", host_ip: 0.0.0.0, protocol: TCP}",
                Some("0.0.0.0"),
                Some((8080, 8080)),
                (80, 80),
                "tcp",
                "80",
            ),
            (
                "{target: 443, published: 8443-8444}",
                None,
                Some((8443, 8444)),
                (443, 443),
                "tcp",
                "443",
            ),
        ];
        for (entry, ip, published, target, protocol, target_text) in cases {
            let text = format!("services:\n  web:\n    ports:\n      - {entry}\n");
            let c = compose(&text);
            let p = &c.services[0].ports[0];
            assert_eq!(
                (
                    p.host_ip.as_deref(),
                    p.published,
                    p.target,
                    p.protocol.as_str()
                ),
                (*ip, *published, *target, *protocol),
                "{entry}"
            );
            let span = p.target_loc.span;
            assert_eq!(&text[span.start..span.end], *target_text, "{entry}");
        }
    }

    #[test]
    fn bad_ports_are_left_out() {
        let c = compose(
            "services:\n  web:\n    ports:\n      - x:y\n      - {published: 80}\n      - [1]\n",
        );
        assert_eq!(c.services[0].ports, []);
    }

    #[test]
    fn clashes_table() {
        let p = |ip: Option<&str>, a: u16, b: u16, proto: &str| PortMapping {
            host_ip: ip.map(str::to_owned),
            published: Some((a, b)),
            published_loc: None,
            target: (80, 80),
            target_loc: Loc {
                file: 0,
                span: Span::default(),
            },
            protocol: proto.to_owned(),
            loc: Loc {
                file: 0,
                span: Span::default(),
            },
        };
        let cases = [
            (p(None, 80, 80, "tcp"), p(None, 80, 80, "tcp"), true),
            (p(None, 80, 80, "tcp"), p(None, 80, 80, "udp"), false),
            (p(None, 80, 90, "tcp"), p(None, 85, 85, "tcp"), true),
            (p(None, 80, 84, "tcp"), p(None, 85, 90, "tcp"), false),
            (
                p(Some("0.0.0.0"), 80, 80, "tcp"),
                p(Some("127.0.0.1"), 80, 80, "tcp"),
                true,
            ),
            (
                p(Some("127.0.0.1"), 80, 80, "tcp"),
                p(Some("127.0.0.2"), 80, 80, "tcp"),
                false,
            ),
            (
                p(Some("127.0.0.1"), 80, 80, "tcp"),
                p(Some("127.0.0.1"), 80, 80, "tcp"),
                true,
            ),
        ];
        for (a, b, want) in cases {
            assert_eq!(a.clashes(&b), want, "{a:?} {b:?}");
            assert_eq!(b.clashes(&a), want);
        }
    }

    #[test]
    fn duration_table() {
        let cases = [
            ("10s", Some(10_000)),
            ("1m30s", Some(90_000)),
            ("1.5s", Some(1_500)),
            ("500ms", Some(500)),
            ("1h", Some(3_600_000)),
            ("0", Some(0)),
            ("10", None),
            ("", None),
            ("10x", None),
            ("s", None),
        ];
        for (s, want) in cases {
            assert_eq!(duration_ms(s), want, "{s}");
        }
    }

    #[test]
    fn service_fields() {
        let text = "services:
  web:
    build:
      context: ./web
    image: acme/web
    container_name: web-1
    healthcheck:
      test: curl -fsS http://127.0.0.1/healthz
    stop_grace_period: 1m
    depends_on: [db]
    extra_hosts: [\"host.docker.internal:host-gateway\", \"api=10.0.0.5\"]
    external_links: [legacy_db_1:olddb]
    links: [\"db:database\", cache]
    networks:
      back:
        aliases: [site]
    environment:
      - APP_PORT=80
      - DEBUG
  db:
    build: ./db
    depends_on:
      web: {condition: service_healthy}
    environment:
      POSTGRES_DB: x
    healthcheck:
      test: [\"CMD\", \"pg_isready\"]
networks:
  back:
    external: true
";
        let c = compose(text);
        let web = &c.services[0];
        assert_eq!(
            web.build_context.as_ref().map(|b| b.value.as_str()),
            Some("./web")
        );
        assert_eq!(
            web.stop_grace_period.as_ref().map(|s| s.value),
            Some(Some(60_000))
        );
        let words: Vec<&str> = web
            .healthcheck
            .iter()
            .flat_map(|h| &h.words)
            .map(|w| w.value.as_str())
            .collect();
        assert_eq!(words, ["curl", "-fsS", "http://127.0.0.1/healthz"]);
        let url = &web.healthcheck.as_ref().expect("hc").words[2];
        assert_eq!(
            &text[url.loc.span.start..url.loc.span.end],
            "http://127.0.0.1/healthz"
        );
        let env: Vec<&str> = web
            .environment
            .iter()
            .map(|e| e.name.value.as_str())
            .collect();
        assert_eq!(env, ["APP_PORT", "DEBUG"]);
        let span = web.environment[0].name.loc.span;
        assert_eq!(&text[span.start..span.end], "APP_PORT");
        assert!(web.answers_to("site", &["back"]));
        assert!(web.answers_to("web-1", &["back"]));
        assert!(!web.answers_to("web", &["default"]));
        assert_eq!(web.depends_on[0].service.value, "db");
        assert_eq!(web.other_hosts, ["host.docker.internal", "api", "olddb"]);
        let links: Vec<(&str, &str)> = web
            .links
            .iter()
            .map(|(s, a)| (s.as_str(), a.as_str()))
            .collect();
        assert_eq!(links, [("db", "database"), ("cache", "cache")]);
        let db = &c.services[1];
        assert_eq!(
            db.build_context.as_ref().map(|b| b.value.as_str()),
            Some("./db")
        );
        assert_eq!(db.depends_on[0].service.value, "web");
        assert_eq!(db.environment[0].name.value, "POSTGRES_DB");
        assert_eq!(db.networks[0].name.value, "default");
        let words: Vec<&str> = db
            .healthcheck
            .iter()
            .flat_map(|h| &h.words)
            .map(|w| w.value.as_str())
            .collect();
        assert_eq!(words, ["pg_isready"]);
        assert!(c.external("back"));
    }
}
