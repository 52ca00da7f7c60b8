//! The deployment as the linter sees it: a project's compose file and Kubernetes
//! manifests, read into typed facts that each carry where they are written ([`Loc`]), and
//! linked to the container directories they build or run. The container model
//! ([`crate::model`]) says what one image does; this says how the images are run together:
//! which ports are published, which names resolve to which container, how long a stop may
//! take, which environment each gets.
//!
//! The commands read the files and pass them in ([`Project::new`]); linking a compose
//! service to its container directory compares paths on disk, so the command does it too
//! ([`compose::Service::container`]), and [`Project::link_k8s`] then places Kubernetes
//! containers by their image.

pub mod compose;
pub mod k8s;

use crate::diagnostic::Label;
use crate::parse::span::Span;
use crate::parse::yaml;

pub use compose::Compose;
pub use k8s::K8s;

/// A compose file or manifest of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployFile {
    /// As shown in diagnostics (`generated/compose.yaml`).
    pub path: String,
    pub text: String,
}

/// A place in one of the project's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loc {
    /// Index into [`Project::files`].
    pub file: usize,
    pub span: Span,
}

/// A value and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Val<T> {
    pub value: T,
    pub loc: Loc,
}

impl<T> Val<T> {
    pub(crate) const fn new(value: T, loc: Loc) -> Self {
        Self { value, loc }
    }
}

/// The file names that make a directory a compose project.
pub use crate::parse::role::COMPOSE_FILES;

/// A file that is not YAML gen can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub loc: Loc,
}

/// A compose project and the Kubernetes manifests beside it.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project's directory as shown in diagnostics (`generated`).
    pub root: String,
    pub files: Vec<DeployFile>,
    pub compose: Option<Compose>,
    pub k8s: K8s,
    pub problems: Vec<Problem>,
    /// Written by `gen build` from the spec: a comment in it would not survive.
    pub generated: bool,
}

impl Project {
    /// The project from its compose file (if any) and manifests, parsed.
    #[must_use]
    pub fn new(root: String, compose: Option<DeployFile>, manifests: Vec<DeployFile>) -> Self {
        let mut project = Self {
            root,
            files: Vec::new(),
            compose: None,
            k8s: K8s::default(),
            problems: Vec::new(),
            generated: false,
        };
        if let Some(file) = compose {
            let index = project.files.len();
            let docs = project.parse(index, &file.text);
            project.files.push(file);
            if let Some(doc) = docs.first() {
                project.compose = Some(compose::read(index, doc));
            }
        }
        for file in manifests {
            let index = project.files.len();
            // A Helm or other Go template is YAML only once rendered: nothing to read yet.
            let docs = if file.text.contains("{{") {
                Vec::new()
            } else {
                project.parse(index, &file.text)
            };
            project.files.push(file);
            for doc in &docs {
                project.k8s.read(index, doc);
            }
        }
        project
    }

    fn parse(&mut self, file: usize, text: &str) -> Vec<yaml::Node> {
        match yaml::parse(text) {
            Ok(docs) => docs,
            Err(e) => {
                self.problems.push(Problem {
                    message: e.message,
                    loc: Loc { file, span: e.span },
                });
                Vec::new()
            }
        }
    }

    /// A label at `loc`.
    #[must_use]
    pub fn label(&self, loc: Loc, message: impl Into<String>) -> Label {
        match self.files.get(loc.file) {
            Some(f) => Label::new(&f.path, &f.text, loc.span, message),
            None => Label::file(&self.root, message),
        }
    }

    /// The path of the file of `loc`, as shown.
    #[must_use]
    pub fn path(&self, loc: Loc) -> &str {
        self.files.get(loc.file).map_or(&self.root, |f| &f.path)
    }

    /// Places each Kubernetes container with the container directory its image is built
    /// from: the compose service with the same image repository, or the directory named
    /// like it. `dirs` are the container directories' names, by index.
    pub fn link_k8s(&mut self, dirs: &[&str]) {
        let by_service: Vec<(String, usize)> = self
            .compose
            .iter()
            .flat_map(|c| &c.services)
            .filter_map(|s| Some((repository(&s.image.as_ref()?.value), s.container?)))
            .collect();
        for w in &mut self.k8s.workloads {
            for c in &mut w.containers {
                let Some(image) = &c.image else { continue };
                let repo = repository(&image.value);
                c.container = by_service
                    .iter()
                    .find(|(r, _)| *r == repo)
                    .map(|(_, i)| *i)
                    .or_else(|| dirs.iter().position(|d| *d == repo));
            }
        }
    }
}

/// An image reference's repository, without registry, tag and digest:
/// `ghcr.io/acme/web:1.2` is `acme/web`, `localhost:5000/web` is `web`.
#[must_use]
pub fn repository(image: &str) -> String {
    let image = image.split('@').next().unwrap_or(image);
    let (first, rest) = image.split_once('/').unwrap_or(("", image));
    // A first component with a dot, a colon or `localhost` is a registry.
    let path = if !first.is_empty()
        && (first.contains('.') || first.contains(':') || first == "localhost")
    {
        rest
    } else {
        image
    };
    let path = match path.rsplit_once(':') {
        Some((p, tag)) if !tag.contains('/') => p,
        _ => path,
    };
    path.strip_prefix("library/").unwrap_or(path).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_table() {
        let cases = [
            ("web", "web"),
            ("web:1.2", "web"),
            ("acme/web:1.2", "acme/web"),
            ("ghcr.io/acme/web:1.2", "acme/web"),
            ("localhost:5000/web", "web"),
            ("registry:5000/web:2", "web"),
            ("docker.io/library/nginx:1.27", "nginx"),
            ("web@sha256:abc", "web"),
        ];
        for (image, want) in cases {
            assert_eq!(repository(image), want, "{image}");
        }
    }

    #[test]
    fn a_file_that_is_not_yaml_is_a_problem_and_the_rest_is_read() {
        let p = Project::new(
            "proj".to_owned(),
            Some(DeployFile {
                path: "proj/compose.yaml".to_owned(),
                text: "services: [\n".to_owned(),
            }),
            vec![DeployFile {
                path: "proj/k8s/web.yaml".to_owned(),
                text: "kind: Service\nmetadata:\n  name: web\n".to_owned(),
            }],
        );
        assert!(p.compose.is_none());
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].loc.file, 0);
        assert_eq!(p.k8s.services.len(), 1);
        assert_eq!(p.label(p.k8s.services[0].name.loc, "x").start.line, 3);
    }

    #[test]
    fn templated_manifests_are_not_read() {
        let p = Project::new(
            "proj".to_owned(),
            None,
            vec![DeployFile {
                path: "proj/k8s/web.yaml".to_owned(),
                text: "kind: Service\nmetadata:\n  name: {{ .Values.name }}\n".to_owned(),
            }],
        );
        assert_eq!((p.problems.len(), p.k8s.services.len()), (0, 0));
        assert_eq!(p.files.len(), 1);
    }

    #[test]
    fn k8s_containers_are_linked_by_image() {
        let mut p = Project::new(
            "proj".to_owned(),
            Some(DeployFile {
                path: "proj/compose.yaml".to_owned(),
                text: "services:\n  web:\n    build: ./site\n    image: acme/site:1\n".to_owned(),
            }),
            vec![DeployFile {
                path: "proj/k8s/web.yaml".to_owned(),
                text: "kind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: ghcr.io/acme/site:2\n        - name: b\n          image: worker\n        - name: c\n          image: other\n".to_owned(),
            }],
        );
        if let Some(c) = p.compose.as_mut() {
            c.services[0].container = Some(1);
        }
        p.link_k8s(&["worker", "site"]);
        let linked: Vec<Option<usize>> = p.k8s.workloads[0]
            .containers
            .iter()
            .map(|c| c.container)
            .collect();
        assert_eq!(linked, [Some(1), Some(0), None]);
    }

    proptest::proptest! {
        /// Any text, and text made of the keys and values the readers look for, in any
        /// nesting: the model never panics and every place it keeps is in its file.
        #[test]
        fn reading_never_panics(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("services:\n".to_owned()),
                    proptest::strategy::Just("  web:\n".to_owned()),
                    proptest::strategy::Just("    ports:\n".to_owned()),
                    proptest::strategy::Just("      - ".to_owned()),
                    proptest::strategy::Just("\"[::1]:80:80/udp\"\n".to_owned()),
                    proptest::strategy::Just("8000-8001:80".to_owned()),
                    proptest::strategy::Just("{target: 80, published: x}".to_owned()),
                    proptest::strategy::Just("    healthcheck: {test: [CMD, curl, http://é:1/]}\n".to_owned()),
                    proptest::strategy::Just("    stop_grace_period: 1.5µs\n".to_owned()),
                    proptest::strategy::Just("    environment: [A=1, B]\n".to_owned()),
                    proptest::strategy::Just("---\nkind: Deployment\n".to_owned()),
                    proptest::strategy::Just("metadata: {name: w}\n".to_owned()),
                    proptest::strategy::Just("spec: {template: {spec: {containers: [{image: w, ports: [{containerPort: 80}]}]}}}\n".to_owned()),
                    proptest::strategy::Just("lifecycle: {preStop: {exec: {command: [sh, -c, sleep]}}}\n".to_owned()),
                    "[ -~é]{0,12}",
                ],
                0..40,
            )
        ) {
            let text = parts.concat();
            let file = |path: &str| DeployFile {
                path: path.to_owned(),
                text: text.clone(),
            };
            let mut p = Project::new("p".to_owned(), Some(file("p/compose.yaml")), vec![file("p/k8s/a.yaml")]);
            p.link_k8s(&["w"]);
            let mut locs = Vec::new();
            for s in p.compose.iter().flat_map(|c| &c.services) {
                locs.push(s.name.loc);
                locs.extend(s.ports.iter().map(|m| m.target_loc));
                locs.extend(s.environment.iter().map(|e| e.name.loc));
                locs.extend(s.healthcheck.iter().flat_map(|h| &h.words).map(|w| w.loc));
            }
            for w in &p.k8s.workloads {
                locs.push(w.name.loc);
                for c in &w.containers {
                    locs.extend(c.ports.iter().map(|cp| cp.port.loc));
                }
            }
            for loc in locs {
                proptest::prop_assert!(loc.span.start <= loc.span.end && loc.span.end <= text.len());
                proptest::prop_assert!(text.is_char_boundary(loc.span.start) && text.is_char_boundary(loc.span.end));
            }
        }
    }
}
