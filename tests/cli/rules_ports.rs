//! The port, network and socket rules (PORT001-004, NET001-002, SOCK001) on their failing
//! and passing fixtures under tests/fixtures/check/<rule-name>/, with golden output.

use crate::harness::{
    gen_in, rule_check, rule_fails as fails, rule_passes as passes, snapshot, workspace,
};
use std::fs;

#[test]
fn upstream_port_mismatch_fails() {
    fails(
        "upstream-port-mismatch",
        "PORT001",
        1,
        "3 errors in 3 containers\n3 fixable with `--fix --unsafe-fixes`\n",
    );
}

#[test]
fn upstream_port_mismatch_passes_and_says_nothing_when_a_program_is_unknown() {
    passes("upstream-port-mismatch", "PORT001", 3);
}

#[test]
fn unproxied_app_port_fails() {
    fails(
        "unproxied-app-port",
        "PORT002",
        1,
        "1 error in 1 container\n",
    );
}

#[test]
fn unproxied_app_port_passes() {
    passes("unproxied-app-port", "PORT002", 1);
}

#[test]
fn expose_listen_mismatch_fails() {
    fails(
        "expose-listen-mismatch",
        "PORT003",
        1,
        "2 errors in 2 containers\n",
    );
}

#[test]
fn expose_listen_mismatch_passes() {
    passes("expose-listen-mismatch", "PORT003", 3);
}

#[test]
fn app_port_exposed_warns() {
    fails(
        "app-port-exposed",
        "PORT004",
        0,
        "1 warning in 1 container\n",
    );
}

#[test]
fn app_port_exposed_passes() {
    passes("app-port-exposed", "PORT004", 1);
}

#[test]
fn app_bound_to_all_interfaces_warns() {
    fails(
        "app-bound-to-all-interfaces",
        "NET001",
        0,
        "2 warnings in 2 containers\n1 fixable with `--fix --unsafe-fixes`\n",
    );
}

#[test]
fn app_bound_to_all_interfaces_passes() {
    passes("app-bound-to-all-interfaces", "NET001", 1);
}

#[test]
fn localhost_family_mismatch_warns() {
    fails(
        "localhost-family-mismatch",
        "NET002",
        0,
        "3 warnings in 3 containers\n",
    );
}

#[test]
fn localhost_family_mismatch_passes() {
    passes("localhost-family-mismatch", "NET002", 2);
}

#[test]
fn unix_socket_mismatch_fails() {
    fails(
        "unix-socket-mismatch",
        "SOCK001",
        1,
        "4 errors in 4 containers\n",
    );
}

#[test]
fn unix_socket_mismatch_passes() {
    passes("unix-socket-mismatch", "SOCK001", 3);
}

/// Every passing fixture is clean for all of these rules at once, not only its own.
#[test]
fn passing_fixtures_are_clean_for_every_port_rule() {
    let all = "PORT001,PORT002,PORT003,PORT004,NET001,NET002,SOCK001";
    for rule in [
        "upstream-port-mismatch",
        "unproxied-app-port",
        "expose-listen-mismatch",
        "app-port-exposed",
        "app-bound-to-all-interfaces",
        "localhost-family-mismatch",
        "unix-socket-mismatch",
    ] {
        let run = rule_check(rule, "pass", all, "human");
        assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{rule}");
    }
}

/// With a spec, nginx's listen port is checked against the spec's `nginx.port`, and the
/// compose file's mappings against nginx's and the app's ports.
#[test]
fn spec_and_compose_ports_against_nginx() {
    let ws = workspace("check/expose-listen-mismatch/spec/spec.toml");
    assert_eq!(gen_in(ws.path(), &["build"]).code, 0);
    let edit = |rel: &str, from: &str, to: &str| {
        let path = ws.path().join(rel);
        let text = fs::read_to_string(&path).expect(rel);
        assert!(text.contains(from), "{rel}: {from}");
        fs::write(&path, text.replacen(from, to, 1)).expect(rel);
    };
    edit("generated/web/nginx.conf", "listen 80 ", "listen 8080 ");
    edit(
        "generated/compose.yaml",
        "      - '127.0.0.1:8001:80'\n",
        "      - '127.0.0.1:8001:3000'\n      - \"9000:9090\"\n",
    );
    let run = gen_in(ws.path(), &["check", "--select", "PORT003,PORT004"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (1, "3 errors, 1 warning in 1 container\n"),
        "{}",
        run.stdout
    );
    snapshot("check/expose-listen-mismatch-spec.human.txt", &run.stdout);
    // Once `gen build` writes them again, all agree.
    assert_eq!(gen_in(ws.path(), &["build", "--force"]).code, 0);
    let run = gen_in(ws.path(), &["check", "--select", "PORT003,PORT004"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, "no problems in 1 container\n")
    );
}
