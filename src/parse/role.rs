//! File roles: the one table that says, for each kind of file gen reads, which parser reads
//! it (`gen parse --as`) and how it writes comments (for suppression comments), and the one
//! guess from a file's name. Everything that needs a file's kind asks here: suppression
//! comments, `gen parse` without `--as`, the Dockerfile a directory builds with, the
//! container finder. Where the model knows better (it read `app.conf` as supervisord's
//! program file because the Dockerfile copies it there), the lint context takes the model's
//! role and the name is only the fallback.

/// What a file is to gen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Dockerfile,
    Nginx,
    Supervisord,
    Compose,
    Kubernetes,
    /// A gunicorn config file (Python that gunicorn executes).
    Gunicorn,
    /// A uWSGI ini file.
    Uwsgi,
    /// A PHP-FPM config or pool file.
    PhpFpm,
    /// gen's spec.toml.
    Spec,
    /// `gen.toml`, `.gen.toml`.
    GenConfig,
    /// The app's Python source.
    Python,
    /// The app's JavaScript source.
    JavaScript,
    /// Shell scripts, `.env` files, requirements files.
    Shell,
    /// An ini file of no program gen knows.
    Ini,
    /// Other TOML.
    Toml,
    /// Other YAML.
    Yaml,
}

/// How a file writes comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentSyntax {
    /// `#` at the start of a line only; `\` continues an instruction.
    Dockerfile,
    /// `#` at the start of a token, outside quotes; statements end at `;`, `{` or `}`.
    Nginx,
    /// Shell scripts, requirements files: `#` at the start of a token, outside quotes.
    Shell,
    /// supervisord and other ini files, as Python's configparser reads them: `;` or `#`
    /// starting a line, or after whitespace.
    Ini,
    /// uWSGI's ini files: `;` or `#` starting a line only (a `;` after a value is part of
    /// it).
    UwsgiIni,
    /// PHP-FPM's configs, as PHP's ini scanner reads them: `;` outside double quotes, and
    /// lines starting with `#`.
    PhpIni,
    Python,
    /// JavaScript: `//` and `/* */` outside strings.
    Js,
    Toml,
    /// Compose files and manifests: `#` after whitespace or at a line's start, outside
    /// quoted scalars (a quote opens one only where a value starts: `it's` is plain text).
    Yaml,
}

/// One row of the table.
#[derive(Debug)]
pub struct Row {
    pub role: Role,
    /// The kind `gen parse --as` names it by; `None` when `gen parse` does not print it.
    pub parse_as: Option<&'static str>,
    pub comments: CommentSyntax,
}

/// Every role, with its parser and comment syntax.
pub const TABLE: &[Row] = &[
    row(
        Role::Dockerfile,
        Some("dockerfile"),
        CommentSyntax::Dockerfile,
    ),
    row(Role::Nginx, Some("nginx"), CommentSyntax::Nginx),
    row(Role::Supervisord, Some("supervisord"), CommentSyntax::Ini),
    row(Role::Compose, Some("compose"), CommentSyntax::Yaml),
    row(Role::Kubernetes, Some("kubernetes"), CommentSyntax::Yaml),
    row(Role::Gunicorn, Some("gunicorn"), CommentSyntax::Python),
    row(Role::Uwsgi, Some("uwsgi"), CommentSyntax::UwsgiIni),
    row(Role::PhpFpm, Some("php-fpm"), CommentSyntax::PhpIni),
    row(Role::Spec, Some("spec"), CommentSyntax::Toml),
    row(Role::GenConfig, None, CommentSyntax::Toml),
    row(Role::Python, None, CommentSyntax::Python),
    row(Role::JavaScript, None, CommentSyntax::Js),
    row(Role::Shell, None, CommentSyntax::Shell),
    row(Role::Ini, None, CommentSyntax::Ini),
    row(Role::Toml, None, CommentSyntax::Toml),
    row(Role::Yaml, None, CommentSyntax::Yaml),
];

const fn row(role: Role, parse_as: Option<&'static str>, comments: CommentSyntax) -> Row {
    Row {
        role,
        parse_as,
        comments,
    }
}

/// The file names of a compose project's compose file, in the order compose looks.
pub const COMPOSE_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

impl Role {
    fn row(self) -> &'static Row {
        // Every role has its row (a test says so); the first row stands in otherwise.
        TABLE.iter().find(|r| r.role == self).unwrap_or(&TABLE[0])
    }

    /// How files of this role write comments.
    #[must_use]
    pub fn comments(self) -> CommentSyntax {
        self.row().comments
    }

    /// The kind `gen parse --as` names this role by, if `gen parse` prints it.
    #[must_use]
    pub fn parse_as(self) -> Option<&'static str> {
        self.row().parse_as
    }

    /// The role a file's name suggests (`path` may have directories, `/` or `\`), when
    /// nothing better is known; `None` for a name gen does not know (or a file without
    /// comments, like JSON).
    #[must_use]
    pub fn of_name(path: &str) -> Option<Self> {
        let name = path
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(path)
            .to_ascii_lowercase();
        let path = path.to_ascii_lowercase().replace('\\', "/");
        let ext = |e: &str| {
            name.strip_suffix(e)
                .is_some_and(|stem| stem.ends_with('.') && stem.len() > 1)
        };
        let role = if is_dockerfile_name(&name) {
            Self::Dockerfile
        } else if COMPOSE_FILES.contains(&name.as_str()) {
            Self::Compose
        } else if name == "spec.toml" {
            Self::Spec
        } else if name == "gen.toml" || name == ".gen.toml" {
            Self::GenConfig
        } else if name == "gunicorn.conf.py" || name == "gunicorn_conf.py" {
            Self::Gunicorn
        } else if name == "php-fpm.conf"
            || (ext("conf") && (path.contains("php-fpm.d/") || path.contains("/fpm/")))
        {
            Self::PhpFpm
        } else if ext("ini") && name.contains("uwsgi") {
            Self::Uwsgi
        } else if ext("ini") {
            Self::Ini
        } else if ext("conf") && path.contains("supervisor") {
            Self::Supervisord
        } else if ext("conf") || name.starts_with("nginx") {
            Self::Nginx
        } else if ext("py") {
            Self::Python
        } else if ext("js") || ext("mjs") || ext("cjs") {
            Self::JavaScript
        } else if ext("toml") {
            Self::Toml
        } else if ext("sh") || name == ".env" || (name.starts_with("requirements") && ext("txt")) {
            Self::Shell
        } else if (ext("yaml") || ext("yml"))
            && (path.starts_with("k8s/") || path.contains("/k8s/"))
        {
            Self::Kubernetes
        } else if ext("yaml") || ext("yml") {
            Self::Yaml
        } else {
            return None;
        };
        Some(role)
    }
}

/// Whether a file name is one a Dockerfile goes by: `Dockerfile`, `Containerfile`,
/// `Dockerfile.prod`, `Dockerfile-dev`, `Dockerfile_dev`, `web.Dockerfile`.
/// `Dockerfile.dockerignore` (a Dockerfile's own ignore file) and documentation are not.
#[must_use]
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let not = [".dockerignore", ".md", ".txt", ".orig", ".bak", ".swp", "~"];
    if not.iter().any(|s| lower.ends_with(s)) {
        return false;
    }
    ["dockerfile", "containerfile"].iter().any(|base| {
        lower == *base
            || lower.ends_with(&format!(".{base}"))
            || [".", "-", "_"]
                .iter()
                .any(|sep| lower.starts_with(&format!("{base}{sep}")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_one_row() {
        for r in TABLE {
            assert_eq!(
                TABLE.iter().filter(|x| x.role == r.role).count(),
                1,
                "{:?}",
                r.role
            );
        }
        let all = [
            Role::Dockerfile,
            Role::Nginx,
            Role::Supervisord,
            Role::Compose,
            Role::Kubernetes,
            Role::Gunicorn,
            Role::Uwsgi,
            Role::PhpFpm,
            Role::Spec,
            Role::GenConfig,
            Role::Python,
            Role::JavaScript,
            Role::Shell,
            Role::Ini,
            Role::Toml,
            Role::Yaml,
        ];
        assert_eq!(all.len(), TABLE.len());
        for role in all {
            assert!(TABLE.iter().any(|r| r.role == role), "{role:?}");
        }
    }

    #[test]
    fn roles_by_name() {
        let cases = [
            ("Dockerfile", Some(Role::Dockerfile)),
            ("dir/Dockerfile.dev", Some(Role::Dockerfile)),
            ("app.Dockerfile", Some(Role::Dockerfile)),
            ("Containerfile", Some(Role::Dockerfile)),
            ("Dockerfile-8.2-fpm", Some(Role::Dockerfile)),
            ("Dockerfile.md", None),
            ("Dockerfile.dockerignore", None),
            ("supervisord.conf", Some(Role::Supervisord)),
            ("supervisor/conf.d/app.conf", Some(Role::Supervisord)),
            ("programs.ini", Some(Role::Ini)),
            ("uwsgi.ini", Some(Role::Uwsgi)),
            ("app_uwsgi.ini", Some(Role::Uwsgi)),
            ("php-fpm.conf", Some(Role::PhpFpm)),
            ("php-fpm.d/www.conf", Some(Role::PhpFpm)),
            ("nginx.conf", Some(Role::Nginx)),
            ("conf.d/default.conf", Some(Role::Nginx)),
            ("nginx.conf.template", Some(Role::Nginx)),
            ("gunicorn.conf.py", Some(Role::Gunicorn)),
            ("app.py", Some(Role::Python)),
            ("server.mjs", Some(Role::JavaScript)),
            ("app.js", Some(Role::JavaScript)),
            ("spec.toml", Some(Role::Spec)),
            (".gen.toml", Some(Role::GenConfig)),
            ("pyproject.toml", Some(Role::Toml)),
            ("entrypoint.sh", Some(Role::Shell)),
            ("requirements.txt", Some(Role::Shell)),
            ("requirements-dev.txt", Some(Role::Shell)),
            ("generated/compose.yaml", Some(Role::Compose)),
            ("docker-compose.yml", Some(Role::Compose)),
            ("k8s/web.yml", Some(Role::Kubernetes)),
            ("generated/k8s/web.yaml", Some(Role::Kubernetes)),
            ("ci.yaml", Some(Role::Yaml)),
            ("package.json", None),
            ("README.md", None),
            (".conf", None),
            ("notes.txt", None),
        ];
        for (path, want) in cases {
            assert_eq!(Role::of_name(path), want, "{path}");
        }
    }

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "dockerfile",
            "Containerfile",
            "Dockerfile.prod",
            "Dockerfile-8.2.7-fpm-bullseye",
            "Dockerfile_dev",
            "python3.12.dockerfile",
            "web.Dockerfile",
            "Containerfile.alpine",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            "Dockerfile.md",
            "dockerfile.txt",
            "Dockerfile~",
            "dockerfiles",
            "my-dockerfile-notes",
            "nginx.conf",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}
