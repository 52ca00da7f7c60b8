//! `gen lsp`: a language server over stdio. It owns the protocol loop; what it lints is
//! what `gen check FILE` lints, in-process: the container (or compose project) that holds
//! an open file ([`check::container_of`]), read by [`check::paths_context`] with every open
//! buffer overlaid on the disk ([`Vfs`](super::vfs::Vfs)), under the settings of the `gen.toml` found above
//! it (and, for a container under a spec's output directory, the spec's `[check]`), with
//! the findings and fixes of [`check::findings`]. Nothing of the check pipeline is copied.
//!
//! The protocol is spoken by `lsp-server` (the message loop, Content-Length framing on
//! stdio, the initialize and shutdown handshakes) and typed by `lsp-types`: the two crates
//! rust-analyzer is built on, kept by its team and used by most Rust language servers.
//! gen hand-writes none of the JSON-RPC; the only parsing here is of `file://` URIs
//! ([`uri`]), which `lsp-types` 0.97 leaves to the caller.
//!
//! Scheduling: a batch of messages is read whole before anything is linted (so a burst of
//! keystrokes costs one lint), and each container edited since its last lint is linted
//! once. After each lint the messages that arrived meanwhile are read; when they changed
//! that container again, the result is stale and is dropped unpublished (the container is
//! linted anew). Requests (hover, code actions) are answered after the lints, from the
//! latest result.
//!
//! Between lints the server keeps each container it read, with its model and the findings
//! of the rules that read one container alone ([`cache`]): a lint reads every file anew,
//! rebuilds the containers whose files changed and reruns only the rules that read across
//! containers, so an edit of a compose file costs the project's part, not every container.

mod actions;
mod cache;
mod diagnostics;
mod hover;
mod session;
mod uri;

use super::check;
use crate::cli::LspArgs;
use crate::error::{Error, Result};
use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, HoverProviderCapability,
    SaveOptions, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
};
use session::Session;

/// Runs the server until the client asks it to exit: 0 after `shutdown` then `exit`, 1 when
/// the client exits (or goes away) without `shutdown`, as the protocol asks.
///
/// # Errors
/// A `--today` that is not a date, or a broken connection during the handshake.
pub fn run(args: &LspArgs) -> Result<u8> {
    let today = check::today(args.today.as_deref())?;
    let (connection, io_threads) = Connection::stdio();
    let caps = serde_json::to_value(capabilities()).unwrap_or_default();
    let params = connection.initialize(caps).map_err(protocol)?;
    let mut session = Session::new(&params, today);
    for root in &session.roots {
        crate::errln!("gen lsp: workspace {}", root.display());
    }
    let code = serve(&connection, &mut session)?;
    crate::errln!(
        "gen lsp: exiting ({} stale lint{} dropped unpublished; containers built {} times, reused {} times)",
        session.stale_runs,
        check::plural(usize::try_from(session.stale_runs).unwrap_or(usize::MAX)),
        session.cache.built,
        session.cache.reused
    );
    drop(connection);
    io_threads.join().map_err(|e| protocol(e.to_string()))?;
    Ok(code)
}

fn protocol(e: impl std::fmt::Display) -> Error {
    Error::Usage(format!("language server protocol: {e}"))
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// What reading a message asks of the loop.
enum Flow {
    Continue,
    /// Stop with this exit code.
    Exit(u8),
}

/// The message loop; see the module doc for the order of work.
fn serve(connection: &Connection, session: &mut Session) -> Result<u8> {
    let mut requests: Vec<Request> = Vec::new();
    loop {
        let Ok(first) = connection.receiver.recv() else {
            // The client went away without `exit`.
            return Ok(1);
        };
        let batch: Vec<Message> = std::iter::once(first)
            .chain(connection.receiver.try_iter())
            .collect();
        for msg in batch {
            if let Flow::Exit(code) = take(connection, session, msg, &mut requests)? {
                return Ok(code);
            }
        }
        while let Some((unit, generation)) = session.next_dirty() {
            let linted = session.lint(&unit);
            // Messages that came while linting: an edit of this container makes the
            // result stale.
            let more: Vec<Message> = connection.receiver.try_iter().collect();
            for msg in more {
                if let Flow::Exit(code) = take(connection, session, msg, &mut requests)? {
                    return Ok(code);
                }
            }
            if session.generation(&unit) != generation {
                session.stale_runs += 1;
                continue;
            }
            for note in session.publish(&unit, linted) {
                send(connection, Message::Notification(note))?;
            }
        }
        for req in requests.drain(..) {
            let response = session.answer(&req);
            send(connection, Message::Response(response))?;
        }
    }
}

/// Reads one message: a notification changes the session, a request waits in `requests`
/// until the lints are done; `shutdown` is answered here, then `exit` ends the loop.
fn take(
    connection: &Connection,
    session: &mut Session,
    msg: Message,
    requests: &mut Vec<Request>,
) -> Result<Flow> {
    match msg {
        Message::Request(req) => {
            if connection.handle_shutdown(&req).map_err(protocol)? {
                return Ok(Flow::Exit(0));
            }
            requests.push(req);
        }
        Message::Notification(note) => {
            if note.method == "exit" {
                return Ok(Flow::Exit(1));
            }
            session.notify(&note);
        }
        Message::Response(_) => {}
    }
    Ok(Flow::Continue)
}

fn send(connection: &Connection, msg: Message) -> Result<()> {
    connection.sender.send(msg).map_err(protocol)
}

/// A notification of `method` with `params`.
fn notification(method: &str, params: impl serde::Serialize) -> Notification {
    Notification::new(method.to_owned(), params)
}

/// The answer to a request this server does not know.
fn unknown_method(req: &Request) -> Response {
    Response::new_err(
        req.id.clone(),
        lsp_server::ErrorCode::MethodNotFound as i32,
        format!("gen does not answer `{}`", req.method),
    )
}
