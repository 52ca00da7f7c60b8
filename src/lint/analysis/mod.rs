//! The fact layer between the container model and the rules: analyses that several rule
//! families read, worked out from the model, so that a rule file holds only its declaration,
//! the logic that decides a finding, and its messages.
//!
//! What is costly is computed once per container directory, lazily, on the first rule that
//! asks ([`Cache`], kept in each [`crate::lint::ContainerDir`]): the wiring of nginx to the
//! programs ([`wiring::Wiring::of`]) and nginx's config as `nginx -t` loads it
//! ([`nginx_load::of`]).

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
