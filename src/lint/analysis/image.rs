//! What an image reference says about the base: its name and tag, and whether its Python is
//! externally managed (PEP 668). The image and health-check rules read them.

/// The image's name (last path component, without registry) and tag; `None` for a
/// reference pinned by digest alone, whose release gen cannot read.
pub(crate) fn name_and_tag(image: &str) -> Option<(&str, &str)> {
    let (without_digest, digest) = match image.split_once('@') {
        Some((i, _)) => (i, true),
        None => (image, false),
    };
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    match last.split_once(':') {
        Some((name, tag)) => Some((name, tag)),
        None if digest => None,
        None => Some((last, "latest")),
    }
}

/// The distribution release of a plain `ubuntu`, `debian` or `alpine` image whose Python
/// is marked externally managed (PEP 668): Ubuntu 23.04, Debian 12 and Alpine 3.19 on.
/// Only these images' `python3` is the distribution's; the official `python` images build
/// their own, which pip may install into.
pub(crate) fn externally_managed(image: &str) -> Option<String> {
    let (name, tag) = name_and_tag(image)?;
    let tag = tag.to_ascii_lowercase();
    let word = tag.split('-').next().unwrap_or("");
    let numbers = |s: &str| -> Option<(u32, u32)> {
        let mut it = s.split('.');
        let a = it.next()?.parse().ok()?;
        let b = it.next().map_or(Some(0), |b| b.parse().ok())?;
        Some((a, b))
    };
    let managed = match name {
        "ubuntu" => {
            const NEWER: [&str; 10] = [
                "lunar", "mantic", "noble", "oracular", "plucky", "questing", "resolute", "latest",
                "rolling", "devel",
            ];
            NEWER.contains(&word) || numbers(word).is_some_and(|v| v >= (23, 4))
        }
        "debian" => {
            const NEWER: [&str; 9] = [
                "bookworm",
                "trixie",
                "forky",
                "sid",
                "testing",
                "unstable",
                "stable",
                "oldstable",
                "latest",
            ];
            NEWER.contains(&word) || numbers(word).is_some_and(|(major, _)| major >= 12)
        }
        "alpine" => {
            matches!(word, "edge" | "latest") || numbers(word).is_some_and(|v| v >= (3, 19))
        }
        _ => false,
    };
    managed.then(|| format!("{name}:{tag}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn externally_managed_table() {
        let cases = [
            ("ubuntu:24.04", true),
            ("ubuntu:23.04", true),
            ("ubuntu:22.04", false),
            ("ubuntu:noble-20240423", true),
            ("ubuntu:jammy", false),
            ("ubuntu", true),
            ("docker.io/library/ubuntu:24.04", true),
            ("ubuntu@sha256:abc", false),
            ("debian:12", true),
            ("debian:12.5-slim", true),
            ("debian:bookworm-slim", true),
            ("debian:bullseye", false),
            ("debian:11", false),
            ("debian:sid", true),
            ("alpine:3.19", true),
            ("alpine:3.18.4", false),
            ("alpine:edge", true),
            ("python:3.12-slim-bookworm", false),
            ("node:22-bookworm", false),
            ("ghcr.io/acme/ubuntu-base:1", false),
        ];
        for (image, want) in cases {
            assert_eq!(externally_managed(image).is_some(), want, "{image}");
        }
    }
}
