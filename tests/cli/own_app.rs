//! The user's own app (`app.source`): tests/fixtures/own-apps is a project of three apps
//! (FastAPI from pyproject.toml in a src/ layout with a factory, FastAPI from
//! requirements.txt without uvicorn, Express with its lock file). Its committed generated/
//! is the golden output; a build writes none of the apps' files, says what it adds, and
//! checks clean; a missing manifest, lock file or script is an error naming the spec's line.

use crate::support::{gen_in, repo_root, stderr, stdout};
use std::fs;
use std::path::Path;

const FIXTURE: &str = "tests/fixtures/own-apps";

/// The fixture's sources (not its generated/) copied into `to`.
fn copy_project(to: &Path) {
    fn walk(from: &Path, to: &Path) {
        fs::create_dir_all(to).expect("mkdir");
        for entry in fs::read_dir(from).expect("read fixture") {
            let entry = entry.expect("entry");
            let name = entry.file_name();
            if name == "generated" {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                walk(&path, &to.join(&name));
            } else {
                fs::copy(&path, to.join(&name)).expect("copy");
            }
        }
    }
    walk(&repo_root().join(FIXTURE), to);
}

/// The committed generated/ of the fixture is what its spec gives. `GEN_BLESS=1` rewrites it.
#[test]
fn own_apps_generated_matches_spec() {
    let root = repo_root();
    let spec = format!("{FIXTURE}/spec.toml");
    let out = format!("{FIXTURE}/generated");
    if std::env::var_os("GEN_BLESS").is_some() {
        let o = gen_in(&root, &["build", "--force", "--spec", &spec, "--out", &out]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = gen_in(&root, &["build", "--check", "--spec", &spec, "--out", &out]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn a_build_writes_no_app_file_says_what_it_adds_and_checks_clean() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_project(dir.path());
    let o = gen_in(dir.path(), &["build"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).ends_with(
            "generated: 3 containers, 25 created, 0 updated, 0 removed, 0 unchanged\n\
             api: the image adds uvicorn==0.54.0 (the app server; requirements.txt does not list it)\n"
        ),
        "{}",
        stdout(&o)
    );
    let out = dir.path().join("generated");
    for name in ["shop", "api", "notes"] {
        let mut files: Vec<String> = fs::read_dir(out.join(name))
            .expect("container dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(
            files,
            [
                "Dockerfile",
                "Dockerfile.dockerignore",
                "README.md",
                "entrypoint.sh",
                "nginx.conf",
                "supervisord.conf"
            ],
            "{name}"
        );
    }
    let compose = fs::read_to_string(out.join("compose.yaml")).expect("compose");
    assert!(
        compose.contains(
            "    build:\n      context: ..\n      dockerfile: generated/shop/Dockerfile\n"
        )
    );
    let dockerfile = fs::read_to_string(out.join("api/Dockerfile")).expect("Dockerfile");
    assert!(dockerfile.contains(
        "COPY api/requirements.txt /app/requirements.txt\n\
         RUN python3 -m venv /opt/venv \\\n    && /opt/venv/bin/pip install --no-cache-dir -r /app/requirements.txt uvicorn==0.54.0\n\
         COPY api/ /app/\n"
    ));
    assert!(dockerfile.contains("COPY generated/api/nginx.conf /etc/nginx/nginx.conf\n"));
    let supervisord = fs::read_to_string(out.join("shop/supervisord.conf")).expect("conf");
    assert!(supervisord.contains(
        "command=/opt/venv/bin/uvicorn shop.main:create_app --factory --host 127.0.0.1 --port %(ENV_APP_PORT)s"
    ));
    let ignore = fs::read_to_string(out.join("notes/Dockerfile.dockerignore")).expect("ignore");
    assert!(ignore.contains("\n*\n!notes\n!generated/notes\n**/.git\n**/node_modules\n"));
    // The spec's project and the compose project under generated/ both check clean.
    for args in [&["check"][..], &["check", "generated"][..]] {
        let o = gen_in(dir.path(), args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("no problems in 3 containers"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    // gen check reads the app through the build context: a port the app does not take from
    // its environment is found in the app's own file.
    let server = dir.path().join("notes/server.js");
    let js = fs::read_to_string(&server).expect("server.js");
    fs::write(
        &server,
        js.replace("Number(process.env.PORT || 3000)", "4000"),
    )
    .expect("edit");
    let o = gen_in(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains(" --> notes/server.js:"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn missing_manifests_lock_files_and_scripts_are_errors_at_the_spec() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_project(dir.path());
    fs::remove_file(dir.path().join("notes/package-lock.json")).expect("rm");
    fs::remove_file(dir.path().join("api/requirements.txt")).expect("rm");
    let spec = dir.path().join("spec.toml");
    let text = fs::read_to_string(&spec).expect("spec");
    fs::write(
        &spec,
        text.replace("source = \"shop\"", "source = \"shop-app\""),
    )
    .expect("edit");
    let o = gen_in(dir.path(), &["build"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for want in [
        "error[SPEC005]: `app.source` `shop-app` is not a directory",
        " --> spec.toml:11:10",
        "error[SPEC005]: `app.source` `api` has no `requirements.txt` or `pyproject.toml`",
        " --> spec.toml:22:10",
        "error[SPEC005]: `app.source` `notes` has no `package-lock.json`",
        " --> spec.toml:32:10",
    ] {
        assert!(err.contains(want), "missing {want:?} in\n{err}");
    }
    assert!(!dir.path().join("generated").exists());
    fs::write(
        &spec,
        text.replace("entry = \"server.js\"", "entry = \"index.js\""),
    )
    .expect("edit");
    fs::write(dir.path().join("notes/package-lock.json"), "{}").expect("lock");
    fs::write(dir.path().join("api/requirements.txt"), "fastapi\n").expect("reqs");
    let o = gen_in(dir.path(), &["build"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("error[SPEC005]: `app.entry` `index.js` is not a file in `notes`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_output_directory_outside_the_project_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("project");
    copy_project(&project);
    let o = gen_in(&project, &["build", "--out", "../elsewhere"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the output directory `../elsewhere` is not inside"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("elsewhere").exists());
}
