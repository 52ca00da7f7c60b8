//! `unfollowable-include`: an nginx `include` that loops back or names a removed file.

use super::problems;
use crate::diagnostic::Diagnostic;
use crate::lint::{Context, declare_rule};
use crate::model::ProblemKind;

declare_rule! {
    /// ## What it does
    /// Checks that nginx can follow every `include`.
    ///
    /// No file may include itself, directly or through others, and no `include` may name a
    /// file a `RUN` of the Dockerfile removes (`rm -f /etc/nginx/mime.types`).
    ///
    /// An `include` whose file gen knows nothing about (the base image may provide it) is
    /// not reported, nor a glob that matches nothing, which nginx accepts.
    ///
    /// ## Why is this bad?
    /// nginx fails to start: an include cycle makes it open the same files until it runs
    /// out of descriptors, and a missing file is `[emerg] open() "/etc/nginx/mime.types"
    /// failed (2: No such file or directory)`.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get install -y nginx && rm /etc/nginx/mime.types
    /// ```
    /// with `include /etc/nginx/mime.types;` in `nginx.conf`.
    ///
    /// Use instead: keep the file, or drop the `include`.
    pub static UNFOLLOWABLE_INCLUDE = {
        code: "PRS004",
        name: "unfollowable-include",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    problems(
        ctx,
        ProblemKind::Unfollowable,
        &UNFOLLOWABLE_INCLUDE,
        "nginx.conf",
        "nginx cannot follow this `include`",
        "nginx will not start: remove the `include`, or make the file it names exist without including back",
        out,
    );
}
