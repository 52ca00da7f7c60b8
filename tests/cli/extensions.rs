//! The spec's extension points: `[container.nginx] include`, `[[container.static]]` and
//! `[[container.program]]`. A project using them builds, its output is exactly what each key
//! asks for, and `gen check` on it is clean; a project whose files are missing or that nginx
//! would refuse gets its exact errors (tests/fixtures/extensions/NAME/expected.stderr,
//! `GEN_BLESS=1` rewrites them), exit code 2, and nothing written.

use crate::support::{gen_in, repo_root, stderr, stdout};
use std::fs;
use std::path::Path;

/// Copies a fixture project (files and directories) into `to`.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let dest = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            fs::copy(entry.path(), dest).expect("copy");
        }
    }
}

#[test]
fn bad_project_files_get_their_exact_errors_and_write_nothing() {
    let dir = repo_root().join("tests/fixtures/extensions");
    let bless = std::env::var_os("GEN_BLESS").is_some();
    let mut cases: Vec<_> = fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 4, "fixtures missing in {}", dir.display());
    let mut failures = Vec::new();
    for case in &cases {
        let work = tempfile::tempdir().expect("tempdir");
        copy_tree(case, work.path());
        let _ = fs::remove_file(work.path().join("expected.stderr"));
        let out = gen_in(work.path(), &["build"]);
        let got = stderr(&out);
        let expected_path = case.join("expected.stderr");
        if bless {
            fs::write(&expected_path, &got).expect("bless");
        }
        let want = fs::read_to_string(&expected_path).unwrap_or_default();
        let name = case.file_name().map(|n| n.to_string_lossy().into_owned());
        if out.status.code() != Some(2) {
            failures.push(format!("{name:?}: exit {:?}, want 2", out.status.code()));
        }
        if got != want {
            failures.push(format!(
                "{name:?}: stderr differs\n--- want\n{want}--- got\n{got}"
            ));
        }
        if work.path().join("generated").exists() {
            failures.push(format!("{name:?}: generated/ was written"));
        }
        // `gen check` reads the same files, and refuses with the same diagnostics.
        let check = gen_in(work.path(), &["check"]);
        let first = want.lines().next().unwrap_or("(none)");
        if check.status.code() != Some(2) || !stdout(&check).starts_with(first) {
            failures.push(format!(
                "{name:?}: gen check: exit {:?}\n{}",
                check.status.code(),
                stderr(&check)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const SPEC: &str = r#"[[container]]
name = "web"
host_port = 8001

[container.app]
kind = "fastapi"
message = "hi"

[container.nginx]
include = ["deploy/extra.conf"]

[[container.static]]
path = "/static/"
dir = "public"

[[container.program]]
name = "worker"
command = "/bin/sh -c 'while true; do date +%s > /tmp/beat; sleep 5; done'"
user = "worker"
directory = "/srv/worker"
environment = { QUEUE = "mail", RATE = "50%" }
"#;

const SNIPPET: &str = "location = /version {\n    return 200 \"1.0\\n\";\n}\n";

/// Bytes that are not UTF-8: a static file is copied as it is.
const LOGO: &[u8] = b"\x89PNG\r\n\x1a\n\x00\xff\xfe";

fn project() -> tempfile::TempDir {
    let work = tempfile::tempdir().expect("tempdir");
    let p = work.path();
    fs::write(p.join("spec.toml"), SPEC).expect("spec");
    fs::create_dir_all(p.join("deploy")).expect("mkdir");
    fs::write(p.join("deploy/extra.conf"), SNIPPET).expect("snippet");
    fs::create_dir_all(p.join("public/css")).expect("mkdir");
    fs::write(p.join("public/logo.png"), LOGO).expect("logo");
    fs::write(p.join("public/css/site.css"), "body {}\n").expect("css");
    work
}

fn read(dir: &Path, path: &str) -> String {
    fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_extension_point_is_built_as_the_spec_says_and_checks_clean() {
    let work = project();
    let p = work.path();
    let out = gen_in(p, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let g = p.join("generated/web");

    // The snippet: a copy saying where it comes from, included at the end of the server block.
    assert_eq!(
        read(&g, "snippets/1-extra.conf"),
        format!(
            "# Copied by gen from `deploy/extra.conf` of the project (container web); edit that file, not this copy.\n{SNIPPET}"
        )
    );
    let nginx = read(&g, "nginx.conf");
    assert!(
        nginx.contains(
            "        location /static/ {\n            alias /srv/static/1/;\n            expires 1h;\n        }\n"
        ),
        "{nginx}"
    );
    assert!(
        nginx.ends_with(
            "        # From `deploy/extra.conf`.\n        include /etc/nginx/gen-snippets/1-extra.conf;\n    }\n}\n"
        ),
        "{nginx}"
    );

    // The static directory, byte for byte.
    assert_eq!(fs::read(g.join("static/1/logo.png")).expect("logo"), LOGO);
    assert_eq!(read(&g, "static/1/css/site.css"), "body {}\n");

    let dockerfile = read(&g, "Dockerfile");
    for line in [
        "    && (id -u worker >/dev/null 2>&1 || useradd --system --user-group --no-create-home --shell /usr/sbin/nologin worker) \\\n    && mkdir -p /srv/worker\n",
        "COPY snippets/1-extra.conf /etc/nginx/gen-snippets/1-extra.conf\nCOPY static/1/ /srv/static/1/\n",
    ] {
        assert!(dockerfile.contains(line), "{line}\n---\n{dockerfile}");
    }

    // The program, with gen's settings; `%` doubled, as supervisord expands `%(...)s`.
    let supervisord = read(&g, "supervisord.conf");
    assert!(
        supervisord.contains(
            "[program:worker]\n\
             command=/bin/sh -c 'while true; do date +%%s > /tmp/beat; sleep 5; done'\n\
             directory=/srv/worker\n\
             user=worker\n\
             environment=QUEUE=\"mail\",RATE=\"50%%\"\n\
             priority=30\n\
             autostart=true\n\
             autorestart=true\n\
             startsecs=2\n\
             startretries=3\n\
             stopsignal=TERM\n\
             stopwaitsecs=8\n\
             stopasgroup=true\n\
             killasgroup=true\n\
             stdout_logfile=/dev/stdout\n\
             stdout_logfile_maxbytes=0\n\
             stderr_logfile=/dev/stderr\n\
             stderr_logfile_maxbytes=0\n"
        ),
        "{supervisord}"
    );

    // Checked with the rest: no finding, the snippet included.
    let check = gen_in(p, &["check", "--deny", "warnings"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert_eq!(stderr(&check), "no problems in 1 container\n");
}

#[test]
fn gen_check_lints_the_snippet_in_its_server_block() {
    let work = project();
    let p = work.path();
    // Valid nginx in a server block, but it drops the forwarded headers of the server block.
    fs::write(
        p.join("deploy/extra.conf"),
        "location /ws/ {\n    proxy_pass http://app;\n    proxy_set_header Upgrade $http_upgrade;\n}\n",
    )
    .expect("snippet");
    let out = gen_in(p, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let check = gen_in(p, &["check", "--format", "concise"]);
    assert_eq!(
        stdout(&check),
        "generated/web/snippets/1-extra.conf:3:16: warning[NGX001] requests proxied here lack the `Host`, `X-Forwarded-For` and `X-Forwarded-Proto` headers\n\
         generated/web/snippets/1-extra.conf:3:16: warning[NGX003] upstream `app` keeps idle connections, but this `proxy_pass` sends `Connection: close`\n"
    );
    // An edit of the project's snippet makes the copy stale until the next build.
    fs::write(p.join("deploy/extra.conf"), SNIPPET).expect("snippet");
    let check = gen_in(p, &["check", "--format", "concise"]);
    assert!(
        stdout(&check).contains("generated/web/snippets/1-extra.conf:"),
        "{}",
        stdout(&check)
    );
    assert!(stdout(&check).contains("GEN001"), "{}", stdout(&check));
    let out = gen_in(p, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        // The image's tag follows its files: compose.yaml and the Deployment name the new one.
        "  updated generated/.gen-manifest\n  updated generated/compose.yaml\n  updated generated/k8s/web.yaml\n  updated generated/web/snippets/1-extra.conf\n\
         generated: 1 container, 0 created, 4 updated, 0 removed, 11 unchanged\n"
    );
}

#[test]
fn an_empty_static_directory_is_refused() {
    let work = project();
    let p = work.path();
    fs::remove_dir_all(p.join("public")).expect("rm");
    fs::create_dir_all(p.join("public/css")).expect("mkdir");
    let out = gen_in(p, &["build"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error[SPEC003]: `static.dir` `public` holds no file\n  --> spec.toml:14:7\n   |\n14 | dir = \"public\"\n   |       ^^^^^^^^\n   = help: put the files to serve in it, or remove the `[[container.static]]` table\n\nerror: 1 problem in the input; nothing was written\n"
    );
    assert!(!p.join("generated").exists());
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_in_a_static_directory_is_refused() {
    let work = project();
    let p = work.path();
    std::os::unix::fs::symlink("/etc/passwd", p.join("public/passwd")).expect("symlink");
    let out = gen_in(p, &["build"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .starts_with("error[SPEC003]: `public/passwd` is a symbolic link or a special file\n"),
        "{}",
        stderr(&out)
    );
    assert!(!p.join("generated").exists());
}

/// With `app.source` the build context is the project, not the container's directory: the
/// snippet and static copies are COPYed from `generated/<name>/` like gen's own files, and
/// the ignore file beside the Dockerfile lets them in.
#[test]
fn the_extension_points_build_with_the_users_own_app_and_check_clean() {
    let work = project();
    let p = work.path();
    let spec = SPEC.replace(
        "kind = \"fastapi\"\nmessage = \"hi\"\n",
        "kind = \"express\"\nsource = \"notes\"\nentry = \"server.js\"\n",
    );
    assert_ne!(spec, SPEC, "the spec's app table changed");
    fs::write(p.join("spec.toml"), spec).expect("spec");
    copy_tree(
        &repo_root().join("tests/fixtures/own-apps/notes"),
        &p.join("notes"),
    );
    let out = gen_in(p, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let g = p.join("generated/web");
    let dockerfile = read(&g, "Dockerfile");
    for line in [
        "COPY notes/ /app/\n",
        "COPY generated/web/nginx.conf /etc/nginx/nginx.conf\n\
         COPY generated/web/snippets/1-extra.conf /etc/nginx/gen-snippets/1-extra.conf\n\
         COPY generated/web/static/1/ /srv/static/1/\n\
         COPY generated/web/supervisord.conf",
    ] {
        assert!(dockerfile.contains(line), "{line}\n---\n{dockerfile}");
    }
    // Every COPY source of the build context is there, from the project's directory.
    for line in dockerfile.lines().filter(|l| l.starts_with("COPY ")) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let src = words[words.len() - 2];
        if !line.contains("--from=") {
            assert!(p.join(src).exists(), "{line}: no {src} in the context");
        }
    }
    assert_eq!(fs::read(g.join("static/1/logo.png")).expect("logo"), LOGO);
    let ignore = read(&g, "Dockerfile.dockerignore");
    assert!(ignore.contains("\n*\n!notes\n!generated/web\n"), "{ignore}");
    assert!(
        read(&g, "supervisord.conf").contains("[program:worker]\n"),
        "the program is under supervisord"
    );
    let compose = read(p, "generated/compose.yaml");
    assert!(
        compose.contains("context: ..") && compose.contains("dockerfile: generated/web/Dockerfile"),
        "{compose}"
    );

    let check = gen_in(p, &["check", "--deny", "warnings"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert_eq!(stderr(&check), "no problems in 1 container\n");
}
