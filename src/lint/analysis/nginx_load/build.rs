//! Which nginx a container runs: its version (from the base image and the distribution's
//! package) and which modules it has loaded. The facts are those of the packages as built:
//! Debian 12 and Ubuntu 24.04 build the optional modules below into the `nginx` binary and
//! ship `geoip`, `image_filter`, `perl`, `xslt`, `mail` and `stream` as `libnginx-mod-*`
//! packages (`nginx -V` of 1.22.1-9 and 1.24.0-2ubuntu7); Alpine ships the same six as
//! `nginx-mod-*`; nginx.org's image builds `mail` and `stream` in and installs `geoip`,
//! `image_filter`, `xslt` and `njs` without loading them.
//!
//! The third-party modules the distributions package (`libnginx-mod-http-headers-more-filter`,
//! `nginx-mod-http-lua`...) are in the table too ([`table::Module`]), by release. An
//! installed module package loads its module through the file it puts in
//! `/etc/nginx/modules-enabled/` (Debian, Ubuntu) or `/etc/nginx/modules/` (Alpine), which
//! the packaged nginx.conf includes: a config of the user's own without that `include` (and
//! without the module's `load_module`) does not load it. Where gen does not know (a base
//! image it cannot place, a module package or a `.so` it has no table for), it says nothing
//! about the names it does not know.

use super::table::{self, Release, Row, Version, table};
use crate::model::{Model, Nginx, Packaging};
use crate::spec::Distro;

/// The nginx of one container, as far as gen knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    /// `None`: a version the table does not cover, or one gen cannot tell.
    pub version: Option<Version>,
    /// Who built it, for messages: "Debian's nginx".
    pub who: Option<&'static str>,
    packaging: Option<Packaging>,
    /// The release the third-party module rows name, when gen can tell.
    release: Option<Release>,
    /// Packages installed by RUN, with the module packages they pull in.
    packages: Vec<String>,
    /// The `.so` files `load_module` loads.
    loaded: Vec<String>,
    /// Whether the config includes the directory where module packages put their
    /// `load_module` line (or gen cannot see all of the config, so it may).
    includes_modules: bool,
    /// A module gen has no table for may be loaded (a third-party module package, an
    /// unknown `load_module`, nginx not from a package gen knows): unknown names are not
    /// judged.
    pub open: bool,
    /// A loaded third-party module defines variables gen does not know: variables are not
    /// judged.
    pub variables_open: bool,
}

/// A dynamic module: its modules' name prefix in the table, its `.so`, and its package
/// on Debian/Ubuntu and Alpine.
struct Dynamic {
    module: &'static str,
    so: &'static str,
    debian: &'static str,
    alpine: &'static str,
    /// Installed in nginx.org's image (not loaded).
    nginx_org: bool,
    /// The module package its package depends on (and so installs): the stream module's.
    needs: Option<(&'static str, &'static str)>,
}

const DYNAMIC: [Dynamic; 7] = [
    Dynamic {
        module: "ngx_http_geoip_module",
        so: "ngx_http_geoip_module.so",
        debian: "libnginx-mod-http-geoip",
        alpine: "nginx-mod-http-geoip",
        nginx_org: true,
        needs: None,
    },
    Dynamic {
        module: "ngx_http_image_filter_module",
        so: "ngx_http_image_filter_module.so",
        debian: "libnginx-mod-http-image-filter",
        alpine: "nginx-mod-http-image-filter",
        nginx_org: true,
        needs: None,
    },
    Dynamic {
        module: "ngx_http_perl_module",
        so: "ngx_http_perl_module.so",
        debian: "libnginx-mod-http-perl",
        alpine: "nginx-mod-http-perl",
        nginx_org: false,
        needs: None,
    },
    Dynamic {
        module: "ngx_http_xslt_filter_module",
        so: "ngx_http_xslt_filter_module.so",
        debian: "libnginx-mod-http-xslt-filter",
        alpine: "nginx-mod-http-xslt-filter",
        nginx_org: true,
        needs: None,
    },
    Dynamic {
        module: "ngx_stream_geoip_module",
        so: "ngx_stream_geoip_module.so",
        debian: "libnginx-mod-stream-geoip",
        alpine: "nginx-mod-stream-geoip",
        nginx_org: false,
        needs: Some(("libnginx-mod-stream", "nginx-mod-stream")),
    },
    // The mail and stream modules are one `.so` each; matched by prefix.
    Dynamic {
        module: "ngx_mail_",
        so: "ngx_mail_module.so",
        debian: "libnginx-mod-mail",
        alpine: "nginx-mod-mail",
        nginx_org: false,
        needs: None,
    },
    Dynamic {
        module: "ngx_stream_",
        so: "ngx_stream_module.so",
        debian: "libnginx-mod-stream",
        alpine: "nginx-mod-stream",
        nginx_org: false,
        needs: None,
    },
];

/// The packages that install the distribution's nginx.
const NGINX_PACKAGES: [&str; 5] = [
    "nginx",
    "nginx-core",
    "nginx-light",
    "nginx-full",
    "nginx-extras",
];

/// Whether a module of a row is there to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleState {
    Loaded,
    /// A dynamic module this nginx does not load: how to load it.
    NotLoaded {
        so: &'static str,
        how: Provide,
    },
}

/// How a module that is not loaded would be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provide {
    /// Install this package (its `modules-enabled/` or `modules/` file loads it).
    Package(&'static str),
    /// The package is installed, but the config does not include the directory whose file
    /// loads it (`include` this pattern in the main context).
    Include(&'static str),
    /// A `load_module` line (the `.so` is in the image).
    LoadModule,
    /// No package of this distribution release has it.
    Unpackaged,
}

/// The directory glob module packages put their `load_module` file in, by distribution.
const fn modules_dir(d: Distro) -> &'static str {
    match d {
        Distro::Alpine => "/etc/nginx/modules/*.conf",
        Distro::Debian | Distro::Ubuntu => "/etc/nginx/modules-enabled/*.conf",
    }
}

/// The release the third-party module rows name for a base image.
fn release_of(image: &str, packaging: Packaging) -> Option<Release> {
    let name = match packaging {
        Packaging::NginxOrg(_) => "nginx.org",
        Packaging::Distro(d) => match (d, distro_version(image, d)?) {
            (Distro::Debian, "1.22") => "bookworm",
            (Distro::Debian, _) => "trixie",
            (Distro::Ubuntu, _) => "noble",
            (Distro::Alpine, _) => "alpine",
        },
    };
    Release::of(name)
}

/// A third-party module's package on a distribution.
const fn package_of(m: &table::Module, d: Distro) -> Option<&'static str> {
    match d {
        Distro::Alpine => m.alpine,
        Distro::Debian | Distro::Ubuntu => m.debian,
    }
}

fn tag_of(image: &str) -> (&str, &str) {
    let image = image.split('@').next().unwrap_or(image);
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':').unwrap_or((last, "latest"))
}

/// The nginx version a distribution's package installs on this base image.
fn distro_version(image: &str, distro: Distro) -> Option<&'static str> {
    let (name, tag) = tag_of(image);
    let tag = tag.to_ascii_lowercase();
    match distro {
        Distro::Debian => {
            if tag.contains("bookworm") || (name == "debian" && tag.starts_with("12")) {
                Some("1.22")
            } else if tag.contains("trixie") || (name == "debian" && tag.starts_with("13")) {
                Some("1.26")
            } else {
                None
            }
        }
        Distro::Ubuntu => (tag.contains("noble") || (name == "ubuntu" && tag.starts_with("24.04")))
            .then_some("1.24"),
        Distro::Alpine => {
            let v = if name == "alpine" {
                tag.as_str()
            } else {
                tag.split("alpine").nth(1).unwrap_or("")
            };
            let minor: String = v
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let mut parts = minor.split('.');
            match (parts.next(), parts.next()) {
                (Some("3"), Some("20" | "21")) => Some("1.26"),
                (Some("3"), Some("22" | "23")) => Some("1.28"),
                _ => None,
            }
        }
    }
}

/// The version of the official `nginx` image's tag.
fn nginx_org_version(tag: &str) -> Option<&'static str> {
    let tag = tag.to_ascii_lowercase();
    if tag.starts_with("stable") {
        return Some("1.28");
    }
    if [
        "latest", "mainline", "alpine", "bookworm", "trixie", "perl", "otel",
    ]
    .iter()
    .any(|t| tag.starts_with(t))
    {
        return Some("1.29");
    }
    let minor: String = tag
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let mut parts = minor.split('.');
    let (Some("1"), Some(m)) = (parts.next(), parts.next()) else {
        return None;
    };
    super::table::VERSIONS
        .iter()
        .copied()
        .find(|v| v.strip_prefix("1.") == Some(m))
}

impl Build {
    /// The nginx of a container's model.
    #[must_use]
    pub fn of(m: &Model, n: &Nginx) -> Self {
        let packages: Vec<String> = m.packages.iter().map(|p| p.value.clone()).collect();
        let packaging = m.packaging.as_ref().map(|p| p.value);
        let image = m
            .base_image
            .as_ref()
            .map(|b| b.value.as_str())
            .unwrap_or("");
        let from_package = packages
            .iter()
            .any(|p| NGINX_PACKAGES.contains(&p.as_str()));
        let (version, who) = match packaging {
            // nginx from another repository (nginx.org's, a PPA): a version gen cannot tell.
            _ if m.foreign_sources => (None, None),
            Some(Packaging::NginxOrg(_)) => (
                nginx_org_version(tag_of(image).1),
                Some("nginx.org's nginx"),
            ),
            Some(Packaging::Distro(d)) if from_package => (
                distro_version(image, d),
                Some(match d {
                    Distro::Debian => "Debian's nginx",
                    Distro::Ubuntu => "Ubuntu's nginx",
                    Distro::Alpine => "Alpine's nginx",
                }),
            ),
            _ => (None, None),
        };
        let release = packaging
            .filter(|_| who.is_some())
            .and_then(|p| release_of(image, p));
        let t = table();
        let mut loaded: Vec<String> = n
            .find("load_module")
            .filter_map(|(_, d)| d.arg(0))
            .map(|a| a.rsplit('/').next().unwrap_or(a).to_owned())
            .collect();
        let known_so =
            |so: &str| DYNAMIC.iter().any(|d| d.so == so) || t.modules().iter().any(|m| m.so == so);
        // The module packages of this release, by package name.
        let distro = packaging.map(Packaging::distro);
        let packaged = |p: &str| -> Vec<&'static table::Module> {
            match (distro, release) {
                (Some(d), Some(r)) => t
                    .modules()
                    .iter()
                    .filter(|m| m.in_release(r) && package_of(m, d) == Some(p))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let third_party = packages.iter().any(|p| {
            (p.starts_with("libnginx-mod-")
                || p.starts_with("nginx-mod-")
                || p.starts_with("nginx-module-"))
                && !DYNAMIC.iter().any(|d| d.debian == p || d.alpine == p)
                && packaged(p).is_empty()
                || matches!(p.as_str(), "nginx-full" | "nginx-extras")
        });
        let open = who.is_none() || third_party || loaded.iter().any(|so| !known_so(so));
        // What the installed module packages load, when the config includes their
        // directory: their `.so`, and those of the packages they depend on.
        let includes_modules = distro.is_some_and(|d| includes_modules_dir(n, d));
        let mut installed = packages.clone();
        for p in &packages {
            for m in packaged(p) {
                for so in m.needs {
                    let dep = t
                        .modules()
                        .iter()
                        .filter(|x| x.so == *so)
                        .filter_map(|x| distro.and_then(|d| package_of(x, d)))
                        .chain(DYNAMIC.iter().filter(|x| x.so == *so).filter_map(|x| {
                            distro.map(|d| {
                                if d == Distro::Alpine {
                                    x.alpine
                                } else {
                                    x.debian
                                }
                            })
                        }));
                    installed.extend(dep.map(str::to_owned));
                }
            }
            if let Some((debian, alpine)) = DYNAMIC
                .iter()
                .find(|d| d.debian == p || d.alpine == p)
                .and_then(|d| d.needs)
            {
                installed.push(
                    if distro == Some(Distro::Alpine) {
                        alpine
                    } else {
                        debian
                    }
                    .to_owned(),
                );
            }
        }
        if includes_modules {
            for p in &installed {
                loaded.extend(packaged(p).iter().map(|m| m.so.to_owned()));
            }
        }
        let variables_open = t.modules().iter().any(|m| {
            m.variables_open
                && loaded.iter().any(|so| so == m.so)
                && release.is_none_or(|r| m.in_release(r))
        });
        Self {
            version: version.and_then(Version::of),
            who,
            packaging,
            release,
            packages: installed,
            loaded,
            includes_modules,
            open,
            variables_open,
        }
    }

    /// Whether a row is declared by this nginx (its version, and for a third-party
    /// module's row, the module version its release packages), when gen can tell.
    #[must_use]
    pub fn declares(&self, row: &Row) -> bool {
        self.version.is_none_or(|v| row.in_version(v))
            && self.release.is_none_or(|r| row.in_release(r))
    }

    /// Whether `$name` is a variable of a third-party module this nginx loads.
    #[must_use]
    pub fn module_variable(&self, name: &str) -> bool {
        let Some(r) = self.release else {
            return false;
        };
        let t = table();
        t.modules().iter().any(|m| {
            self.loaded.iter().any(|so| so == m.so) && t.module_has_variable(m.name, name, r)
        })
    }

    /// Whether a row of a third-party module is loaded here.
    fn third_party(&self, row: &Row) -> ModuleState {
        let t = table();
        let (Some(m), Some(packaging), Some(release)) =
            (t.module(row.module()), self.packaging, self.release)
        else {
            return ModuleState::Loaded;
        };
        if self.loaded.iter().any(|so| so == m.so) {
            return ModuleState::Loaded;
        }
        let how = match packaging {
            Packaging::NginxOrg(_) if m.in_release(release) => Provide::LoadModule,
            Packaging::NginxOrg(_) => Provide::Unpackaged,
            Packaging::Distro(d) => match package_of(m, d).filter(|_| m.in_release(release)) {
                None => Provide::Unpackaged,
                Some(p) if self.packages.iter().any(|q| q == p) => Provide::Include(modules_dir(d)),
                Some(p) => Provide::Package(p),
            },
        };
        ModuleState::NotLoaded { so: m.so, how }
    }

    /// Whether nginx's own module `module` is surely in this nginx, for a check that errs
    /// when it is (where [`Self::module`] gives the benefit of the doubt): gen knows this
    /// nginx, and the module is built in by every packaging gen knows, or is a dynamic
    /// module the config loads. `ngx_http_v3_module` is not built in by all of them.
    #[must_use]
    pub fn surely_has(&self, module: &str) -> bool {
        if self.who.is_none() || self.version.is_none() || module == "ngx_http_v3_module" {
            return false;
        }
        let Some(d) = DYNAMIC.iter().find(|d| {
            module == d.module || (d.module.ends_with('_') && module.starts_with(d.module))
        }) else {
            return true;
        };
        let package = match self.packaging {
            Some(Packaging::Distro(Distro::Alpine)) => Some(d.alpine),
            Some(Packaging::Distro(_)) => Some(d.debian),
            // nginx.org's binary builds the mail and stream modules in.
            Some(Packaging::NginxOrg(_)) if d.module.ends_with('_') => return true,
            _ => None,
        };
        self.loaded.iter().any(|so| so == d.so)
            || self.includes_modules
                && package.is_some_and(|p| self.packages.iter().any(|q| q == p))
    }

    /// Whether a row's module is loaded here. Modules gen knows nothing about count as
    /// loaded.
    #[must_use]
    pub fn module(&self, row: &Row) -> ModuleState {
        if row.third_party() {
            return self.third_party(row);
        }
        let Some(d) = DYNAMIC.iter().find(|d| {
            row.module() == d.module
                || (d.module.ends_with('_') && row.module().starts_with(d.module))
        }) else {
            return ModuleState::Loaded;
        };
        let Some(packaging) = self.packaging.filter(|_| self.who.is_some()) else {
            return ModuleState::Loaded;
        };
        if self.loaded.iter().any(|so| so == d.so) {
            return ModuleState::Loaded;
        }
        let (package, distro) = match packaging {
            Packaging::NginxOrg(_) => {
                if d.module.ends_with('_') {
                    // Built into nginx.org's binary.
                    return ModuleState::Loaded;
                }
                if d.nginx_org {
                    (None, None)
                } else {
                    // perl and stream geoip need nginx.org's own package repository.
                    return ModuleState::Loaded;
                }
            }
            Packaging::Distro(Distro::Alpine) => (Some(d.alpine), Some(Distro::Alpine)),
            Packaging::Distro(x) => (Some(d.debian), Some(x)),
        };
        // An installed module package loads itself through the packaged config's
        // `modules-enabled/` (Debian) or `modules/` (Alpine) include.
        let how = match (package, distro) {
            (Some(p), Some(x)) if self.packages.iter().any(|q| q == p) => {
                if self.includes_modules {
                    return ModuleState::Loaded;
                }
                Provide::Include(modules_dir(x))
            }
            (Some(p), _) => Provide::Package(p),
            (None, _) => Provide::LoadModule,
        };
        ModuleState::NotLoaded { so: d.so, how }
    }
}

/// Whether nginx reads the directory module packages put their `load_module` file in: an
/// `include` of it in the main context, or a config gen cannot see all of (so it may).
fn includes_modules_dir(n: &Nginx, d: Distro) -> bool {
    if n.loose || n.unseen || !n.unknown_files.is_empty() {
        return true;
    }
    let dir = modules_dir(d).strip_suffix("*.conf").unwrap_or_default();
    n.find("include").any(|(_, inc)| {
        inc.parent.is_none()
            && inc.arg(0).is_some_and(|a| {
                let full = crate::model::path::join("/etc/nginx", a);
                full.strip_prefix(dir)
                    .is_some_and(|rest| !rest.contains('/') && rest.contains('*'))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_of_base_images() {
        let cases = [
            ("debian:12", Distro::Debian, Some("1.22")),
            ("python:3.12-slim-bookworm", Distro::Debian, Some("1.22")),
            ("debian:trixie-slim", Distro::Debian, Some("1.26")),
            ("node:22", Distro::Debian, None),
            ("ubuntu:24.04", Distro::Ubuntu, Some("1.24")),
            ("ubuntu:22.04", Distro::Ubuntu, None),
            ("alpine:3.22", Distro::Alpine, Some("1.28")),
            ("alpine:3.21.3", Distro::Alpine, Some("1.26")),
            ("node:22-alpine3.22", Distro::Alpine, Some("1.28")),
            ("node:22-alpine", Distro::Alpine, None),
            ("alpine", Distro::Alpine, None),
        ];
        for (image, distro, want) in cases {
            assert_eq!(distro_version(image, distro), want, "{image}");
        }
        assert_eq!(nginx_org_version("1.28.0-alpine"), Some("1.28"));
        assert_eq!(nginx_org_version("stable-alpine"), Some("1.28"));
        assert_eq!(nginx_org_version("latest"), Some("1.29"));
        assert_eq!(nginx_org_version("1.27"), None);
    }
}
