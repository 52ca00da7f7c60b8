//! The port, network and socket rules (PORT001-004, NET001-002, SOCK001) across their
//! fixtures (tests/fixtures_check.rs runs each on its own) and with a spec.

use crate::harness::{gen_in, rule_check, snapshot, workspace};
use std::fs;

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
