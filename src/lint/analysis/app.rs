//! Which proxy directives reach which app (through `upstream` groups too), and where nginx
//! connects from: what the app rules read.

use crate::lint::analysis::nginx::upstream_of;
use crate::model::{App, AppListen, Nginx, ProxyTarget, Target};

/// One way requests reach an app: the `proxy_pass` of a location, the address it connects
/// to (the `proxy_pass` itself, or a `server` of its upstream), and the app's listen there.
pub(crate) struct Route<'a> {
    pub proxy: &'a ProxyTarget,
    pub endpoint: &'a ProxyTarget,
    pub listen: &'a AppListen,
}

/// Whether nginx connecting to `endpoint` reaches `listen`: the same unix socket, or the
/// same TCP port (in one container, two listeners cannot share a port on one address).
fn reaches(endpoint: &ProxyTarget, listen: &AppListen) -> bool {
    match (&endpoint.target, &listen.unix, &listen.port) {
        (Target::Unix { path }, Some(u), _) => *path == u.value,
        (Target::Tcp { port: Some(p), .. }, None, Some(port)) => port.port() == Some(*p),
        _ => false,
    }
}

/// Every route to `app`.
pub(crate) fn routes<'a>(n: &'a Nginx, app: &'a App) -> Vec<Route<'a>> {
    let mut out = Vec::new();
    for p in n.proxies.iter().filter(|p| p.kind == "proxy_pass") {
        let endpoints: Vec<&ProxyTarget> = match upstream_of(n, p) {
            Some(name) => n
                .upstreams
                .iter()
                .filter(|u| u.name == name)
                .flat_map(|u| u.servers.iter().filter_map(|&i| n.proxies.get(i)))
                .collect(),
            None => vec![p],
        };
        for e in endpoints {
            for l in app.listens.iter().filter(|l| reaches(e, l)) {
                out.push(Route {
                    proxy: p,
                    endpoint: e,
                    listen: l,
                });
            }
        }
    }
    out
}

/// Where nginx's connections to an endpoint come from, as the app sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Peer {
    /// 127.0.0.1 (a loopback IPv4 target).
    Loopback4,
    /// ::1.
    Loopback6,
    /// A unix socket: the app sees no client address at all.
    Unix,
    /// The container's own address on its network (a host name or non-loopback address).
    Network,
}

impl Peer {
    pub(crate) fn of(endpoint: &ProxyTarget) -> Option<Self> {
        match &endpoint.target {
            Target::Unix { .. } => Some(Self::Unix),
            Target::Tcp { host, .. } => match host.parse::<std::net::IpAddr>() {
                Ok(ip) if ip.is_loopback() && ip.is_ipv4() => Some(Self::Loopback4),
                Ok(ip) if ip.is_loopback() => Some(Self::Loopback6),
                // `localhost` may be either loopback address: nginx tries both.
                _ if host == "localhost" => None,
                _ => Some(Self::Network),
            },
            _ => None,
        }
    }

    pub(crate) const fn describe(self) -> &'static str {
        match self {
            Self::Loopback4 => "from 127.0.0.1",
            Self::Loopback6 => "from ::1",
            Self::Unix => "over a unix socket, which has no client address",
            Self::Network => "from the container's network address",
        }
    }
}

/// Whether a comma-separated list of trusted addresses (uvicorn's and gunicorn's
/// `--forwarded-allow-ips`) covers `peer`: `Some(false)` no, `None` when gen cannot tell
/// (a network address against a list with networks in it).
pub(crate) fn ips_trust(list: &str, peer: Peer) -> Option<bool> {
    let items: Vec<&str> = list
        .split(',')
        .map(|s| s.trim().trim_matches(['\'', '"']))
        .filter(|s| !s.is_empty())
        .collect();
    if items.contains(&"*") {
        return Some(true);
    }
    let ip = match peer {
        Peer::Unix => return Some(false),
        Peer::Loopback4 => std::net::IpAddr::from([127, 0, 0, 1]),
        Peer::Loopback6 => std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        Peer::Network => {
            let all_loopback = items.iter().all(|i| {
                i.parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
            });
            return if all_loopback { Some(false) } else { None };
        }
    };
    Some(items.iter().any(|i| covers(i, ip)))
}

/// Whether `item` (an address or a network `a.b.c.d/n`) contains `ip`.
fn covers(item: &str, ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    let (addr, bits) = match item.split_once('/') {
        Some((a, b)) => (a, b.parse::<u32>().ok()),
        None => (item, None),
    };
    let Ok(net) = addr.parse::<IpAddr>() else {
        return false;
    };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(n) & mask == u32::from(i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ips_trust_table() {
        let cases = [
            ("127.0.0.1", Peer::Loopback4, Some(true)),
            ("127.0.0.1", Peer::Loopback6, Some(false)),
            ("127.0.0.1,::1", Peer::Loopback6, Some(true)),
            ("127.0.0.0/8", Peer::Loopback4, Some(true)),
            ("::/0", Peer::Loopback6, Some(true)),
            ("*", Peer::Unix, Some(true)),
            ("'*'", Peer::Unix, Some(true)),
            ("127.0.0.1", Peer::Unix, Some(false)),
            ("127.0.0.1", Peer::Network, Some(false)),
            ("172.16.0.0/12", Peer::Network, None),
            ("10.0.0.1", Peer::Loopback4, Some(false)),
        ];
        for (list, peer, want) in cases {
            assert_eq!(ips_trust(list, peer), want, "{list} {peer:?}");
        }
    }
}
