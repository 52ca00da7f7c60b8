//! The integration tests: one binary, one module per area under tests/cli/.

#[path = "cli/nginx_parse.rs"]
mod nginx_parse;
