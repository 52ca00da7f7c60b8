//! `gen model`: the container model as gen sees it, exact output on the generated default
//! project (golden files), and the facts a policy tool reads, each with its origin.

use crate::harness::{gen_in, root, snapshot};
use std::fs;

#[test]
fn model_of_the_generated_default_project_as_text_and_json() {
    let text = gen_in(&root(), &["model", "generated"]);
    assert_eq!((text.code, text.stderr.as_str()), (0, ""));
    snapshot("model/generated.txt", &text.stdout);
    let json = gen_in(&root(), &["model", "generated", "--format", "json"]);
    assert_eq!((json.code, json.stderr.as_str()), (0, ""));
    snapshot("model/generated.json", &json.stdout);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(v["version"], 1);
    let names: Vec<&str> = v["containers"]
        .as_array()
        .expect("containers")
        .iter()
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["fastapi-nginx", "express-nginx"]);
}

/// A value ending in `\` is not joined with the next line (as rust-ini joined it): the
/// program keeps its command and its `user=`, each at its own line.
#[test]
fn program_command_ending_in_a_backslash_keeps_the_next_key() {
    let ws = tempfile::tempdir().expect("tempdir");
    let web = ws.path().join("web");
    fs::create_dir_all(&web).expect("mkdir");
    fs::write(
        web.join("supervisord.conf"),
        "[supervisord]\nnodaemon=true\n\n[program:echo]\ncommand=/bin/echo C:\\\nuser=app\n",
    )
    .expect("write");
    let run = gen_in(ws.path(), &["model", "web", "--format", "json"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let program = &v["containers"][0]["programs"][0];
    assert_eq!(program["name"], "echo");
    assert_eq!(program["command"]["value"], "/bin/echo C:\\");
    assert_eq!(program["command"]["origin"]["line"], 5);
    assert_eq!(program["user"]["value"], "app");
    assert_eq!(program["user"]["origin"]["line"], 6);
    assert_eq!(program["user"]["origin"]["column"], 6);
}

#[test]
fn a_path_that_is_not_a_directory_is_refused() {
    let ws = tempfile::tempdir().expect("tempdir");
    fs::write(ws.path().join("nginx.conf"), "events {}\n").expect("write");
    let run = gen_in(ws.path(), &["model", "nginx.conf"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "error: `nginx.conf` is not a directory: pass a container directory, or a directory of them\n"
        )
    );
}

/// The Rego policy of docs/model.md, as the docs show it.
fn documented_policy() -> String {
    let doc = fs::read_to_string(root().join("docs/model.md")).expect("docs/model.md");
    let start = doc.find("```rego\n").expect("a rego block") + "```rego\n".len();
    let len = doc[start..].find("```").expect("its end");
    doc[start..start + len].to_owned()
}

/// What the documented policy denies on the model of `dir` (under `cwd`).
fn denied(cwd: &std::path::Path, dir: &str) -> Vec<String> {
    let run = gen_in(cwd, &["model", dir, "--format", "json"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let mut engine = regorus::Engine::new();
    engine
        .add_policy("gen.rego".into(), documented_policy())
        .expect("the documented policy parses");
    engine
        .set_input_json(&run.stdout)
        .expect("the model is JSON");
    let deny = engine
        .eval_rule("data.main.deny".into())
        .expect("the policy evaluates");
    let mut out: Vec<String> = deny
        .as_set()
        .expect("deny is a set")
        .iter()
        .map(|v| v.as_string().expect("a message").to_string())
        .collect();
    out.sort();
    out
}

/// The example policy of docs/model.md works on the JSON as documented: the generated
/// project passes it, and a container that breaks each of its rules is denied at the line.
#[test]
fn the_documented_conftest_policy_reads_the_model() {
    assert_eq!(denied(&root(), "generated"), Vec::<String>::new());
    let ws = tempfile::tempdir().expect("tempdir");
    let web = ws.path().join("web");
    fs::create_dir_all(&web).expect("mkdir");
    fs::write(
        web.join("supervisord.conf"),
        "[supervisord]\nnodaemon=true\n\n[program:nginx]\ncommand=nginx -g \"daemon off;\"\n\n[program:app]\ncommand=/opt/venv/bin/uvicorn main:app --host 0.0.0.0 --port 8000\n",
    )
    .expect("write");
    fs::write(
        web.join("nginx.conf"),
        "events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n            proxy_pass http://api.example.com:8000;\n        }\n    }\n}\n",
    )
    .expect("write");
    assert_eq!(
        denied(ws.path(), "web"),
        [
            "web/nginx.conf:6:24: nginx of web proxies to http://api.example.com:8000: keep the app inside the container",
            "web/supervisord.conf:7:1: program app of web runs as root: set user=",
            "web/supervisord.conf:8:47: uvicorn of web binds 0.0.0.0: bind 127.0.0.1 behind nginx",
        ]
    );
}
