//! Rules about the app behind nginx: whether it believes the forwarded headers nginx sets,
//! and whether its keep-alive outlasts nginx's.
//! The routes from nginx to each app are in [`crate::lint::analysis::app`].

pub mod app_keepalive_timeout_too_short;
pub mod forwarded_headers_ignored;
