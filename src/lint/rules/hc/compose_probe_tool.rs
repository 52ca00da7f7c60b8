//! For `healthcheck-missing-or-broken`: a compose service's own `healthcheck:` that runs
//! `curl` or `wget` in an image built from a Dockerfile gen reads, over a base known not to
//! have the tool, where no RUN installs it. Compose runs the check inside the container, so
//! the tool must be in the image as much as for a `HEALTHCHECK`.

use super::healthcheck_missing_or_broken::{HEALTHCHECK_MISSING_OR_BROKEN, tool_missing};
use crate::diagnostic::Diagnostic;
use crate::lint::Context;

fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Shell words after which the next word starts a command.
const SEPARATORS: [&str; 4] = ["||", "&&", ";", "|"];

pub(super) fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for project in &ctx.projects {
        let Some(compose) = &project.compose else {
            continue;
        };
        for s in &compose.services {
            let Some(hc) = s.healthcheck.as_ref().filter(|h| !h.disabled) else {
                continue;
            };
            let Some(dir) = s.container.and_then(|i| ctx.containers.get(i)) else {
                continue;
            };
            // The image a `build:` makes; an `image:` beside it names the result, not a base.
            if s.build_context.is_none() {
                continue;
            }
            let starts = std::iter::once(0).chain(
                hc.words
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| SEPARATORS.contains(&w.value.as_str()))
                    .map(|(i, _)| i + 1),
            );
            for i in starts {
                let Some(word) = hc.words.get(i) else {
                    continue;
                };
                let tool = base(&word.value);
                if tool != "curl" && tool != "wget" {
                    continue;
                }
                let Some((base_origin, base_image, help)) = tool_missing(&dir.model, tool) else {
                    continue;
                };
                let mut d = HEALTHCHECK_MISSING_OR_BROKEN
                    .diagnostic(
                        format!(
                            "the health check of service `{}` runs `{tool}`, which is not in its image",
                            s.name.value
                        ),
                        project.label(word.loc, "not installed: the check always fails"),
                    )
                    .with_help(help);
                if let Some(l) = dir.label(&base_origin, format!("`{base_image}` has no `{tool}`"))
                {
                    d = d.with_related(l);
                }
                out.push(d);
            }
        }
    }
}
