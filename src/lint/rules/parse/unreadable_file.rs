//! `unreadable-file`: a file the image uses that gen cannot read as text.

use crate::diagnostic::{Diagnostic, Label};
use crate::lint::{Context, declare_rule};
use crate::model::EntryKind;

declare_rule! {
    /// ## What it does
    /// Reports a file gen would parse but cannot read as text (it holds NUL bytes, or it
    /// is larger than gen reads, 16 MiB): the Dockerfile, or a file the image has where
    /// nginx or supervisord reads a config (the main config, an `include`, a file
    /// supervisord looks for). Other files a COPY puts in the image (images, fonts,
    /// compiled code) are meant to be binary and are not reported.
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

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        for f in dir.files.iter().filter(|f| f.text.is_none()) {
            let copied_to: Option<&str> = dir.model.image.iter().find_map(|(path, e)| {
                matches!(&e.kind, EntryKind::Local { file } if *file == f.rel).then_some(path)
            });
            let dockerfile = dir
                .model
                .dockerfile
                .as_ref()
                .is_some_and(|d| d.file == f.rel);
            if !dockerfile && !dir.model.config_files.contains(&f.rel) {
                continue;
            }
            let help = if dockerfile {
                "docker reads this file as the Dockerfile: save it as UTF-8 text"
            } else {
                "nginx or supervisord reads this file as a config: save it as UTF-8 text, or point them at the file meant"
            };
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
                    .with_help(help),
            );
        }
    }
}
