//! Compose's name resolution as nginx in one service meets it: which service a host name
//! reaches (its service name, `container_name`, a network alias or a `links` alias) over the
//! networks the two share.

use crate::deploy::compose::{Compose, Service};
use std::net::IpAddr;

/// A host that is not a service name: an address, `localhost`, a dotted name (resolved by
/// DNS outside the project), or one built from variables.
#[must_use]
pub fn not_a_service_name(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok()
        || bare == "localhost"
        || bare.contains(['.', '$', ':'])
        || bare.is_empty()
}

/// What a host name a service's nginx proxies to is, in the compose project.
#[derive(Debug, Clone, Copy)]
pub enum Resolution<'a> {
    /// The service it reaches: a `links` alias, or a name the service answers to on a
    /// network both join.
    Service(&'a Service),
    /// A service by that name or `container_name`, on no network the proxying service joins.
    OffNetwork(&'a Service),
    /// No service has that name.
    Unknown,
}

/// What `host` reaches from service `from`, which joins `networks`.
#[must_use]
pub fn resolve<'a>(
    compose: &'a Compose,
    from: &Service,
    host: &str,
    networks: &[&str],
) -> Resolution<'a> {
    let linked = from
        .links
        .iter()
        .find(|(_, alias)| alias == host)
        .and_then(|(name, _)| compose.service(name));
    let target = linked.or_else(|| {
        compose
            .services
            .iter()
            .find(|t| t.answers_to(host, networks))
    });
    if let Some(t) = target {
        return Resolution::Service(t);
    }
    compose
        .services
        .iter()
        .find(|t| {
            t.name.value == *host || t.container_name.as_ref().is_some_and(|c| c.value == *host)
        })
        .map_or(Resolution::Unknown, Resolution::OffNetwork)
}

/// Every name a service of the project answers to: service names, `container_name`s and
/// network aliases, for "did you mean".
#[must_use]
pub fn names(compose: &Compose) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for t in &compose.services {
        names.push(&t.name.value);
        names.extend(t.container_name.iter().map(|c| c.value.as_str()));
        for n in &t.networks {
            names.extend(n.aliases.iter().map(|a| a.value.as_str()));
        }
    }
    names
}

/// `network `backend``, `networks `a`, `b``.
#[must_use]
pub fn joined(s: &Service) -> String {
    let names: Vec<String> = s
        .networks
        .iter()
        .map(|n| format!("`{}`", n.name.value))
        .collect();
    match names.as_slice() {
        [one] => format!("network {one}"),
        _ => format!("networks {}", names.join(", ")),
    }
}
