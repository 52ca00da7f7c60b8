//! `gen parse` on nginx files: exact output and exit codes, the corpus of real configs, and
//! the comparison with crossplane.

#[path = "nginx_parse/corpus.rs"]
mod corpus;
#[path = "nginx_parse/crossplane.rs"]
mod crossplane;
#[path = "nginx_parse/diff.rs"]
mod diff;
