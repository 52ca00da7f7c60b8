//! Base images: which distribution family an image reference belongs to, and what gen knows
//! about each release (package versions to pin, packaged paths).

/// The distribution family decides the package manager, the nginx user and packaged paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Distro {
    Ubuntu,
    Debian,
    Alpine,
}

impl Distro {
    pub const ALL: [(&'static str, Self); 3] = [
        ("ubuntu", Self::Ubuntu),
        ("debian", Self::Debian),
        ("alpine", Self::Alpine),
    ];

    #[must_use]
    pub const fn is_debian_like(self) -> bool {
        matches!(self, Self::Ubuntu | Self::Debian)
    }

    /// The user nginx's worker processes run as in the distribution's package.
    #[must_use]
    pub const fn nginx_user(self) -> &'static str {
        if self.is_debian_like() {
            "www-data"
        } else {
            "nginx"
        }
    }

    /// Where the distribution's supervisor package keeps its main config.
    #[must_use]
    pub const fn supervisord_conf(self) -> &'static str {
        if self.is_debian_like() {
            "/etc/supervisor/supervisord.conf"
        } else {
            "/etc/supervisord.conf"
        }
    }
}

/// A base image reference, split into what gen needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    /// The reference exactly as written in the spec (`ubuntu:24.04`).
    pub image: String,
    pub distro: Distro,
    /// The tag, e.g. `24.04` or `3.22`.
    pub release: String,
}

/// Package versions for one distribution release, as version patterns that keep the upstream
/// version fixed and let the distribution's security patches in (`nginx=1.24.*`,
/// `nginx=~1.28`). `None` for a release gen has no table for: packages are then unpinned,
/// and the Dockerfile says why next to the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packages {
    pub nginx: &'static str,
    pub supervisor: &'static str,
    pub python: &'static str,
    pub nodejs: &'static str,
    pub curl: &'static str,
}

impl Base {
    #[must_use]
    pub fn packages(&self) -> Option<Packages> {
        let p = |nginx, supervisor, python, nodejs, curl| {
            Some(Packages {
                nginx,
                supervisor,
                python,
                nodejs,
                curl,
            })
        };
        match (self.distro, self.release.as_str()) {
            (Distro::Ubuntu, "24.04" | "noble") => {
                p("1.24.*", "4.2.*", "3.12.*", "18.19.*", "8.5.*")
            }
            (Distro::Ubuntu, "22.04" | "jammy") => {
                p("1.18.*", "4.2.*", "3.10.*", "12.22.*", "7.81.*")
            }
            (Distro::Debian, "12" | "bookworm") => {
                p("1.22.*", "4.2.*", "3.11.*", "18.19.*", "7.88.*")
            }
            (Distro::Debian, "13" | "trixie") => {
                p("1.26.*", "4.2.*", "3.13.*", "20.19.*", "8.14.*")
            }
            (Distro::Alpine, "3.22") => p("1.28", "4.2", "3.12", "22", ""),
            (Distro::Alpine, "3.21") => p("1.26", "4.2", "3.12", "22", ""),
            (Distro::Alpine, "3.20") => p("1.26", "4.2", "3.12", "20", ""),
            _ => None,
        }
    }

    /// Splits `[registry/][namespace/]name:tag`; the name's last path component decides the
    /// family (`docker.io/library/ubuntu:24.04` is Ubuntu). A digest alone is not enough: a
    /// tag names the release.
    ///
    /// # Errors
    /// A message and a hint when the reference is malformed, has no tag, or names an image
    /// family gen does not know.
    pub fn parse(image: &str) -> Result<Self, (String, String)> {
        let valid = |c: char| c.is_ascii_alphanumeric() || "._-/:@".contains(c);
        if image.is_empty() || !image.chars().all(valid) {
            return Err((
                format!("`{}` is not an image reference", crate::spec::shown(image)),
                "write it like `ubuntu:24.04`: letters, digits and `._-/:@` only".into(),
            ));
        }
        let without_digest = image.split('@').next().unwrap_or(image);
        let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
        let Some((name, tag)) = last.split_once(':') else {
            return Err((
                format!("base image `{image}` has no tag"),
                format!("pin the release, e.g. `{last}:TAG`: an untagged base changes under you"),
            ));
        };
        let Some(&(_, distro)) = Distro::ALL.iter().find(|(n, _)| *n == name) else {
            return Err((
                format!("gen does not know the base image family `{name}`"),
                "use an `ubuntu`, `debian` or `alpine` image".into(),
            ));
        };
        if tag.is_empty() || tag == "latest" {
            return Err((
                format!("base image `{image}` does not pin a release"),
                format!(
                    "name the release, e.g. `{name}:{}`",
                    default_release(distro)
                ),
            ));
        }
        Ok(Self {
            image: image.to_owned(),
            distro,
            release: tag.to_owned(),
        })
    }
}

const fn default_release(d: Distro) -> &'static str {
    match d {
        Distro::Ubuntu => "24.04",
        Distro::Debian => "12",
        Distro::Alpine => "3.22",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let ok = [
            ("ubuntu:24.04", Distro::Ubuntu, "24.04"),
            ("alpine:3.22", Distro::Alpine, "3.22"),
            ("docker.io/library/debian:12", Distro::Debian, "12"),
            (
                "registry:5000/x/alpine:3.21@sha256:ab",
                Distro::Alpine,
                "3.21",
            ),
        ];
        for (image, distro, release) in ok {
            let b = Base::parse(image).expect(image);
            assert_eq!((b.distro, b.release.as_str()), (distro, release), "{image}");
        }
        for bad in [
            "",
            "ubuntu",
            "ubuntu:latest",
            "centos:7",
            "ubuntu:24.04\nRUN x",
            "a b:1",
        ] {
            assert!(Base::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn known_releases_pin_packages() {
        let b = Base::parse("ubuntu:24.04").expect("valid");
        assert_eq!(b.packages().map(|p| p.nginx), Some("1.24.*"));
        assert!(
            Base::parse("ubuntu:25.10")
                .expect("valid")
                .packages()
                .is_none()
        );
    }
}
