//! The fact layer between the model and the rules (parse -> model -> **analysis** -> rules
//! -> diagnostics -> commands): analyses that several rule families read, worked out from
//! the container model and the deployment, so that a rule file holds only its declaration,
//! the logic that decides a finding, and its messages. It reads the model, the parsers and
//! the context; never a rule (`tests/cli/layers.rs`).
//!
//! What is costly, or read by more than one rule, is computed once per container
//! directory, lazily, on the first rule that asks, and kept in the directory's [`Cache`]
//! (like ruff's semantic model): the wiring of nginx to the programs
//! ([`wiring::Wiring::of`]), nginx's config as `nginx -t` loads it ([`nginx_load::of`]),
//! and the ports the container is reached on from outside and from inside
//! ([`exposure::reachable`], [`exposure::inside`]). The rest are cheap functions of the
//! model called where needed: per path (`absent`), per command word (`launch`), per
//! directive (`nginx`), per probe (`probe`), per image reference (`image`).
//!
//! A cache cannot go stale: it lives in the [`crate::lint::ContainerDir`] whose files and
//! model it was worked out from, and what changes texts (a fix, `gen lsp`'s open buffers)
//! builds a new directory ([`crate::lint::ContainerDir::with_texts`], or a fresh read),
//! whose cache starts empty. The compose projects and manifests hold no cache: no analysis
//! of theirs is worked out twice in a run (the audit of issue 14 counted each), and what
//! the rules read of them is a lookup in the parsed [`crate::deploy::Project`].

pub mod absent;
pub mod app;
pub mod compose;
pub mod entry_point;
pub mod exposure;
pub mod image;
pub mod launch;
pub mod nginx;
pub mod nginx_load;
pub mod probe;
pub mod runtime_eol;
pub mod wiring;

use std::cell::OnceCell;

/// The analyses of one container directory, each worked out on first use.
#[derive(Debug, Clone, Default)]
pub struct Cache {
    pub(crate) wiring: OnceCell<Option<wiring::Stored>>,
    pub(crate) nginx_load: OnceCell<Vec<nginx_load::Finding>>,
    pub(crate) reachable: OnceCell<Option<Vec<exposure::Listening>>>,
    pub(crate) inside: OnceCell<Option<Vec<exposure::Listening>>>,
}
