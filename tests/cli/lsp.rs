//! `gen lsp`: a test client speaks the protocol (JSON-RPC with Content-Length framing) to
//! the real binary over its stdin and stdout. It opens a container's files, breaks and
//! repairs a port that two files must agree on, and asserts what is published on both
//! files, the quick fixes, hover, and a clean shutdown.

use super::support::{gen_bin, repo_root};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// Long enough for a debug build on a busy machine; every wait is bounded by it.
const TIMEOUT: Duration = Duration::from_secs(30);

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Messages read while waiting for something else.
    pending: VecDeque<Value>,
    next_id: i64,
}

impl Client {
    /// Starts `gen lsp` and completes the initialize handshake with `root` as workspace.
    pub fn start(root: &Path, cache: &Path) -> Self {
        Self::start_logged(root, cache, Stdio::null())
    }

    /// [`Client::start`], with the server's log (its stderr) going to `log`.
    pub fn start_logged(root: &Path, cache: &Path, log: impl Into<Stdio>) -> Self {
        let mut child = Command::new(gen_bin())
            .args(["lsp", "--today", "2026-01-01"])
            .current_dir(root)
            .env("XDG_CACHE_HOME", cache)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start gen lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        len = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("a Content-Length header")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let msg: Value = serde_json::from_slice(&body).expect("JSON from the server");
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        let mut client = Self {
            child,
            stdin,
            incoming,
            pending: VecDeque::new(),
            next_id: 1,
        };
        let root_uri = uri(root);
        let init = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": [{"uri": root_uri, "name": "test"}],
                "capabilities": {}
            }),
        );
        assert!(
            init["capabilities"]["hoverProvider"] == json!(true),
            "{init}"
        );
        client.notify("initialized", json!({}));
        client
    }

    pub fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response's result (notifications that come
    /// meanwhile are kept).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let msg = self.wait(|m| m["id"] == json!(id) && m.get("method").is_none());
        assert!(msg.get("error").is_none(), "{method}: {msg}");
        msg["result"].clone()
    }

    /// The first message (kept or new) that `want` accepts; the others stay kept.
    pub fn wait(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&want) {
            return self.pending.remove(i).expect("kept message");
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(msg) if want(&msg) => return msg,
                Ok(msg) => self.pending.push_back(msg),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no such message in {TIMEOUT:?}; kept: {:#?}", self.pending)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server closed its output; kept: {:#?}", self.pending)
                }
            }
        }
    }

    /// The diagnostics published for `file` once they satisfy `want`: publishes for the
    /// file that come before (an earlier lint's) are passed over, so the wait is for the
    /// state the file settles in, and fails after [`TIMEOUT`] when it never does.
    pub fn published(&mut self, file: &Path, want: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let uri = uri(file);
        let of_file = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        let list = |m: &Value| {
            m["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        };
        let msg = self.wait(|m| of_file(m) && want(&list(m)));
        // Older publishes of the file are history now.
        self.pending.retain(|m| !of_file(m));
        list(&msg)
    }

    /// Waits until `file`'s published diagnostics are none.
    pub fn clean(&mut self, file: &Path) {
        self.published(file, <[Value]>::is_empty);
    }

    /// The diagnostics of `file` once one has `code`.
    pub fn with_code(&mut self, file: &Path, code: &str) -> Vec<Value> {
        self.published(file, |d| codes(d).iter().any(|c| c == code))
    }

    pub fn open(&mut self, file: &Path) {
        let text = std::fs::read_to_string(file).expect("read");
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(file), "languageId": "plaintext", "version": 1, "text": text}}),
        );
    }

    pub fn close(&mut self, file: &Path) {
        self.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri(file)}}),
        );
    }

    pub fn change(&mut self, file: &Path, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(file), "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// `shutdown` then `exit`; the exit code.
    pub fn shutdown(mut self) -> Option<i32> {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            assert!(Instant::now() < deadline, "gen lsp did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// A copy of `from` (a directory of the repository) under a new temporary directory.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn setup(fixture: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = std::fs::canonicalize(tmp.path())
        .expect("canonical")
        .join("web");
    copy_dir(fixture, &root);
    (tmp, root)
}

#[test]
fn lsp_cross_file_port_appears_and_vanishes_on_both_files() {
    let (tmp, dir) = setup(&repo_root().join("tests/fixtures/lsp/web"));
    let nginx = dir.join("nginx.conf");
    let supervisord = dir.join("supervisord.conf");
    let mut client = Client::start(&dir, &tmp.path().join("cache"));
    client.open(&nginx);
    client.clean(&nginx);

    // Break it: nginx proxies to 8001, gunicorn binds 8000 (in supervisord.conf). The
    // edit is not saved: the buffer is what is linted.
    let text = std::fs::read_to_string(&nginx).expect("read");
    let broken = text.replace("server 127.0.0.1:8000;", "server 127.0.0.1:8001;");
    assert_ne!(broken, text);
    client.change(&nginx, 2, &broken);
    let on_nginx = client.with_code(&nginx, "PORT001");
    let on_supervisord = client.with_code(&supervisord, "PORT001");
    assert_eq!(codes(&on_nginx), ["PORT001"], "{on_nginx:#?}");
    let d = &on_nginx[0];
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "gen");
    assert_eq!(
        d["range"],
        json!({"start": {"line": 1, "character": 11}, "end": {"line": 1, "character": 25}})
    );
    let href = d["codeDescription"]["href"].as_str().expect("a code link");
    assert!(href.ends_with("/rules/PORT001.md"), "{href}");
    let related = d["relatedInformation"].as_array().expect("related places");
    assert!(
        related
            .iter()
            .any(|r| r["location"]["uri"] == uri(&supervisord)
                && r["location"]["range"]["start"] == json!({"line": 7, "character": 80})),
        "{related:#?}"
    );
    assert_eq!(codes(&on_supervisord), ["PORT001"], "{on_supervisord:#?}");
    assert_eq!(on_supervisord[0]["severity"], 3);
    assert_eq!(
        on_supervisord[0]["relatedInformation"][0]["location"]["uri"],
        uri(&nginx)
    );

    // The quick fixes on the finding: the rule's own (unsafe here: it picks a side), and
    // the suppression comment.
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri(&nginx)},
            "range": {"start": {"line": 1, "character": 12}, "end": {"line": 1, "character": 12}},
            "context": {"diagnostics": []}
        }),
    );
    let actions = actions.as_array().expect("actions");
    let fix = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.contains("unsafe fix"))
        })
        .unwrap_or_else(|| panic!("an unsafe fix: {actions:#?}"));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], false);
    let edits = &fix["edit"]["changes"][uri(&nginx)];
    assert_eq!(
        edits,
        &json!([{
            "range": {"start": {"line": 1, "character": 11}, "end": {"line": 1, "character": 25}},
            "newText": "127.0.0.1:8000"
        }]),
        "{fix:#?}"
    );
    let suppress = actions
        .iter()
        .find(|a| a["title"] == "Suppress PORT001 on this line")
        .unwrap_or_else(|| panic!("a suppression: {actions:#?}"));
    assert_eq!(
        suppress["edit"]["changes"][uri(&nginx)],
        json!([{
            "range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
            "newText": "    # gen: ignore[PORT001]\n"
        }])
    );

    // Hover on the port: where else the container uses it.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&nginx)}, "position": {"line": 1, "character": 14}}),
    );
    let text_of_hover = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(text_of_hover.contains("**port 8001**"), "{text_of_hover}");
    assert!(text_of_hover.contains("nginx.conf:2"), "{text_of_hover}");

    // Repair it: the findings vanish on both files.
    client.change(&nginx, 3, &text);
    client.clean(&nginx);
    client.clean(&supervisord);

    // Hover on the app's port in supervisord.conf, and on a rule in a suppression comment.
    client.open(&supervisord);
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&supervisord)}, "position": {"line": 7, "character": 85}}),
    );
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.contains("**port 8000**"), "{value}");
    assert!(value.contains("nginx.conf:2"), "{value}");
    assert!(value.contains("supervisord.conf:8"), "{value}");
    // Hover on a path of the image: where it comes from and who reads it.
    let dockerfile = dir.join("Dockerfile");
    client.open(&dockerfile);
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&dockerfile)}, "position": {"line": 9, "character": 30}}),
    );
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        value.starts_with("**`/etc/nginx/conf.d/site.conf`**"),
        "{value}"
    );
    assert!(
        value.contains("[Dockerfile:10](") && value.contains("the image gets it from `nginx.conf`"),
        "{value}"
    );
    // The include is in the package's nginx.conf: named, not linked.
    assert!(
        value.contains("\n- /etc/nginx/nginx.conf (packaged by debian):59: nginx reads it through this `include`"),
        "{value}"
    );
    let suppressed = format!("# gen: ignore[upstream-port-mismatch]\n{text}");
    client.change(&nginx, 4, &suppressed);
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&nginx)}, "position": {"line": 0, "character": 20}}),
    );
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        value.starts_with("# upstream-port-mismatch (PORT001)"),
        "{value}"
    );

    assert_eq!(client.shutdown(), Some(0));
}

/// The reference container of `generated/`: an edit of nginx.conf's upstream port shows in
/// nginx.conf and where the app's port is written (the Dockerfile's `ENV`, app.py).
#[test]
fn lsp_reference_container_edit_shows_in_the_files_it_names() {
    let (tmp, dir) = setup(&repo_root().join("generated/fastapi-nginx"));
    let nginx = dir.join("nginx.conf");
    let dockerfile = dir.join("Dockerfile");
    let app = dir.join("app.py");
    let mut client = Client::start(&dir, &tmp.path().join("cache"));
    client.open(&nginx);
    client.open(&dockerfile);
    client.clean(&nginx);
    client.clean(&dockerfile);
    let text = std::fs::read_to_string(&nginx).expect("read");
    let broken = text.replace("server 127.0.0.1:8000;", "server 127.0.0.1:8001;");
    assert_ne!(broken, text);
    client.change(&nginx, 2, &broken);
    let on_nginx = codes(&client.with_code(&nginx, "PORT001"));
    // The entrypoint writes the port from `APP_PORT`: ENV002 says the file's 8001 is not
    // what runs.
    assert_eq!(on_nginx, ["PORT001", "ENV002"]);
    client.with_code(&dockerfile, "PORT001");
    client.with_code(&app, "PORT001");
    client.change(&nginx, 3, &text);
    client.clean(&nginx);
    client.clean(&dockerfile);
    client.clean(&app);
    assert_eq!(client.shutdown(), Some(0));
}

/// `exit` without `shutdown` is exit code 1, as the protocol says.
#[test]
fn lsp_exit_without_shutdown_is_an_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut client = Client::start(tmp.path(), &tmp.path().join("cache"));
    client.notify("exit", Value::Null);
    let deadline = Instant::now() + TIMEOUT;
    let code = loop {
        if let Some(status) = client.child.try_wait().expect("wait") {
            break status.code();
        }
        assert!(Instant::now() < deadline, "gen lsp did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(code, Some(1));
}

/// A burst of edits, sent without waiting: what is published last is the last edit's
/// findings, never an older edit's (a stale lint is dropped, not published after).
#[test]
fn lsp_burst_of_edits_settles_on_the_last() {
    let (tmp, dir) = setup(&repo_root().join("tests/fixtures/lsp/web"));
    let nginx = dir.join("nginx.conf");
    let mut client = Client::start(&dir, &tmp.path().join("cache"));
    client.open(&nginx);
    client.clean(&nginx);
    let text = std::fs::read_to_string(&nginx).expect("read");
    for port in 8001..=8020 {
        let edited = text.replace(
            "server 127.0.0.1:8000;",
            &format!("server 127.0.0.1:{port};"),
        );
        client.change(&nginx, i64::from(port), &edited);
    }
    let last = client.published(&nginx, |d| {
        d.iter()
            .any(|d| d["message"].as_str().is_some_and(|m| m.contains(":8020`")))
    });
    assert_eq!(codes(&last), ["PORT001"]);
    // Requests are answered after every lint is published: what came after is in hand.
    client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&nginx)}, "position": {"line": 0, "character": 0}}),
    );
    let later: Vec<&Value> = client
        .pending
        .iter()
        .filter(|m| m["params"]["uri"] == uri(&nginx))
        .collect();
    assert!(
        later.iter().all(|m| m.to_string().contains(":8020`")),
        "{later:#?}"
    );
    assert_eq!(client.shutdown(), Some(0));
}

/// spec.toml: the problems `gen build` would refuse it for, as you type.
#[test]
fn lsp_spec_problems_appear_and_vanish() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = std::fs::canonicalize(tmp.path()).expect("canonical");
    let spec = dir.join("spec.toml");
    std::fs::copy(repo_root().join("spec.toml"), &spec).expect("copy");
    let mut client = Client::start(&dir, &dir.join("cache"));
    client.open(&spec);
    client.clean(&spec);
    let text = std::fs::read_to_string(&spec).expect("read");
    let broken = text.replacen("port = 8000", "port = 80", 1);
    assert_ne!(broken, text);
    client.change(&spec, 2, &broken);
    let diags = client.with_code(&spec, "SPEC004");
    assert_eq!(codes(&diags), ["SPEC004"]);
    assert_eq!(diags[0]["range"]["start"]["line"], 12);
    client.change(&spec, 3, &text);
    client.clean(&spec);
    assert_eq!(client.shutdown(), Some(0));
}

/// The settings of the CLI: a `gen.toml` above the container changes a rule's severity.
#[test]
fn lsp_applies_gen_toml() {
    let (tmp, dir) = setup(&repo_root().join("tests/fixtures/lsp/web"));
    std::fs::write(
        dir.parent().expect("parent").join("gen.toml"),
        "[check]\nseverity = { upstream-port-mismatch = \"warning\" }\n",
    )
    .expect("write gen.toml");
    let nginx = dir.join("nginx.conf");
    let mut client = Client::start(&dir, &tmp.path().join("cache"));
    client.open(&nginx);
    client.clean(&nginx);
    let text = std::fs::read_to_string(&nginx).expect("read");
    client.change(
        &nginx,
        2,
        &text.replace("server 127.0.0.1:8000;", "server 127.0.0.1:8001;"),
    );
    let diags = client.with_code(&nginx, "PORT001");
    assert_eq!(diags[0]["severity"], 2, "{diags:#?}");
    assert_eq!(client.shutdown(), Some(0));
}

/// An edit of `compose` (a comment at its end, new each time), so the project is linted again.
fn touch(client: &mut Client, compose: &Path, text: &str, version: i64) {
    client.change(compose, version, &format!("{text}# edit {version}\n"));
}

/// The server keeps each container's model and findings between lints (rebuilding only the
/// containers whose files changed): a lint of the compose project must see each container's
/// files as they are now, an unsaved edit, the file on disk once its buffer is closed, a
/// change on disk by another program, never as they were at the project's last lint. Moving
/// fastapi-nginx's nginx to port 81 makes the compose file's port mapping and health check
/// wrong (PORT003, HC002, findings of the project on compose.yaml).
#[test]
fn lsp_project_lint_never_serves_a_stale_container() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = std::fs::canonicalize(tmp.path())
        .expect("canonical")
        .join("project");
    copy_dir(&repo_root().join("generated"), &root);
    let compose = root.join("compose.yaml");
    let nginx = root.join("fastapi-nginx/nginx.conf");
    let log = tmp.path().join("log");
    let mut client = Client::start_logged(
        &root,
        &tmp.path().join("cache"),
        std::fs::File::create(&log).expect("log"),
    );
    let compose_text = std::fs::read_to_string(&compose).expect("read");
    let text = std::fs::read_to_string(&nginx).expect("read");
    let moved = text.replace("listen 80 default_server;", "listen 81 default_server;");
    assert_ne!(moved, text);
    let wrong = |d: &[Value]| {
        let c = codes(d);
        c.contains(&"PORT003".to_owned()) && c.contains(&"HC002".to_owned())
    };
    client.open(&compose);
    client.clean(&compose);

    // An unsaved edit of the container's file, then of the compose file.
    client.open(&nginx);
    client.clean(&nginx);
    client.change(&nginx, 2, &moved);
    client.with_code(&nginx, "PORT003");
    touch(&mut client, &compose, &compose_text, 2);
    client.published(&compose, wrong);

    // The buffer closed unsaved: the file on disk (port 80) counts again.
    client.close(&nginx);
    client.clean(&nginx);
    touch(&mut client, &compose, &compose_text, 3);
    client.clean(&compose);

    // Another program writes the file, which is not open.
    std::fs::write(&nginx, &moved).expect("write");
    touch(&mut client, &compose, &compose_text, 4);
    client.published(&compose, wrong);

    // Opened and put back in the editor, unsaved.
    client.open(&nginx);
    client.with_code(&nginx, "PORT003");
    client.change(&nginx, 2, &text);
    client.clean(&nginx);
    touch(&mut client, &compose, &compose_text, 5);
    client.clean(&compose);

    // Saved: the disk and the buffer agree, nothing to rebuild.
    std::fs::write(&nginx, &text).expect("write");
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&nginx)}}),
    );
    client.clean(&nginx);
    touch(&mut client, &compose, &compose_text, 6);
    client.clean(&compose);
    assert_eq!(client.shutdown(), Some(0));

    // The untouched container was served from the cache, not rebuilt at each lint.
    let log = std::fs::read_to_string(&log).expect("log");
    let reused: u64 = log
        .split("reused ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of reused containers in the log: {log}"));
    assert!(reused >= 5, "{log}");
}
