//! The rules over the deployment (compose files and Kubernetes manifests against the
//! containers: PORT005, NGX006, K8S001, HC002-004, TIME001, ENV001, PRS008) beyond their
//! fixtures under tests/fixtures/check/<rule-name>/ (each a compose project: `compose.yaml`,
//! `k8s/`, container directories), which tests/fixtures_check.rs runs.

use crate::harness::{fixture, gen_in, root};

/// The generated projects, as a spec's output and as paths, have no finding of any rule.
#[test]
fn generated_projects_are_clean() {
    let runs: [&[&str]; 3] = [
        &["check", "--deny", "warnings"],
        &[
            "check",
            "--spec",
            "examples/lb/spec.toml",
            "--out",
            "examples/lb/generated",
            "--deny",
            "warnings",
        ],
        &[
            "check",
            "generated",
            "examples/lb/generated",
            "--deny",
            "warnings",
        ],
    ];
    for args in runs {
        let mut args = args.to_vec();
        args.extend(["--today", "2026-11-29"]);
        let run = gen_in(&root(), &args);
        assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{args:?}");
    }
}

/// A compose project's build contexts are its containers, mapped to their services:
/// findings point into both, by the paths given.
#[test]
fn findings_point_into_the_containers_and_the_compose_file() {
    let run = gen_in(
        &fixture("check/unknown-upstream-host"),
        &["check", "fail", "--select", "NGX006", "--format", "json"],
    );
    assert!(
        run.stdout.contains("\"file\": \"fail/lb/default.conf\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\"file\": \"fail/compose.yaml\""),
        "{}",
        run.stdout
    );
}

fn write(dir: &std::path::Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

/// A build context outside the project's directory (`../app`) is a container of the
/// project too, linked to its service, shown by the path compose gives it.
#[test]
fn a_build_context_outside_the_project_is_linted_as_its_service() {
    let ws = tempfile::tempdir().expect("tempdir");
    write(
        ws.path(),
        &[
            (
                "deploy/docker-compose.yml",
                "services:\n  web:\n    build:\n      context: ../app\n    ports:\n      - \"8080:8080\"\n",
            ),
            (
                "app/Dockerfile",
                "FROM nginx:1.27-alpine\nCOPY default.conf /etc/nginx/conf.d/default.conf\n",
            ),
            ("app/default.conf", "server {\n    listen 80;\n}\n"),
        ],
    );
    let run = gen_in(ws.path(), &["check", "deploy", "--select", "PORT003"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (1, "1 error in 1 container\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "error[PORT003]: the compose file maps container port 8080 of `web`, where nginx does not listen\n --> deploy/docker-compose.yml:6:15\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("--> deploy/../app/default.conf:2:12"),
        "{}",
        run.stdout
    );
}

/// A compose file that expands to billions of nodes through aliases is refused quickly,
/// as a finding, not a hang or a crash.
#[test]
fn alias_bombs_are_refused_as_a_parse_error() {
    let ws = tempfile::tempdir().expect("tempdir");
    let mut text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n".to_owned();
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 10].join(", ");
        text.push_str(&format!("{}: &{} [{refs}]\n", pair[1], pair[1]));
    }
    write(ws.path(), &[("compose.yaml", &text)]);
    let run = gen_in(ws.path(), &["check", ".", "--select", "PRS008"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("is not YAML gen can read: more than 200000 nodes (aliases expanded)"),
        "{}",
        run.stdout
    );
}

/// A container directory with its compose file beside the Dockerfile (`build: .`) is one
/// container, whatever its subdirectories hold.
#[test]
fn a_container_with_its_compose_file_is_one_container() {
    let ws = tempfile::tempdir().expect("tempdir");
    write(
        ws.path(),
        &[
            (
                "site/compose.yaml",
                "services:\n  site:\n    build: .\n    ports: [\"8080:8080\"]\n",
            ),
            (
                "site/Dockerfile",
                "FROM nginx:1.27-alpine\nCOPY default.conf /etc/nginx/conf.d/default.conf\n",
            ),
            ("site/default.conf", "server {\n    listen 80;\n}\n"),
            // An example config in a subdirectory: not a container of its own.
            ("site/examples/nginx.conf", "events {}\n"),
        ],
    );
    let run = gen_in(ws.path(), &["check", "site", "--select", "PORT003"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (1, "1 error in 1 container\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("--> site/compose.yaml:4:19"),
        "{}",
        run.stdout
    );
}

/// A `# gen: ignore[...]` comment in a compose file allows a finding there.
#[test]
fn a_comment_in_the_compose_file_allows_a_finding() {
    let ws = tempfile::tempdir().expect("tempdir");
    let src = fixture("check/duplicate-host-port/fail");
    let compose = std::fs::read_to_string(src.join("compose.yaml")).expect("compose.yaml");
    let compose = compose.replace(
        "      - 8079-8081:79-81\n",
        "      - 8079-8081:79-81 # gen: ignore[duplicate-host-port]\n",
    );
    write(ws.path(), &[("compose.yaml", &compose)]);
    let run = gen_in(ws.path(), &["check", ".", "--select", "PORT005"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            1,
            "1 error in 0 containers (1 allowed by suppression comment)\n"
        ),
        "{}",
        run.stdout
    );
}

/// A compose service's `build.dockerfile` is the Dockerfile its container is judged by,
/// not the `Dockerfile` beside it.
#[test]
fn a_service_is_judged_by_the_dockerfile_it_names() {
    let ws = tempfile::tempdir().expect("tempdir");
    write(
        ws.path(),
        &[
            (
                "compose.yaml",
                "services:\n  api:\n    build:\n      context: .\n      dockerfile: Dockerfile.backend\n",
            ),
            // The development Dockerfile copies a config that is not there; the one the
            // service builds does not.
            (
                "Dockerfile",
                "FROM alpine:3.22\nCOPY dev-nginx.conf /etc/nginx/nginx.conf\nCOPY nginx.conf /etc/nginx/base.conf\n",
            ),
            (
                "Dockerfile.backend",
                "FROM alpine:3.22\nRUN apk add --no-cache nginx\nCOPY nginx.conf /etc/nginx/nginx.conf\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n",
            ),
            (
                "nginx.conf",
                "events {}\nhttp {\n    server {\n        listen 80;\n    }\n}\n",
            ),
        ],
    );
    let run = gen_in(ws.path(), &["check", ".", "--select", "PATH002"]);
    // Both Dockerfiles are images of the directory: the one the service names, and the
    // development one, whose missing COPY source is reported against it alone.
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (1, "1 error in 2 containers\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("--> Dockerfile:2:6"), "{}", run.stdout);
}

/// Dockerfiles by any name a build can use, at any depth, each with the context its COPY
/// sources are found in.
#[test]
fn dockerfiles_by_any_name_at_any_depth_are_containers() {
    let ws = tempfile::tempdir().expect("tempdir");
    let df = |src: &str| {
        format!(
            "FROM alpine:3.22\nRUN apk add --no-cache nginx\nCOPY {src} /etc/nginx/nginx.conf\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n"
        )
    };
    let conf = "events {}\nhttp {\n    server {\n        listen 80;\n    }\n}\n";
    let (a, b, c) = (
        df("nginx.conf"),
        df("bullseye/conf/nginx.conf"),
        df("conf/missing.conf") + "COPY conf/mime.types /etc/nginx/mime.types\n",
    );
    write(
        ws.path(),
        &[
            // `docker build -f python3.12.dockerfile docker-images`
            ("docker-images/python3.12.dockerfile", a.as_str()),
            ("docker-images/nginx.conf", conf),
            // `cd ops/deploy && docker build .`, two levels down.
            ("ops/deploy/Dockerfile", a.as_str()),
            ("ops/deploy/nginx.conf", conf),
            // `docker build -f bullseye/Dockerfile-8.2 .` from Dockerfiles/.
            ("Dockerfiles/bullseye/Dockerfile-8.2", b.as_str()),
            ("Dockerfiles/bullseye/conf/nginx.conf", conf),
            // A source that is nowhere is still reported.
            ("broken/Containerfile", c.as_str()),
            ("broken/conf/mime.types", "types {}\n"),
            // Not images: dependencies, and a note named like a Dockerfile.
            ("node_modules/pkg/Dockerfile", "FROM alpine\nCOPY x /x\n"),
            ("docs/Dockerfile.md", "FROM is the first instruction.\n"),
        ],
    );
    let run = gen_in(ws.path(), &["check", ".", "--select", "PATH002"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (1, "1 error in 4 containers\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("--> broken/Containerfile:3:6"),
        "{}",
        run.stdout
    );
}

/// compose's default 10 s grace and supervisord's default 10 s `stopwaitsecs` end a program
/// that ignores SIGTERM at the same moment, by Docker or by supervisord: nothing is cut
/// short, so nothing is reported. A `stopwaitsecs` above the grace is.
#[test]
fn stop_grace_with_both_defaults_is_not_reported() {
    let fixture = crate::harness::fixture("check/stop-grace-too-short/fail/web");
    let ws = tempfile::tempdir().expect("tempdir");
    let read = |f: &str| std::fs::read_to_string(fixture.join(f)).expect("fixture file");
    let (dockerfile, app, site) = (read("Dockerfile"), read("app.js"), read("site.conf"));
    let defaults = "[supervisord]\nnodaemon=true\n\n[program:nginx]\ncommand=nginx -g \"daemon off;\"\n\n[program:app]\ncommand=node /app/app.js\n";
    let compose = "services:\n  web:\n    build: ./web\n";
    write(
        ws.path(),
        &[
            ("compose.yaml", compose),
            ("web/Dockerfile", &dockerfile),
            ("web/app.js", &app),
            ("web/site.conf", &site),
            ("web/supervisord.conf", defaults),
        ],
    );
    let run = gen_in(ws.path(), &["check", "--select", "TIME001"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "no problems in 1 container\n")
    );
    let longer = defaults.replace("app.js\n", "app.js\nstopwaitsecs=11\n");
    write(ws.path(), &[("web/supervisord.conf", &longer)]);
    let run = gen_in(
        ws.path(),
        &["check", "--select", "TIME001", "--format", "concise"],
    );
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            0,
            "compose.yaml:2:3: warning[TIME001] compose kills `web` 10 s after stopping it, before supervisord's 11 s for `app` to stop are over\n",
            "1 warning in 1 container\n"
        )
    );
}
