//! `unreadable-file`: a file the image uses that gen cannot read as text.

use crate::diagnostic::{Diagnostic, Label};
use crate::lint::{Context, declare_rule};
use crate::model::EntryKind;

declare_rule! {
    /// ## What it does
    /// Reports a file of the container directory that the image uses (a COPY puts it
    /// somewhere, or it is one of the config files gen reads without a Dockerfile) but
    /// that gen cannot read as text: it holds NUL bytes, or it is larger than gen reads
    /// (16 MiB).
    ///
    /// ## Why is this bad?
    /// Nothing in it is checked, and every rule that needs what it says (listeners, proxy
    /// targets, programs) treats it as unknown, so a clean result says less than it seems.
    /// A config file with NUL bytes is usually a mistake (a binary copied under the wrong
    /// name, a file saved as UTF-16); nginx and supervisord refuse it.
    ///
    /// ## Example
    /// A `nginx.conf` saved as UTF-16 by an editor, then copied into the image:
    /// ```dockerfile
    /// COPY nginx.conf /etc/nginx/nginx.conf
    /// ```
    ///
    /// Use instead: save it as UTF-8 (or ASCII) text.
    pub static UNREADABLE_FILE = {
        code: "PRS007",
        name: "unreadable-file",
        severity: Warning,
        check: check,
    }
}

/// Files that matter to the container even without a Dockerfile.
const CONFIG_NAMES: [&str; 4] = [
    "Dockerfile",
    "nginx.conf",
    "supervisord.conf",
    "supervisord.ini",
];

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        for f in dir.files.iter().filter(|f| f.text.is_none()) {
            let copied_to: Option<&str> = dir.model.image.iter().find_map(|(path, e)| {
                matches!(&e.kind, EntryKind::Local { file } if *file == f.rel).then_some(path)
            });
            let named = CONFIG_NAMES.contains(&f.rel.as_str());
            if copied_to.is_none() && !named {
                continue;
            }
            let used =
                copied_to.map_or_else(String::new, |p| format!(" (the image has it at `{p}`)"));
            out.push(
                UNREADABLE_FILE
                    .diagnostic(
                        format!(
                            "`{}` is not text gen can read{used}: it holds NUL bytes or is larger than 16 MiB, so nothing in it is checked",
                            f.rel
                        ),
                        Label::file(&f.path, "not read"),
                    )
                    .with_help("save it as UTF-8 text; if it is meant to be binary, check that nginx or supervisord does not load it"),
            );
        }
    }
}
