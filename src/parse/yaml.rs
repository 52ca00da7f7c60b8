//! YAML for compose files and Kubernetes manifests: the documents of a stream as trees of
//! maps, sequences and scalars, each node with the byte span it was written at.
//!
//! saphyr-parser does the scanning and parsing (YAML 1.2, events with start and end
//! marks); this module builds the trees. Every scalar stays a string, as written after
//! unquoting: compose and Kubernetes read `80` and `"80"` alike, so the readers convert.
//! Aliases are resolved to a copy of their anchor's node, and merge keys (`<<: *base`,
//! common in compose files) are applied. What a hostile input could make large is
//! bounded: the input's length, the nesting depth (aliases included) and the number of
//! nodes built (alias copies included), so a "billion laughs" costs nothing.

use super::span::Span;
use saphyr_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// Longest input read: compose files and manifests are kilobytes.
pub const MAX_LEN: usize = 4 << 20;
/// Deepest nesting of maps and sequences, aliases' copies included.
pub const MAX_DEPTH: usize = 64;
/// Most nodes built for one input, aliases' copies included.
pub const MAX_NODES: usize = 200_000;

/// A node of a document and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub value: Value,
    /// The bytes of the node: a scalar's without its quotes' outside, a collection's from
    /// its first to its last character. An alias's copy keeps the anchor's span.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// An empty value, `~` or `null`.
    Null,
    /// Any other scalar, unquoted; `plain` when written without quotes or block style.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Entries in the order written, merged ones (`<<`) after them.
    Map(Vec<(Node, Node)>),
}

/// Why a text is not YAML gen can read, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub message: String,
    pub span: Span,
}

impl Node {
    /// A scalar's text; `None` for null and collections.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The entries of a map (none for anything else).
    #[must_use]
    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The items of a sequence (none for anything else).
    #[must_use]
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// The value of `key` in a map; the first, when written twice.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The key node of `key` in a map, for pointing at the key itself.
    #[must_use]
    pub fn key(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, _)| k)
    }

    /// The scalar text at `key` of a map.
    #[must_use]
    pub fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }

    #[must_use]
    pub const fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    #[must_use]
    pub const fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    #[must_use]
    pub const fn is_seq(&self) -> bool {
        matches!(self.value, Value::Seq(_))
    }
}

/// Character index to byte offset, since saphyr's marks count characters.
struct Offsets {
    /// Byte offset of each character; empty for ASCII text, where they are the same.
    table: Vec<usize>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Self {
        let table = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices().map(|(i, _)| i).collect()
        };
        Self {
            table,
            len: text.len(),
        }
    }

    fn byte(&self, index: usize) -> usize {
        if self.table.is_empty() {
            index.min(self.len)
        } else {
            self.table.get(index).copied().unwrap_or(self.len)
        }
    }

    fn span(&self, span: saphyr_parser::Span) -> Span {
        let start = self.byte(span.start.index());
        Span::new(start, self.byte(span.end.index()).max(start))
    }
}

/// A node being built, with its height (1 for a scalar) for the depth limit of aliases.
struct Built {
    node: Node,
    height: usize,
}

/// A collection whose end has not been seen yet.
enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
        height: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        start: usize,
        anchor: usize,
        height: usize,
    },
}

impl Frame {
    fn raise(&mut self, child: usize) {
        let (Self::Seq { height, .. } | Self::Map { height, .. }) = self;
        *height = (*height).max(child + 1);
    }
}

/// Builds documents from events.
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize, usize)>,
    documents: Vec<Node>,
    root: Option<Node>,
    nodes: usize,
}

fn node_count(node: &Node) -> usize {
    match &node.value {
        Value::Null | Value::Scalar { .. } => 1,
        Value::Seq(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        Value::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| node_count(k) + node_count(v))
                .sum::<usize>()
        }
    }
}

fn limit(message: &str, span: Span) -> Error {
    Error {
        message: message.to_owned(),
        span,
    }
}

impl Builder {
    fn count(&mut self, n: usize, span: Span) -> Result<(), Error> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(limit(
                &format!("more than {MAX_NODES} nodes (aliases expanded): gen reads no further"),
                span,
            ));
        }
        Ok(())
    }

    fn anchor(&mut self, anchor: usize, built: &Built) {
        if anchor != 0 {
            let size = node_count(&built.node);
            self.anchors
                .insert(anchor, (built.node.clone(), built.height, size));
        }
    }

    fn push(&mut self, built: Built) {
        let Built { node, height } = built;
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(frame) => {
                frame.raise(height);
                match frame {
                    Frame::Seq { items, .. } => items.push(node),
                    Frame::Map { entries, key, .. } => match key.take() {
                        None => *key = Some(node),
                        Some(k) => entries.push((k, node)),
                    },
                }
            }
        }
    }

    fn open(&mut self, span: Span) -> Result<(), Error> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(limit(
                &format!("nested deeper than {MAX_DEPTH} levels: gen reads no further"),
                span,
            ));
        }
        self.count(1, span)
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), Error> {
        match event {
            Event::DocumentEnd => {
                let root = self.root.take().unwrap_or(Node {
                    value: Value::Null,
                    span: Span::new(span.start, span.start),
                });
                self.documents.push(root);
                self.stack.clear();
            }
            Event::Scalar(text, style, anchor, _) => {
                self.count(1, span)?;
                let plain = style == ScalarStyle::Plain;
                // Point inside the quotes, at the value itself.
                let quoted = matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted);
                let span = if quoted && span.len() >= 2 {
                    Span::new(span.start + 1, span.end - 1)
                } else {
                    span
                };
                let value = if plain && matches!(&*text, "" | "~" | "null" | "Null" | "NULL") {
                    Value::Null
                } else {
                    Value::Scalar {
                        text: text.into_owned(),
                        plain,
                    }
                };
                let built = Built {
                    node: Node { value, span },
                    height: 1,
                };
                self.anchor(anchor, &built);
                self.push(built);
            }
            Event::Alias(id) => {
                let (node, height) = match self.anchors.get(&id) {
                    Some((node, height, size)) => {
                        let (node, height, size) = (node.clone(), *height, *size);
                        if self.stack.len() + height > MAX_DEPTH {
                            return Err(limit(
                                &format!(
                                    "an alias nests deeper than {MAX_DEPTH} levels: gen reads no further"
                                ),
                                span,
                            ));
                        }
                        self.count(size, span)?;
                        (node, height)
                    }
                    None => (
                        Node {
                            value: Value::Null,
                            span,
                        },
                        1,
                    ),
                };
                self.push(Built { node, height });
            }
            Event::SequenceStart(anchor, _) => {
                self.open(span)?;
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    start: span.start,
                    anchor,
                    height: 1,
                });
            }
            Event::MappingStart(anchor, _) => {
                self.open(span)?;
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    start: span.start,
                    anchor,
                    height: 1,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (value, start, anchor, height) = match frame {
                    Frame::Seq {
                        items,
                        start,
                        anchor,
                        height,
                    } => (Value::Seq(items), start, anchor, height),
                    Frame::Map {
                        mut entries,
                        key,
                        start,
                        anchor,
                        height,
                    } => {
                        if let Some(k) = key {
                            let at = Span::new(k.span.end, k.span.end);
                            entries.push((
                                k,
                                Node {
                                    value: Value::Null,
                                    span: at,
                                },
                            ));
                        }
                        (Value::Map(merge(entries)), start, anchor, height)
                    }
                };
                let end = span.end.max(start);
                let built = Built {
                    node: Node {
                        value,
                        span: Span::new(start, end),
                    },
                    height,
                };
                self.anchor(anchor, &built);
                self.push(built);
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) => {}
        }
        Ok(())
    }
}

/// Applies merge keys: the entries of the maps under `<<` that the map does not set itself,
/// the first merged map winning over later ones.
fn merge(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    let is_merge =
        |k: &Node| matches!(&k.value, Value::Scalar { text, plain: true } if text == "<<");
    if !entries.iter().any(|(k, _)| is_merge(k)) {
        return entries;
    }
    let (merges, mut own): (Vec<_>, Vec<_>) = entries.into_iter().partition(|(k, _)| is_merge(k));
    for (_, v) in merges {
        let maps = match v.value {
            Value::Map(m) => vec![m],
            Value::Seq(items) => items
                .into_iter()
                .filter_map(|i| match i.value {
                    Value::Map(m) => Some(m),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        for map in maps {
            for (k, v) in map {
                let taken = own
                    .iter()
                    .any(|(o, _)| o.as_str().is_some() && o.as_str() == k.as_str());
                if !taken {
                    own.push((k, v));
                }
            }
        }
    }
    own
}

/// The documents of a YAML stream (a file with `---` separators has several; an empty
/// file has none).
///
/// # Errors
/// The first syntax error, or a limit reached ([`MAX_LEN`], [`MAX_DEPTH`], [`MAX_NODES`]).
pub fn parse(text: &str) -> Result<Vec<Node>, Error> {
    if text.len() > MAX_LEN {
        return Err(limit(
            &format!("longer than {MAX_LEN} bytes: gen does not read it"),
            Span::new(0, 0),
        ));
    }
    let offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        documents: Vec::new(),
        root: None,
        nodes: 0,
    };
    while let Some(next) = parser.next_event() {
        match next {
            Ok((event, span)) => {
                let span = offsets.span(span);
                builder.event(event, span)?;
            }
            Err(e) => {
                let at = offsets.byte(e.marker().index());
                return Err(Error {
                    message: e.info().to_owned(),
                    span: Span::new(at, at),
                });
            }
        }
    }
    Ok(builder.documents)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compact rendering of a node: `{k: v}`, `[a, b]`, `'s'` (quoted), `s`, `~`.
    fn show(n: &Node) -> String {
        match &n.value {
            Value::Null => "~".to_owned(),
            Value::Scalar { text, plain: true } => text.clone(),
            Value::Scalar { text, plain: false } => format!("'{text}'"),
            Value::Seq(items) => format!(
                "[{}]",
                items.iter().map(show).collect::<Vec<_>>().join(", ")
            ),
            Value::Map(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", show(k), show(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    #[test]
    fn documents_table() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("a: 1\n", &["{a: 1}"]),
            ("a: \"80\"\nb: '8001:80'\n", &["{a: '80', b: '8001:80'}"]),
            ("- 1\n- [2, 3]\n", &["[1, [2, 3]]"]),
            ("a:\nb: ~\nc: null\n", &["{a: ~, b: ~, c: ~}"]),
            ("a: 1\n---\nb: 2\n", &["{a: 1}", "{b: 2}"]),
            ("---\na: 1\n---\n", &["{a: 1}", "~"]),
            (
                "x: &d {a: 1, b: 2}\ny:\n  <<: *d\n  b: 3\n",
                &["{x: {a: 1, b: 2}, y: {b: 3, a: 1}}"],
            ),
            (
                "x: &a {a: 1}\nz: &b {a: 2, b: 2}\ny:\n  <<: [*a, *b]\n",
                &["{x: {a: 1}, z: {a: 2, b: 2}, y: {a: 1, b: 2}}"],
            ),
            ("t: [\"CMD\", \"curl\"]\n", &["{t: ['CMD', 'curl']}"]),
            ("s: |\n  one\n  two\n", &["{s: 'one\ntwo\n'}"]),
        ];
        for (text, want) in cases {
            let got: Vec<String> = parse(text)
                .unwrap_or_else(|e| panic!("{text:?}: {e}"))
                .iter()
                .map(show)
                .collect();
            assert_eq!(got, *want, "{text:?}");
        }
    }

    #[test]
    fn spans_table() {
        // (text, path of keys, the text the value's span covers)
        let cases: &[(&str, &[&str], &str)] = &[
            ("a: 1\n", &["a"], "1"),
            ("a:\n  b: \"x y\"\n", &["a", "b"], "x y"),
            ("é: ü\nb: 'ok'\n", &["b"], "ok"),
            ("a: [1, 2]\n", &["a"], "[1, 2]"),
            ("a:\n  b: 1\n  c: 2\nd: 3\n", &["a"], "b: 1\n  c: 2\n"),
        ];
        for (text, path, want) in cases {
            let docs = parse(text).expect("parses");
            let mut node = &docs[0];
            for key in *path {
                node = node.get(key).expect("key present");
            }
            let got = &text[node.span.start..node.span.end];
            assert_eq!(got, *want, "{text:?}");
        }
    }

    #[test]
    fn key_spans_point_at_the_key() {
        let text = "services:\n  web:\n    image: web\n";
        let docs = parse(text).expect("parses");
        let services = docs[0].get("services").expect("services");
        let key = services.key("web").expect("web");
        assert_eq!(&text[key.span.start..key.span.end], "web");
        let image = services.get("web").and_then(|w| w.get("image"));
        assert_eq!(image.map(|i| i.span), Some(Span::new(28, 31)));
    }

    #[test]
    fn errors_table() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let laughs = {
            let mut s = "a: &a [x, x, x, x, x, x, x, x, x, x]\n".to_owned();
            for (i, name) in ["b", "c", "d", "e", "f", "g"].iter().enumerate() {
                let prev = ["a", "b", "c", "d", "e", "f"][i];
                s.push_str(&format!(
                    "{name}: &{name} [{}]\n",
                    vec![format!("*{prev}"); 10].join(", ")
                ));
            }
            s
        };
        let long = "#".repeat(MAX_LEN + 1);
        let cases: &[(&str, &str)] = &[
            ("a: [1, 2\n", "expected ',' or ']'"),
            ("a: *nowhere\n", "unknown anchor"),
            (
                "a: 1\n b: 2\n",
                "mapping values are not allowed in this context",
            ),
            (&deep, "nested deeper than 64 levels"),
            (&laughs, "more than 200000 nodes"),
            (&long, "longer than"),
        ];
        for (text, want) in cases {
            match parse(text) {
                Ok(d) => panic!("{:?} parsed: {d:?}", &text[..text.len().min(40)]),
                Err(e) => assert!(
                    e.message.contains(want),
                    "{:?}: {}",
                    &text[..text.len().min(40)],
                    e.message
                ),
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "(?s).{0,200}") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_yaml_like_text(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("- ".to_owned()),
                    proptest::strategy::Just(": ".to_owned()),
                    proptest::strategy::Just("\n".to_owned()),
                    proptest::strategy::Just("  ".to_owned()),
                    proptest::strategy::Just("&a ".to_owned()),
                    proptest::strategy::Just("*a".to_owned()),
                    proptest::strategy::Just("<<".to_owned()),
                    proptest::strategy::Just("---\n".to_owned()),
                    proptest::strategy::Just("[".to_owned()),
                    proptest::strategy::Just("]".to_owned()),
                    proptest::strategy::Just("{".to_owned()),
                    proptest::strategy::Just("}".to_owned()),
                    proptest::strategy::Just("\"".to_owned()),
                    proptest::strategy::Just("é".to_owned()),
                    "[a-z0-9]{1,4}",
                ],
                0..60,
            )
        ) {
            let text = parts.concat();
            if let Ok(docs) = parse(&text) {
                for d in &docs {
                    proptest::prop_assert!(d.span.start <= d.span.end && d.span.end <= text.len());
                }
            }
        }
    }
}
