//! Reads the files of the project that a spec's extension points name (the nginx snippets
//! of `[container.nginx] include`, the directories of `[[container.static]]`) into the
//! validated spec, so that generation stays a pure function of the spec. A missing or
//! unusable file is a diagnostic pointing at the spec's line; a snippet nginx would refuse
//! is one pointing into the snippet.

use crate::diagnostic::{Diagnostic, Label, Severity, Sources};
use crate::error::{Error, Result};
use crate::parse::span::Span;
use crate::spec::{self, ProjectFile, Spec};
use std::fs;
use std::path::{Path, PathBuf};

/// The largest snippet gen reads: far beyond any hand-written one.
const MAX_SNIPPET_BYTES: u64 = 1 << 20;
/// The most files, and bytes, a static directory may hold: gen copies them into
/// `generated/` and hashes them into the image tag, so they are bounded.
const MAX_STATIC_FILES: usize = 10_000;
const MAX_STATIC_BYTES: u64 = 256 << 20;

struct Reader<'a> {
    spec_file: &'a str,
    spec_text: &'a str,
    base: PathBuf,
    diags: Vec<Diagnostic>,
    sources: Sources,
}

impl Reader<'_> {
    fn error(&mut self, code: &str, span: Span, message: String, help: String) {
        let name = if code == "SPEC006" {
            "project-file-missing"
        } else {
            "invalid-value"
        };
        let label = Label::new(self.spec_file, self.spec_text, span, "");
        self.diags
            .push(Diagnostic::new(code, name, Severity::Error, message, label).with_help(help));
    }

    /// The path the spec names, joined to the spec's directory, as shown in messages.
    fn path(&self, rel: &str) -> PathBuf {
        self.base.join(rel)
    }
}

/// Reads every snippet and static directory `spec` names, relative to the directory of the
/// spec file `spec_path`, whose text is `spec_text`.
///
/// # Errors
/// [`Error::Input`] with every problem found (nothing is half-read into the spec then).
pub fn read(spec_path: &Path, spec_text: &str, spec: &mut Spec) -> Result<()> {
    let base = spec_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(PathBuf::new, Path::to_path_buf);
    let spec_file = spec_path.display().to_string();
    let mut r = Reader {
        spec_file: &spec_file,
        spec_text,
        base,
        diags: Vec::new(),
        sources: Sources::default(),
    };
    for c in &mut spec.containers {
        for s in &mut c.nginx.include {
            s.text = snippet(&mut r, &s.path, s.span);
        }
        let statics = c.statics.clone();
        for s in &c.nginx.include {
            let Some(text) = &s.text else { continue };
            let shown = r.path(&s.path).display().to_string();
            let mut found = spec::check_snippet(&shown, text);
            for (span, location) in spec::duplicate_locations(text, &statics) {
                let help = if statics.iter().any(|st| st.path == location) {
                    "a `[[container.static]]` table serves that prefix: serve it one way, the table or the snippet"
                } else {
                    "nginx refuses a location defined twice, and gen's server block proxies `/` to the app and answers `/healthz`: give yours another path"
                };
                found.push(
                    Diagnostic::new(
                        "SPEC005",
                        "invalid-snippet",
                        Severity::Error,
                        format!("the snippet defines `location {location}`, which the container's server block has already"),
                        Label::new(&shown, text, span, ""),
                    )
                    .with_help(help),
                );
            }
            if !found.is_empty() {
                r.sources.insert(&shown, text);
                r.diags.extend(found);
            }
        }
        for s in &mut c.statics {
            s.files = directory(&mut r, &s.dir, s.dir_span);
        }
    }
    if r.diags.is_empty() {
        return Ok(());
    }
    r.sources.insert(&spec_file, spec_text);
    Err(Error::Input {
        diagnostics: r.diags,
        sources: r.sources,
    })
}

fn snippet(r: &mut Reader<'_>, rel: &str, span: Span) -> Option<String> {
    let path = r.path(rel);
    let shown = path.display().to_string();
    let meta = match fs::metadata(&path) {
        Ok(m) if m.is_file() => m,
        Ok(_) => {
            r.error(
                "SPEC006",
                span,
                format!("`nginx.include` names `{shown}`, which is not a file"),
                "name an nginx snippet (a file), relative to the spec's directory".into(),
            );
            return None;
        }
        Err(e) => {
            r.error(
                "SPEC006",
                span,
                format!("`nginx.include` names `{shown}`, {}", why(&e)),
                "create the snippet, or fix the path: it is relative to the spec's directory"
                    .into(),
            );
            return None;
        }
    };
    if meta.len() > MAX_SNIPPET_BYTES {
        r.error(
            "SPEC003",
            span,
            format!(
                "`{shown}` is {} bytes, more than gen reads in a snippet ({MAX_SNIPPET_BYTES})",
                meta.len()
            ),
            "a snippet holds a few locations and headers; check that this is the right file".into(),
        );
        return None;
    }
    match fs::read(&path).map(String::from_utf8) {
        Ok(Ok(text)) => Some(text),
        Ok(Err(_)) => {
            r.error(
                "SPEC003",
                span,
                format!("`{shown}` is not UTF-8 text"),
                "an nginx snippet is text: check that this is the right file".into(),
            );
            None
        }
        Err(e) => {
            r.error(
                "SPEC006",
                span,
                format!("`nginx.include` names `{shown}`, which cannot be read: {e}"),
                "make the file readable".into(),
            );
            None
        }
    }
}

/// Why a path cannot be used, in a message's words.
fn why(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        "which does not exist".to_owned()
    } else {
        format!("which cannot be read ({e})")
    }
}

/// The regular files under a static directory, with paths relative to it, sorted. A
/// symbolic link or a special file is refused rather than followed or left out silently.
fn directory(r: &mut Reader<'_>, rel: &str, span: Span) -> Vec<ProjectFile> {
    let root = r.path(rel);
    let shown = root.display().to_string();
    match fs::symlink_metadata(&root) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            r.error(
                "SPEC006",
                span,
                format!("`static.dir` names `{shown}`, which is not a directory"),
                "name a directory of the project, relative to the spec's directory".into(),
            );
            return Vec::new();
        }
        Err(e) => {
            r.error(
                "SPEC006",
                span,
                format!("`static.dir` names `{shown}`, {}", why(&e)),
                "create the directory, or fix the path: it is relative to the spec's directory"
                    .into(),
            );
            return Vec::new();
        }
    }
    let mut files = Vec::new();
    let mut total = 0u64;
    let mut stack = vec![PathBuf::new()];
    while let Some(dir) = stack.pop() {
        let abs = root.join(&dir);
        let entries = match fs::read_dir(&abs) {
            Ok(e) => e,
            Err(e) => {
                r.error(
                    "SPEC006",
                    span,
                    format!("cannot read `{}`: {e}", abs.display()),
                    "make the static directory readable".into(),
                );
                return Vec::new();
            }
        };
        for entry in entries.flatten() {
            let rel_path = dir.join(entry.file_name());
            let abs = root.join(&rel_path);
            let Some(name) = rel_path
                .to_str()
                .filter(|n| !n.chars().any(char::is_control))
            else {
                r.error(
                    "SPEC003",
                    span,
                    format!(
                        "`{}` has a name that is not UTF-8 or holds a control character",
                        abs.display()
                    ),
                    "rename the file: gen lists every file it copies by name".into(),
                );
                return Vec::new();
            };
            let name = name.to_owned();
            let kind = entry.file_type().ok();
            if kind.is_some_and(|k| k.is_dir()) {
                stack.push(rel_path);
                continue;
            }
            if !kind.is_some_and(|k| k.is_file()) {
                r.error(
                    "SPEC003",
                    span,
                    format!("`{}` is a symbolic link or a special file", abs.display()),
                    "gen copies regular files only into the image: replace it with the file it stands for".into(),
                );
                return Vec::new();
            }
            if files.len() == MAX_STATIC_FILES {
                r.error(
                    "SPEC003",
                    span,
                    format!("`{shown}` holds more than {MAX_STATIC_FILES} files"),
                    "serve a directory of built assets, not a source tree".into(),
                );
                return Vec::new();
            }
            match fs::read(&abs) {
                Ok(bytes) => {
                    total += bytes.len() as u64;
                    if total > MAX_STATIC_BYTES {
                        r.error(
                            "SPEC003",
                            span,
                            format!("`{shown}` holds more than {} MiB", MAX_STATIC_BYTES >> 20),
                            "serve large files from object storage or a volume, not from the image"
                                .into(),
                        );
                        return Vec::new();
                    }
                    files.push(ProjectFile {
                        path: name.replace('\\', "/"),
                        contents: bytes,
                    });
                }
                Err(e) => {
                    r.error(
                        "SPEC006",
                        span,
                        format!("cannot read `{}`: {e}", abs.display()),
                        "make the file readable".into(),
                    );
                    return Vec::new();
                }
            }
        }
    }
    if files.is_empty() {
        r.error(
            "SPEC003",
            span,
            format!("`static.dir` `{shown}` holds no file"),
            "put the files to serve in it, or remove the `[[container.static]]` table".into(),
        );
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}
