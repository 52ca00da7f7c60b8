//! What a base image and its packages put in the image before the Dockerfile's own files:
//! the distribution family of an image reference, the files of the nginx and supervisor
//! packages (with the text of the configs gen reads), the usual binaries, and the users.
//!
//! The Debian texts are the files of Debian 12's `nginx-common` 1.22.1 and `supervisor`
//! 4.2.5 packages, as shipped; Ubuntu 24.04 ships the same layout and the same directives
//! gen reads. The Alpine texts are Alpine 3.22's `nginx` and `supervisor` configs, with the
//! comments that carry no directive left out. The nginx.org texts are those of the official
//! `nginx` image. PHP-FPM's: Debian 12's `php8.2-fpm` 8.2.36 (`php-fpm.conf` and
//! `pool.d/www.conf` without their comments), and the official `php:*-fpm` images' files
//! as their Dockerfile writes them (`php-fpm.conf`, php-src's `www.conf.default` built with
//! `--with-fpm-user=www-data`, `docker.conf`, `zz-docker.conf`); which of the last two
//! holds `listen = 9000` changed across the images' versions, and the model knows it. A RUN that edits a packaged file (`sed -i`) makes its text unknown; the
//! image model marks such files as edited.

use crate::spec::Distro;

/// Who laid out the packaged files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packaging {
    Distro(Distro),
    /// The official `nginx` image (nginx.org's packages on Debian or Alpine).
    NginxOrg(Distro),
}

impl Packaging {
    #[must_use]
    pub const fn distro(self) -> Distro {
        match self {
            Self::Distro(d) | Self::NginxOrg(d) => d,
        }
    }

    /// The name facts use: "packaged default of <name>".
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Distro(Distro::Debian) => "debian",
            Self::Distro(Distro::Ubuntu) => "ubuntu",
            Self::Distro(Distro::Alpine) => "alpine",
            Self::NginxOrg(_) => "the nginx image",
        }
    }
}

/// A file a package or base image installs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackagedFile {
    /// A config whose text gen knows.
    Text(&'static str),
    /// A file whose text does not matter here (a binary, `mime.types`).
    Opaque,
    Dir,
    Symlink(&'static str),
}

const DEBIAN_NGINX_CONF: &str = include_str!("packaged/debian-nginx.conf");
const DEBIAN_SITES_DEFAULT: &str = include_str!("packaged/debian-sites-default");
/// The `proxy_params` that sites include with `include proxy_params;`.
const DEBIAN_PROXY_PARAMS: &str = include_str!("packaged/debian-proxy-params");
const DEBIAN_SUPERVISORD_CONF: &str = include_str!("packaged/debian-supervisord.conf");
const ALPINE_NGINX_CONF: &str = include_str!("packaged/alpine-nginx.conf");
const ALPINE_HTTP_DEFAULT: &str = include_str!("packaged/alpine-http-default.conf");
const ALPINE_SUPERVISORD_CONF: &str = include_str!("packaged/alpine-supervisord.conf");
const NGINXORG_NGINX_CONF: &str = include_str!("packaged/nginxorg-nginx.conf");
const NGINXORG_DEFAULT_CONF: &str = include_str!("packaged/nginxorg-default.conf");
const DEBIAN_PHP82_FPM_CONF: &str = include_str!("packaged/debian-php8.2-fpm.conf");
const DEBIAN_PHP82_WWW_CONF: &str = include_str!("packaged/debian-php8.2-www.conf");
const PHPIMAGE_FPM_CONF: &str = include_str!("packaged/phpimage-php-fpm.conf");
const PHPIMAGE_WWW_CONF: &str = include_str!("packaged/phpimage-www.conf");
const PHPIMAGE_DOCKER_CONF: &str = include_str!("packaged/phpimage-docker.conf");
const PHPIMAGE_ZZ_DOCKER_CONF: &str = include_str!("packaged/phpimage-zz-docker.conf");

/// The image's name (last path component, without registry) and tag.
fn name_and_tag(image: &str) -> (&str, &str) {
    let image = image.split('@').next().unwrap_or(image);
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((name, tag)) => (name, tag),
        None => (last, "latest"),
    }
}

/// The distribution an image reference is built on, when its name or tag says so.
#[must_use]
pub fn distro_of(image: &str) -> Option<Distro> {
    let (name, tag) = name_and_tag(image);
    let tag = tag.to_ascii_lowercase();
    match name {
        "alpine" => return Some(Distro::Alpine),
        "ubuntu" => return Some(Distro::Ubuntu),
        "debian" => return Some(Distro::Debian),
        _ => {}
    }
    if tag.contains("alpine") {
        return Some(Distro::Alpine);
    }
    if ["noble", "jammy", "focal", "oracular", "plucky"]
        .iter()
        .any(|c| tag.contains(c))
    {
        return Some(Distro::Ubuntu);
    }
    // The official language images are Debian unless their tag says otherwise.
    let official_debian = [
        "node",
        "python",
        "nginx",
        "ruby",
        "golang",
        "openjdk",
        "eclipse-temurin",
        "php",
        "perl",
        "rust",
        "buildpack-deps",
    ];
    if official_debian.contains(&name)
        || ["bookworm", "bullseye", "buster", "trixie", "slim"]
            .iter()
            .any(|c| tag.contains(c))
    {
        return Some(Distro::Debian);
    }
    None
}

/// How the base image itself is laid out (the nginx image ships nginx configured).
#[must_use]
pub fn base_packaging(image: &str) -> Option<Packaging> {
    let distro = distro_of(image)?;
    let (name, _) = name_and_tag(image);
    Some(if name == "nginx" {
        Packaging::NginxOrg(distro)
    } else {
        Packaging::Distro(distro)
    })
}

/// What every image of a distribution (or an official language image) has.
#[must_use]
pub fn base_files(image: &str, packaging: Packaging) -> Vec<(&'static str, PackagedFile)> {
    use PackagedFile::{Dir, Opaque, Symlink};
    let mut out = vec![
        ("/bin/sh", Opaque),
        ("/usr/bin/env", Opaque),
        ("/tmp", Dir),
        ("/run", Dir),
        ("/var/log", Dir),
        ("/dev/stdout", Opaque),
        ("/dev/stderr", Opaque),
        ("/dev/null", Opaque),
    ];
    match packaging.distro() {
        Distro::Alpine => out.extend([
            ("/bin/busybox", Opaque),
            // busybox's applet: every Alpine image can `wget` a health check.
            ("/usr/bin/wget", Opaque),
        ]),
        Distro::Debian | Distro::Ubuntu => out.push(("/bin/bash", Opaque)),
    }
    let (name, tag) = name_and_tag(image);
    if name == "php" && tag.contains("fpm") {
        out.extend([
            ("/usr/local/sbin/php-fpm", Opaque),
            ("/usr/local/bin/php", Opaque),
            (
                "/usr/local/etc/php-fpm.conf",
                PackagedFile::Text(PHPIMAGE_FPM_CONF),
            ),
            ("/usr/local/etc/php-fpm.d", Dir),
            (
                "/usr/local/etc/php-fpm.d/www.conf",
                PackagedFile::Text(PHPIMAGE_WWW_CONF),
            ),
            (
                "/usr/local/etc/php-fpm.d/docker.conf",
                PackagedFile::Text(PHPIMAGE_DOCKER_CONF),
            ),
            (
                "/usr/local/etc/php-fpm.d/zz-docker.conf",
                PackagedFile::Text(PHPIMAGE_ZZ_DOCKER_CONF),
            ),
            ("/var/www/html", Dir),
        ]);
    }
    match name {
        "node" => out.extend([
            ("/usr/local/bin/node", Opaque),
            ("/usr/local/bin/npm", Opaque),
            ("/usr/local/bin/npx", Opaque),
        ]),
        "python" => out.extend([
            ("/usr/local/bin/python", Opaque),
            ("/usr/local/bin/python3", Opaque),
            ("/usr/local/bin/pip", Opaque),
            ("/usr/local/bin/pip3", Opaque),
        ]),
        _ => {}
    }
    if let Packaging::NginxOrg(_) = packaging {
        out.extend([
            ("/usr/sbin/nginx", Opaque),
            (
                "/etc/nginx/nginx.conf",
                PackagedFile::Text(NGINXORG_NGINX_CONF),
            ),
            (
                "/etc/nginx/conf.d/default.conf",
                PackagedFile::Text(NGINXORG_DEFAULT_CONF),
            ),
            ("/etc/nginx/mime.types", Opaque),
            ("/etc/nginx/fastcgi_params", Opaque),
            ("/etc/nginx/scgi_params", Opaque),
            ("/etc/nginx/uwsgi_params", Opaque),
            ("/usr/share/nginx/html/index.html", Opaque),
            ("/var/cache/nginx", Dir),
            // The image sends nginx's logs to the container's output.
            ("/var/log/nginx/access.log", Symlink("/dev/stdout")),
            ("/var/log/nginx/error.log", Symlink("/dev/stderr")),
        ]);
    }
    out
}

/// The users every image of the packaging has, besides those packages add.
#[must_use]
pub fn base_users(image: &str, packaging: Packaging) -> Vec<&'static str> {
    let mut out = vec!["root", "nobody"];
    match packaging.distro() {
        Distro::Debian | Distro::Ubuntu => out.extend(["www-data", "daemon"]),
        Distro::Alpine => {}
    }
    if name_and_tag(image).0 == "node" {
        out.push("node");
    }
    if let Packaging::NginxOrg(_) = packaging {
        out.push("nginx");
    }
    out
}

/// The files a distribution package installs, for the packages gen models.
#[must_use]
pub fn package_files(distro: Distro, package: &str) -> Vec<(&'static str, PackagedFile)> {
    use PackagedFile::{Dir, Opaque, Symlink, Text};
    let debian = distro != Distro::Alpine;
    match package {
        "nginx" | "nginx-full" | "nginx-light" | "nginx-core" | "nginx-extras" | "nginx-common"
            if debian =>
        {
            vec![
                ("/usr/sbin/nginx", Opaque),
                ("/etc/nginx/nginx.conf", Text(DEBIAN_NGINX_CONF)),
                (
                    "/etc/nginx/sites-available/default",
                    Text(DEBIAN_SITES_DEFAULT),
                ),
                // Made by the package's postinst, which apt runs during the build.
                (
                    "/etc/nginx/sites-enabled/default",
                    Symlink("/etc/nginx/sites-available/default"),
                ),
                ("/etc/nginx/conf.d", Dir),
                ("/etc/nginx/modules-enabled", Dir),
                ("/etc/nginx/mime.types", Opaque),
                ("/etc/nginx/fastcgi.conf", Opaque),
                ("/etc/nginx/fastcgi_params", Opaque),
                ("/etc/nginx/proxy_params", Text(DEBIAN_PROXY_PARAMS)),
                ("/etc/nginx/scgi_params", Opaque),
                ("/etc/nginx/uwsgi_params", Opaque),
                ("/etc/nginx/snippets/fastcgi-php.conf", Opaque),
                ("/etc/nginx/snippets/snakeoil.conf", Opaque),
                ("/var/log/nginx", Dir),
                ("/var/lib/nginx", Dir),
                ("/var/www/html", Dir),
            ]
        }
        "nginx" if !debian => vec![
            ("/usr/sbin/nginx", Opaque),
            ("/etc/nginx/nginx.conf", Text(ALPINE_NGINX_CONF)),
            ("/etc/nginx/http.d/default.conf", Text(ALPINE_HTTP_DEFAULT)),
            ("/etc/nginx/conf.d", Dir),
            ("/etc/nginx/modules", Dir),
            ("/etc/nginx/mime.types", Opaque),
            ("/etc/nginx/fastcgi.conf", Opaque),
            ("/etc/nginx/fastcgi_params", Opaque),
            ("/etc/nginx/scgi_params", Opaque),
            ("/etc/nginx/uwsgi_params", Opaque),
            ("/var/log/nginx", Dir),
            ("/var/lib/nginx", Dir),
        ],
        "supervisor" if debian => vec![
            ("/usr/bin/supervisord", Opaque),
            ("/usr/bin/supervisorctl", Opaque),
            ("/usr/bin/pidproxy", Opaque),
            (
                "/etc/supervisor/supervisord.conf",
                Text(DEBIAN_SUPERVISORD_CONF),
            ),
            ("/etc/supervisor/conf.d", Dir),
            ("/var/log/supervisor", Dir),
        ],
        "supervisor" => vec![
            ("/usr/bin/supervisord", Opaque),
            ("/usr/bin/supervisorctl", Opaque),
            ("/etc/supervisord.conf", Text(ALPINE_SUPERVISORD_CONF)),
            ("/etc/supervisor.d", Dir),
        ],
        "php8.2-fpm" if debian => vec![
            ("/usr/sbin/php-fpm8.2", Opaque),
            ("/etc/php/8.2/fpm/php-fpm.conf", Text(DEBIAN_PHP82_FPM_CONF)),
            ("/etc/php/8.2/fpm/pool.d", Dir),
            (
                "/etc/php/8.2/fpm/pool.d/www.conf",
                Text(DEBIAN_PHP82_WWW_CONF),
            ),
        ],
        "python3" | "python3-minimal" => vec![("/usr/bin/python3", Opaque)],
        "python-is-python3" => vec![("/usr/bin/python", Symlink("/usr/bin/python3"))],
        "python3-pip" => vec![("/usr/bin/pip3", Opaque), ("/usr/bin/pip", Opaque)],
        "py3-pip" => vec![("/usr/bin/pip3", Opaque), ("/usr/bin/pip", Opaque)],
        "nodejs" => vec![("/usr/bin/node", Opaque)],
        "npm" => vec![("/usr/bin/npm", Opaque), ("/usr/bin/npx", Opaque)],
        "curl" => vec![("/usr/bin/curl", Opaque)],
        "wget" => vec![("/usr/bin/wget", Opaque)],
        "tini" => vec![(
            if debian {
                "/usr/bin/tini"
            } else {
                "/sbin/tini"
            },
            Opaque,
        )],
        "dumb-init" => vec![("/usr/bin/dumb-init", Opaque)],
        "bash" if !debian => vec![("/bin/bash", Opaque)],
        _ => Vec::new(),
    }
}

/// The users a package's install scripts create.
#[must_use]
pub fn package_users(distro: Distro, package: &str) -> Vec<&'static str> {
    match (distro, package) {
        (Distro::Alpine, "nginx") => vec!["nginx"],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distro_table() {
        let cases = [
            ("ubuntu:24.04", Some(Distro::Ubuntu)),
            ("debian:12-slim", Some(Distro::Debian)),
            ("alpine:3.22", Some(Distro::Alpine)),
            ("node:22-alpine3.22", Some(Distro::Alpine)),
            ("node:22", Some(Distro::Debian)),
            ("python:3.12-slim-bookworm", Some(Distro::Debian)),
            ("docker.io/library/python:3.12", Some(Distro::Debian)),
            ("nginx:1.27-alpine", Some(Distro::Alpine)),
            ("buildpack-deps:noble", Some(Distro::Ubuntu)),
            ("ghcr.io/acme/app:1.0", None),
            ("ubuntu@sha256:abc", Some(Distro::Ubuntu)),
        ];
        for (image, want) in cases {
            assert_eq!(distro_of(image), want, "{image}");
        }
        assert_eq!(
            base_packaging("nginx:1.27"),
            Some(Packaging::NginxOrg(Distro::Debian))
        );
    }

    #[test]
    fn packaged_texts_parse() {
        for text in [
            DEBIAN_NGINX_CONF,
            DEBIAN_SITES_DEFAULT,
            DEBIAN_PROXY_PARAMS,
            ALPINE_NGINX_CONF,
            ALPINE_HTTP_DEFAULT,
            NGINXORG_NGINX_CONF,
            NGINXORG_DEFAULT_CONF,
        ] {
            assert!(crate::parse::nginx::parse(text).is_ok(), "{text}");
        }
        for text in [DEBIAN_SUPERVISORD_CONF, ALPINE_SUPERVISORD_CONF] {
            assert!(crate::parse::supervisord::parse(text).is_ok(), "{text}");
        }
    }
}
