//! Integration tests: the `gen` binary run as a user runs it, asserting exact output and exit
//! codes. One binary, one module per area under tests/cli/ (this file is a crate root, so the
//! modules name their paths).

#[path = "cli/support.rs"]
mod support;

#[path = "cli/build.rs"]
mod build;
#[path = "cli/check.rs"]
mod check;
#[path = "cli/check_config.rs"]
mod check_config;
#[path = "cli/check_output.rs"]
mod check_output;
#[path = "cli/check_paths.rs"]
mod check_paths;
#[path = "cli/dockerfile_parse.rs"]
mod dockerfile_parse;
#[path = "cli/escaping.rs"]
mod escaping;
#[path = "cli/extensions.rs"]
mod extensions;
#[path = "cli/fix.rs"]
mod fix;
#[path = "cli/fixture_tree.rs"]
mod fixture_tree;
#[path = "cli/harness.rs"]
mod harness;
#[path = "cli/hostile.rs"]
mod hostile;
#[path = "cli/import.rs"]
mod import;
#[path = "cli/layers.rs"]
mod layers;
#[path = "cli/lsp.rs"]
mod lsp;
#[path = "cli/meta.rs"]
mod meta;
#[path = "cli/model.rs"]
mod model;
#[path = "cli/nginx_load.rs"]
mod nginx_load;
#[path = "cli/nginx_parse.rs"]
mod nginx_parse;
#[path = "cli/own_app.rs"]
mod own_app;
#[path = "cli/parse_configs.rs"]
mod parse_configs;
#[path = "cli/projects.rs"]
mod projects;
#[path = "cli/review.rs"]
mod review;
#[path = "cli/roundtrip.rs"]
mod roundtrip;
#[path = "cli/rules.rs"]
mod rules;
#[path = "cli/rules_deploy.rs"]
mod rules_deploy;
#[path = "cli/rules_env.rs"]
mod rules_env;
#[path = "cli/rules_ngx.rs"]
mod rules_ngx;
#[path = "cli/rules_ports.rs"]
mod rules_ports;
#[path = "cli/rules_servers.rs"]
mod rules_servers;
#[path = "cli/sarif.rs"]
mod sarif;
#[path = "cli/scaffold.rs"]
mod scaffold;
#[path = "cli/spec_errors.rs"]
mod spec_errors;
#[path = "cli/suppression.rs"]
mod suppression;
