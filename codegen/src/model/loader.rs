//! Loading Smithy JSON AST files into a [`Model`].
//!
//! The steps, in order: parse each file ([`super::json`]); read its `smithy` version, `metadata`
//! and `shapes` into an internal form that remembers where every reference was written; merge
//! the files and the prelude; attach `apply` traits to shapes and locally defined members;
//! flatten mixins; attach `apply` traits to members that only exist after flattening; convert
//! Smithy 1.0 forms (the `enum` trait, `box`, primitive defaults); check the result
//! ([`super::validate`]); and only when no error was found, build the public [`Model`].
//!
//! Nothing stops at the first problem: every diagnostic is collected and returned sorted.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use super::json::{self, JEntry, JNode, JValue, Pos};
use super::shape_id::is_identifier;
use super::{
    Diagnostic, Member, Model, Node, NodeValue, Operation, Resource, Service, Shape, ShapeId,
    ShapeKind, Span, Traits, prelude, validate,
};

/// One input file: a display name (used in diagnostics) and its text.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// The path as the user should see it, e.g. `models/mpa.json`.
    pub name: &'a str,
    /// The JSON text.
    pub text: &'a str,
}

/// The result of [`load`]: the model when there was no error, and every diagnostic.
#[derive(Clone, Debug)]
pub struct LoadOutcome {
    /// The loaded model; `None` if and only if some diagnostic is an error.
    pub model: Option<Model>,
    /// Errors and warnings, sorted by file, line, column.
    pub diagnostics: Vec<Diagnostic>,
}

/// A reference to a shape as written in a file.
#[derive(Clone, Debug)]
pub(crate) struct Ref {
    pub id: ShapeId,
    pub span: Span,
}

/// A member while loading.
#[derive(Clone, Debug)]
pub(crate) struct LMember {
    pub name: String,
    /// Where the member name is written.
    pub span: Span,
    /// `None` when the written target was invalid (already reported).
    pub target: Option<Ref>,
    pub traits: Traits,
    /// Copied from a mixin and not redefined locally: its target was checked on the mixin.
    pub inherited: bool,
}

/// A service while loading.
#[derive(Clone, Debug, Default)]
pub(crate) struct LService {
    pub version: Option<String>,
    pub operations: Vec<Ref>,
    pub resources: Vec<Ref>,
    pub errors: Vec<Ref>,
    /// Renamed shape, new name, span of the new name.
    pub rename: Vec<(Ref, String, Span)>,
}

/// An operation while loading.
#[derive(Clone, Debug, Default)]
pub(crate) struct LOperation {
    pub input: Option<Ref>,
    pub output: Option<Ref>,
    pub errors: Vec<Ref>,
}

/// A resource while loading.
#[derive(Clone, Debug, Default)]
pub(crate) struct LResource {
    pub identifiers: Vec<(String, Ref)>,
    pub properties: Vec<(String, Ref)>,
    pub lifecycle: Vec<(String, Ref)>,
    pub operations: Vec<Ref>,
    pub collection_operations: Vec<Ref>,
    pub resources: Vec<Ref>,
}

/// Kind-specific parts of a shape while loading.
#[derive(Clone, Debug)]
pub(crate) enum Body {
    /// blob, boolean, string, numbers, timestamp, document (the payload-free `ShapeKind`s).
    Simple(ShapeKind),
    Enum(Vec<LMember>),
    IntEnum(Vec<LMember>),
    Structure(Vec<LMember>),
    Union(Vec<LMember>),
    /// `None` until a mixin provides it (reported if still missing after flattening).
    List(Option<LMember>),
    Map(Option<LMember>, Option<LMember>),
    Service(LService),
    Operation(LOperation),
    Resource(LResource),
}

impl Body {
    /// The JSON AST type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Body::Simple(k) => k.type_name(),
            Body::Enum(_) => "enum",
            Body::IntEnum(_) => "intEnum",
            Body::Structure(_) => "structure",
            Body::Union(_) => "union",
            Body::List(_) => "list",
            Body::Map(..) => "map",
            Body::Service(_) => "service",
            Body::Operation(_) => "operation",
            Body::Resource(_) => "resource",
        }
    }

    /// Members in order (list `member`, map `key` and `value` included).
    pub fn members(&self) -> Vec<&LMember> {
        match self {
            Body::Enum(m) | Body::IntEnum(m) | Body::Structure(m) | Body::Union(m) => {
                m.iter().collect()
            }
            Body::List(m) => m.iter().collect(),
            Body::Map(k, v) => k.iter().chain(v.iter()).collect(),
            _ => Vec::new(),
        }
    }

    fn member_mut(&mut self, name: &str) -> Option<&mut LMember> {
        match self {
            Body::Enum(m) | Body::IntEnum(m) | Body::Structure(m) | Body::Union(m) => {
                m.iter_mut().find(|m| m.name == name)
            }
            Body::List(m) => m.as_mut().filter(|m| m.name == name),
            Body::Map(k, v) => k
                .as_mut()
                .filter(|m| m.name == name)
                .or(v.as_mut().filter(|m| m.name == name)),
            _ => None,
        }
    }

    fn members_mut(&mut self) -> Vec<&mut LMember> {
        match self {
            Body::Enum(m) | Body::IntEnum(m) | Body::Structure(m) | Body::Union(m) => {
                m.iter_mut().collect()
            }
            Body::List(m) => m.iter_mut().collect(),
            Body::Map(k, v) => k.iter_mut().chain(v.iter_mut()).collect(),
            _ => Vec::new(),
        }
    }
}

/// A shape while loading.
#[derive(Clone, Debug)]
pub(crate) struct LShape {
    pub id: ShapeId,
    pub body: Body,
    pub traits: Traits,
    pub mixins: Vec<Ref>,
    /// Where the shape id key is written; `None` for the prelude.
    pub span: Option<Span>,
    /// Defined in a Smithy 1.0 file.
    pub v1: bool,
}

impl LShape {
    /// A prelude shape.
    pub(crate) fn prelude(id: ShapeId, body: Body, traits: Traits) -> Self {
        LShape {
            id,
            body,
            traits,
            mixins: Vec::new(),
            span: None,
            v1: false,
        }
    }
}

/// Traits listed in an `apply` entry.
struct Apply {
    target: ShapeId,
    span: Span,
    traits: Vec<(ShapeId, Node)>,
}

/// The `smithy.api#name` id.
pub(crate) fn api(name: &str) -> ShapeId {
    ShapeId::new(prelude::NAMESPACE, name)
}

/// Adds a trait, or merges it with an existing value: equal values are fine, arrays
/// concatenate, anything else is a conflict.
pub(crate) fn merge_trait(
    traits: &mut Traits,
    id: ShapeId,
    value: Node,
    owner: &dyn fmt::Display,
    diags: &mut Vec<Diagnostic>,
) {
    match traits.map.get_mut(&id) {
        None => {
            traits.map.insert(id, value);
        }
        Some(existing) => {
            if json::same_node(existing, &value) {
                return;
            }
            if let (NodeValue::Array(have), NodeValue::Array(add)) =
                (&mut existing.value, value.value.clone())
            {
                have.extend(add);
                return;
            }
            diags.push(
                Diagnostic::error(format!(
                    "conflicting values for trait `{id}`: already set to a different value at {}",
                    existing.span
                ))
                .at(&value.span)
                .shape(owner)
                .help("remove one of the two values or make them equal (only list-valued traits are concatenated)"),
            );
        }
    }
}

const SHAPE_TYPES: &str = "blob, boolean, string, byte, short, integer, long, float, double, bigInteger, bigDecimal, timestamp, document, enum, intEnum, list, set, map, structure, union, service, operation, resource, apply";

/// Loads and checks a model from one or more JSON AST files.
///
/// Never panics. `model` is `Some` exactly when no diagnostic is an error; diagnostics are
/// sorted with [`crate::diagnostic::sort`].
pub fn load(sources: &[Source<'_>]) -> LoadOutcome {
    let mut diags = Vec::new();
    let mut docs: Vec<(Arc<str>, JNode)> = Vec::new();
    for source in sources {
        let file: Arc<str> = Arc::from(source.name);
        match json::parse(source.text) {
            Ok(node) => docs.push((file, node)),
            Err(e) => diags.push(
                Diagnostic::error(format!("invalid JSON: {}", e.message))
                    .at(&e.pos.span(&file))
                    .help(e.help),
            ),
        }
    }
    if std::env::var_os("LT").is_some() {
        eprintln!("parsed");
    }
    let mut loader = Loader {
        shapes: prelude::shapes()
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect(),
        applies: Vec::new(),
        metadata: BTreeMap::new(),
        diags,
        suggestions: validate::Suggester::default(),
    };
    let t = std::time::Instant::now();
    for (file, mut root) in docs {
        loader.read_document(&file, &mut root);
    }
    if std::env::var_os("LT").is_some() {
        eprintln!("read {:?}", t.elapsed());
    }
    let applies = std::mem::take(&mut loader.applies);
    let deferred = loader.apply(applies, false);
    loader.flatten_mixins();
    loader.apply(deferred, true);
    if std::env::var_os("LT").is_some() {
        eprintln!("flat {:?}", t.elapsed());
    }
    loader.convert();
    if std::env::var_os("LT").is_some() {
        eprintln!("conv {:?}", t.elapsed());
    }
    validate::check_model(&loader.shapes, &mut loader.suggestions, &mut loader.diags);
    if std::env::var_os("LT").is_some() {
        eprintln!("val {:?}", t.elapsed());
    }

    let mut diagnostics = loader.diags;
    crate::diagnostic::sort(&mut diagnostics);
    let model = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        Some(build_model(loader.shapes, loader.metadata))
    };
    LoadOutcome { model, diagnostics }
}

struct Loader {
    shapes: BTreeMap<ShapeId, LShape>,
    applies: Vec<Apply>,
    metadata: BTreeMap<String, Node>,
    diags: Vec<Diagnostic>,
    suggestions: validate::Suggester,
}

/// Per-file reading context.
struct FileCx {
    file: Arc<str>,
    v1: bool,
}

impl FileCx {
    fn span(&self, pos: Pos) -> Span {
        pos.span(&self.file)
    }
}

impl Loader {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn read_document(&mut self, file: &Arc<str>, root: &mut JNode) {
        if root.as_object().is_none() {
            self.push(
                Diagnostic::error(format!(
                    "the document root is {}, expected an object",
                    root.kind()
                ))
                .at(&root.pos.span(file))
                .help("a Smithy JSON AST file is an object such as {\"smithy\": \"2.0\", \"shapes\": {}}"),
            );
            return;
        }
        let v1 = self.read_version(file, root);
        let JValue::Object(entries) = &mut root.value else {
            return;
        };
        let cx = FileCx {
            file: file.clone(),
            v1,
        };
        for entry in entries.iter_mut() {
            match entry.key.as_str() {
                "smithy" => {}
                "metadata" => {
                    let pos = entry.value.pos;
                    let node = std::mem::replace(
                        &mut entry.value,
                        JNode {
                            value: JValue::Null,
                            pos,
                        },
                    );
                    self.read_metadata(&cx, node);
                }
                "shapes" => {
                    let JValue::Object(shapes) = &mut entry.value.value else {
                        self.push(
                            Diagnostic::error(format!(
                                "`shapes` is {}, expected an object",
                                entry.value.kind()
                            ))
                            .at(&cx.span(entry.value.pos))
                            .help("`shapes` maps absolute shape ids to shape definitions: {\"com.example#Foo\": {\"type\": \"string\"}}"),
                        );
                        continue;
                    };
                    for shape in shapes.iter_mut() {
                        self.read_shape(&cx, shape);
                    }
                }
                other => self.push(
                    Diagnostic::warning(format!("unknown top-level property `{other}` is ignored"))
                        .at(&cx.span(entry.key_pos))
                        .help("a Smithy JSON AST file has only `smithy`, `metadata` and `shapes`"),
                ),
            }
        }
    }

    /// Reads `smithy`; returns true for a 1.0 file.
    fn read_version(&mut self, file: &Arc<str>, root: &JNode) -> bool {
        const HELP: &str = "set \"smithy\" to \"2.0\" (or \"1.0\" for Smithy 1.0 models)";
        match root.get("smithy") {
            None => {
                self.push(
                    Diagnostic::error("missing `smithy` version")
                        .at(&root.pos.span(file))
                        .help(format!(
                            "add \"smithy\": \"2.0\" to the top-level object; {HELP}"
                        )),
                );
                false
            }
            Some(v) => match v.as_str() {
                Some("2.0" | "2") => false,
                Some("1.0" | "1") => true,
                Some(other) => {
                    self.push(
                        Diagnostic::error(format!("unsupported Smithy version `{other}`"))
                            .at(&v.pos.span(file))
                            .help(format!("supported versions are 1.0 and 2.0; {HELP}")),
                    );
                    false
                }
                None => {
                    self.push(
                        Diagnostic::error(format!(
                            "`smithy` is {}, expected a version string",
                            v.kind()
                        ))
                        .at(&v.pos.span(file))
                        .help(HELP),
                    );
                    false
                }
            },
        }
    }

    fn read_metadata(&mut self, cx: &FileCx, node: JNode) {
        if node.as_object().is_none() {
            self.push(
                Diagnostic::error(format!("`metadata` is {}, expected an object", node.kind()))
                    .at(&cx.span(node.pos))
                    .help("`metadata` maps keys to JSON values"),
            );
            return;
        }
        let JValue::Object(entries) = node.value else {
            return;
        };
        for entry in entries {
            let value = entry.value.into_node(&cx.file);
            match self.metadata.get_mut(&entry.key) {
                None => {
                    self.metadata.insert(entry.key.clone(), value);
                }
                Some(existing) => {
                    if json::same_node(existing, &value) {
                        continue;
                    }
                    if let (NodeValue::Array(have), NodeValue::Array(add)) =
                        (&mut existing.value, value.value.clone())
                    {
                        have.extend(add);
                        continue;
                    }
                    let first = existing.span.clone();
                    self.push(
                        Diagnostic::error(format!(
                            "conflicting values for metadata key `{}` (also defined at {first})",
                            entry.key
                        ))
                        .at(&cx.span(entry.key_pos))
                        .help("metadata keys defined in several files must have equal values (arrays are concatenated)"),
                    );
                }
            }
        }
    }

    /// Parses a target string into an absolute shape id (no member part).
    fn target(
        &mut self,
        cx: &FileCx,
        owner: &dyn fmt::Display,
        node: &JNode,
        what: &str,
    ) -> Option<Ref> {
        let span = cx.span(node.pos);
        let Some(text) = node.as_str() else {
            self.push(
                Diagnostic::error(format!(
                    "{what} is {}, expected a shape id string",
                    node.kind()
                ))
                .at(&span)
                .shape(owner)
                .help("write an absolute shape id such as \"smithy.api#String\""),
            );
            return None;
        };
        match text.parse::<ShapeId>() {
            Ok(id) if id.member().is_some() => {
                self.push(
                    Diagnostic::error(format!(
                        "{what} `{text}` names a member; it must name a shape"
                    ))
                    .at(&span)
                    .shape(owner)
                    .help(format!(
                        "remove the `${}` part",
                        id.member().unwrap_or_default()
                    )),
                );
                None
            }
            Ok(id) => Some(Ref { id, span }),
            Err(e) => {
                let help = if e.is_relative() && is_identifier(text) {
                    let prelude_names = [
                        "String",
                        "Blob",
                        "Boolean",
                        "Byte",
                        "Short",
                        "Integer",
                        "Long",
                        "Float",
                        "Double",
                        "BigInteger",
                        "BigDecimal",
                        "Timestamp",
                        "Document",
                        "Unit",
                    ];
                    if prelude_names.contains(&text) {
                        format!("the JSON AST needs absolute ids: write `smithy.api#{text}`")
                    } else {
                        format!("the JSON AST needs absolute ids: write `namespace#{text}`")
                    }
                } else {
                    "write an absolute shape id `namespace#Name` (letters, digits, `_`; namespace segments separated by `.`)".to_string()
                };
                self.push(
                    Diagnostic::error(format!("{what}: {e}"))
                        .at(&span)
                        .shape(owner)
                        .help(help),
                );
                None
            }
        }
    }

    /// Parses `{"target": "ns#Shape"}`.
    fn reference(
        &mut self,
        cx: &FileCx,
        owner: &dyn fmt::Display,
        node: &JNode,
        what: &str,
    ) -> Option<Ref> {
        let Some(entries) = node.as_object() else {
            self.push(
                Diagnostic::error(format!("{what} is {}, expected an object", node.kind()))
                    .at(&cx.span(node.pos))
                    .shape(owner)
                    .help("write a shape reference as {\"target\": \"namespace#Name\"}"),
            );
            return None;
        };
        self.check_keys(cx, owner, entries, &["target"], what);
        match node.get("target") {
            Some(t) => self.target(cx, owner, t, what),
            None => {
                self.push(
                    Diagnostic::error(format!("{what} has no `target`"))
                        .at(&cx.span(node.pos))
                        .shape(owner)
                        .help("write a shape reference as {\"target\": \"namespace#Name\"}"),
                );
                None
            }
        }
    }

    fn reference_list(
        &mut self,
        cx: &FileCx,
        owner: &dyn fmt::Display,
        node: &JNode,
        what: &str,
    ) -> Vec<Ref> {
        let Some(items) = node.as_array() else {
            self.push(
                Diagnostic::error(format!("`{what}` is {}, expected an array", node.kind()))
                    .at(&cx.span(node.pos))
                    .shape(owner)
                    .help(format!(
                        "write `{what}` as [{{\"target\": \"namespace#Name\"}}, ...]"
                    )),
            );
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| self.reference(cx, owner, item, &format!("an entry of `{what}`")))
            .collect()
    }

    fn check_keys(
        &mut self,
        cx: &FileCx,
        owner: &dyn fmt::Display,
        entries: &[JEntry],
        allowed: &[&str],
        what: &str,
    ) {
        // A warning, as in Smithy's loader (`checkForAdditionalProperties`): the property is
        // ignored.
        for e in entries {
            if !allowed.contains(&e.key.as_str()) {
                self.push(
                    Diagnostic::warning(format!(
                        "unknown property `{}` in {what} (ignored)",
                        e.key
                    ))
                    .at(&cx.span(e.key_pos))
                    .shape(owner)
                    .help(format!("valid properties are: {}", allowed.join(", "))),
                );
            }
        }
    }

    /// Parses a `traits` object; each trait value is checked.
    fn traits(&mut self, cx: &FileCx, owner: &dyn fmt::Display, node: Option<JNode>) -> Traits {
        let mut traits = Traits::default();
        let Some(node) = node else {
            return traits;
        };
        let JValue::Object(entries) = node.value else {
            self.push(
                Diagnostic::error(format!("`traits` is {}, expected an object", node.kind()))
                    .at(&cx.span(node.pos))
                    .shape(owner)
                    .help(
                        "`traits` maps absolute trait ids to values: {\"smithy.api#required\": {}}",
                    ),
            );
            return traits;
        };
        for e in entries {
            let key_span = cx.span(e.key_pos);
            let id = match e.key.parse::<ShapeId>() {
                Ok(id) if id.member().is_none() => id,
                Ok(_) => {
                    self.push(
                        Diagnostic::error(format!("trait id `{}` names a member", e.key))
                            .at(&key_span)
                            .shape(owner)
                            .help("a trait id is the absolute id of a trait shape, e.g. `smithy.api#documentation`"),
                    );
                    continue;
                }
                Err(err) => {
                    let help = if err.is_relative() && prelude::is_prelude_trait(&e.key) {
                        format!(
                            "the JSON AST needs absolute trait ids: write `smithy.api#{}`",
                            e.key
                        )
                    } else {
                        "a trait id is an absolute shape id, e.g. `smithy.api#documentation`"
                            .to_string()
                    };
                    self.push(
                        Diagnostic::error(format!("invalid trait id: {err}"))
                            .at(&key_span)
                            .shape(owner)
                            .help(help),
                    );
                    continue;
                }
            };
            let value = e.value.into_node(&cx.file);
            validate::check_trait(&id, &value, &key_span, owner, cx.v1, &mut self.diags);
            traits.map.insert(id, value);
        }
        traits
    }

    fn member(
        &mut self,
        cx: &FileCx,
        shape: &ShapeId,
        mut entry: JEntry,
        enum_member: bool,
    ) -> LMember {
        let id = shape.with_member(entry.key.clone());
        let span = cx.span(entry.key_pos);
        if !is_identifier(&entry.key) {
            self.push(
                Diagnostic::error(format!("invalid member name `{}`", entry.key))
                    .at(&span)
                    .shape(shape)
                    .help("member names start with a letter (optionally after `_`) and contain only ASCII letters, digits and `_`"),
            );
        }
        let mut member = LMember {
            name: entry.key.clone(),
            span: span.clone(),
            target: None,
            traits: Traits::default(),
            inherited: false,
        };
        let Some(entries) = entry.value.as_object() else {
            self.push(
                Diagnostic::error(format!(
                    "member is {}, expected an object",
                    entry.value.kind()
                ))
                .at(&cx.span(entry.value.pos))
                .shape(&id)
                .help("write a member as {\"target\": \"namespace#Name\", \"traits\": {...}}"),
            );
            return member;
        };
        self.check_keys(cx, &id, entries, &["target", "traits"], "a member");
        let traits_node = entry.value.take("traits").map(|(_, n)| n);
        member.traits = self.traits(cx, &id, traits_node);
        match entry.value.get("target") {
            Some(t) => member.target = self.target(cx, &id, t, "member target"),
            None if enum_member => {
                member.target = Some(Ref {
                    id: api("Unit"),
                    span: span.clone(),
                });
            }
            None => self.push(
                Diagnostic::error("member has no `target`")
                    .at(&span)
                    .shape(&id)
                    .help("add \"target\": \"namespace#Name\" naming the member's shape"),
            ),
        }
        member
    }

    fn members(
        &mut self,
        cx: &FileCx,
        shape: &ShapeId,
        node: Option<JNode>,
        enum_like: bool,
    ) -> Vec<LMember> {
        let Some(node) = node else {
            return Vec::new();
        };
        if node.as_object().is_none() {
            self.push(
                Diagnostic::error(format!("`members` is {}, expected an object", node.kind()))
                    .at(&cx.span(node.pos))
                    .shape(shape)
                    .help("`members` maps member names to {\"target\": ...} objects"),
            );
            return Vec::new();
        }
        let JValue::Object(entries) = node.value else {
            return Vec::new();
        };
        entries
            .into_iter()
            .map(|e| self.member(cx, shape, e, enum_like))
            .collect()
    }

    fn single_member(
        &mut self,
        cx: &FileCx,
        shape: &ShapeId,
        node: &mut JNode,
        name: &str,
    ) -> Option<LMember> {
        let (key_pos, value) = node.take(name)?;
        let entry = JEntry {
            key: name.to_string(),
            key_pos,
            value,
        };
        Some(self.member(cx, shape, entry, false))
    }

    fn read_shape(&mut self, cx: &FileCx, entry: &mut JEntry) {
        let key_span = cx.span(entry.key_pos);
        let id = match entry.key.parse::<ShapeId>() {
            Ok(id) => id,
            Err(e) => {
                self.push(
                    Diagnostic::error(format!("{e}"))
                        .at(&key_span)
                        .help("shape ids in `shapes` are absolute: `namespace#Name` (`namespace#Name$member` only for `apply`)"),
                );
                return;
            }
        };
        let traits_node = entry.value.take("traits").map(|(_, n)| n);
        let members_node = entry.value.take("members").map(|(_, n)| n);
        let mut member_nodes = JNode {
            value: JValue::Object(Vec::new()),
            pos: entry.value.pos,
        };
        if let JValue::Object(out) = &mut member_nodes.value {
            for name in ["member", "key", "value"] {
                if let Some((key_pos, value)) = entry.value.take(name) {
                    out.push(JEntry {
                        key: name.to_string(),
                        key_pos,
                        value,
                    });
                }
            }
        }
        let node = &entry.value;
        let Some(entries) = node.as_object() else {
            self.push(
                Diagnostic::error(format!(
                    "shape definition is {}, expected an object",
                    node.kind()
                ))
                .at(&cx.span(node.pos))
                .shape(&id)
                .help("a shape is an object such as {\"type\": \"structure\", \"members\": {}}"),
            );
            return;
        };
        let type_name = match node.get("type") {
            Some(t) => match t.as_str() {
                Some(s) => s,
                None => {
                    self.push(
                        Diagnostic::error(format!("`type` is {}, expected a string", t.kind()))
                            .at(&cx.span(t.pos))
                            .shape(&id)
                            .help(format!("valid types: {SHAPE_TYPES}")),
                    );
                    return;
                }
            },
            None => {
                self.push(
                    Diagnostic::error("shape has no `type`")
                        .at(&key_span)
                        .shape(&id)
                        .help(format!("add \"type\" with one of: {SHAPE_TYPES}")),
                );
                return;
            }
        };
        if type_name == "apply" {
            self.check_keys(cx, &id, entries, &["type", "traits"], "an apply entry");
            let traits = self.traits(cx, &id, traits_node);
            self.applies.push(Apply {
                target: id,
                span: key_span,
                traits: traits.map.into_iter().collect(),
            });
            return;
        }
        if id.member().is_some() {
            self.push(
                Diagnostic::error("a shape id in `shapes` must not name a member")
                    .at(&key_span)
                    .shape(&id)
                    .help("define members inside the shape's `members`, or use an `apply` entry to add traits to a member"),
            );
            return;
        }
        if id.namespace() == prelude::NAMESPACE {
            self.push(
                Diagnostic::error("shapes cannot be defined in the `smithy.api` prelude namespace")
                    .at(&key_span)
                    .shape(&id)
                    .help("move the shape to your own namespace"),
            );
            return;
        }
        const COMMON: [&str; 3] = ["type", "traits", "mixins"];
        let extra: &[&str] = match type_name {
            "blob" | "boolean" | "string" | "byte" | "short" | "integer" | "long" | "float"
            | "double" | "bigInteger" | "bigDecimal" | "timestamp" | "document" => &[],
            "enum" | "intEnum" | "structure" | "union" => &["members"],
            "list" | "set" => &["member"],
            "map" => &["key", "value"],
            "service" => &["version", "operations", "resources", "errors", "rename"],
            "operation" => &["input", "output", "errors"],
            "resource" => &[
                "identifiers",
                "properties",
                "create",
                "put",
                "read",
                "update",
                "delete",
                "list",
                "operations",
                "collectionOperations",
                "resources",
            ],
            other => {
                let t = node
                    .get("type")
                    .map_or(key_span.clone(), |t| cx.span(t.pos));
                let hint = validate::suggest(other, SHAPE_TYPES.split(", "))
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                self.push(
                    Diagnostic::error(format!("unknown shape type `{other}`"))
                        .at(&t)
                        .shape(&id)
                        .help(format!("{hint}valid types: {SHAPE_TYPES}")),
                );
                return;
            }
        };
        let allowed: Vec<&str> = COMMON.iter().chain(extra).copied().collect();
        self.check_keys(cx, &id, entries, &allowed, &format!("a {type_name} shape"));

        let mut traits = self.traits(cx, &id, traits_node);
        let mixins = match node.get("mixins") {
            Some(m) => self.reference_list(cx, &id, m, "mixins"),
            None => Vec::new(),
        };
        let body = match type_name {
            "blob" => Body::Simple(ShapeKind::Blob),
            "boolean" => Body::Simple(ShapeKind::Boolean),
            "string" => Body::Simple(ShapeKind::String),
            "byte" => Body::Simple(ShapeKind::Byte),
            "short" => Body::Simple(ShapeKind::Short),
            "integer" => Body::Simple(ShapeKind::Integer),
            "long" => Body::Simple(ShapeKind::Long),
            "float" => Body::Simple(ShapeKind::Float),
            "double" => Body::Simple(ShapeKind::Double),
            "bigInteger" => Body::Simple(ShapeKind::BigInteger),
            "bigDecimal" => Body::Simple(ShapeKind::BigDecimal),
            "timestamp" => Body::Simple(ShapeKind::Timestamp),
            "document" => Body::Simple(ShapeKind::Document),
            "enum" => Body::Enum(self.members(cx, &id, members_node, true)),
            "intEnum" => Body::IntEnum(self.members(cx, &id, members_node, true)),
            "structure" => Body::Structure(self.members(cx, &id, members_node, false)),
            "union" => Body::Union(self.members(cx, &id, members_node, false)),
            "list" | "set" => {
                if type_name == "set" {
                    let span = node
                        .get("type")
                        .map_or(key_span.clone(), |t| cx.span(t.pos));
                    traits.map.entry(api("uniqueItems")).or_insert(Node {
                        value: NodeValue::Object(Vec::new()),
                        span,
                    });
                }
                Body::List(self.single_member(cx, &id, &mut member_nodes, "member"))
            }
            "map" => Body::Map(
                self.single_member(cx, &id, &mut member_nodes, "key"),
                self.single_member(cx, &id, &mut member_nodes, "value"),
            ),
            "service" => Body::Service(self.service(cx, &id, node)),
            "operation" => Body::Operation(self.operation(cx, &id, node)),
            _ => Body::Resource(self.resource(cx, &id, node)),
        };
        let shape = LShape {
            id: id.clone(),
            body,
            traits,
            mixins,
            span: Some(key_span.clone()),
            v1: cx.v1,
        };
        match self.shapes.get(&id) {
            None => {
                self.shapes.insert(id, shape);
            }
            Some(existing) => {
                let same = same_definition(existing, &shape);
                if !same {
                    let first = existing
                        .span
                        .as_ref()
                        .map_or_else(|| "the prelude".to_string(), |s| s.to_string());
                    self.push(
                        Diagnostic::error(format!(
                            "shape is defined twice with different definitions (first at {first})"
                        ))
                        .at(&key_span)
                        .shape(&id)
                        .help("remove one definition or make both identical"),
                    );
                }
            }
        }
    }

    fn service(&mut self, cx: &FileCx, id: &ShapeId, node: &JNode) -> LService {
        let mut s = LService::default();
        if let Some(v) = node.get("version") {
            match v.as_str() {
                Some(text) => s.version = Some(text.to_string()),
                None => self.push(
                    Diagnostic::error(format!("`version` is {}, expected a string", v.kind()))
                        .at(&cx.span(v.pos))
                        .shape(id)
                        .help("write the service version as a string, e.g. \"2020-07-08\""),
                ),
            }
        }
        if let Some(n) = node.get("operations") {
            s.operations = self.reference_list(cx, id, n, "operations");
        }
        if let Some(n) = node.get("resources") {
            s.resources = self.reference_list(cx, id, n, "resources");
        }
        if let Some(n) = node.get("errors") {
            s.errors = self.reference_list(cx, id, n, "errors");
        }
        if let Some(n) = node.get("rename") {
            match n.as_object() {
                None => self.push(
                    Diagnostic::error(format!("`rename` is {}, expected an object", n.kind()))
                        .at(&cx.span(n.pos))
                        .shape(id)
                        .help("`rename` maps absolute shape ids to new names"),
                ),
                Some(entries) => {
                    for e in entries {
                        let key_span = cx.span(e.key_pos);
                        let target = match e.key.parse::<ShapeId>() {
                            Ok(t) if t.member().is_none() => t,
                            Ok(_) | Err(_) => {
                                self.push(
                                    Diagnostic::error(format!("invalid shape id `{}` in `rename`", e.key))
                                        .at(&key_span)
                                        .shape(id)
                                        .help("`rename` keys are absolute shape ids without a member part"),
                                );
                                continue;
                            }
                        };
                        let Some(name) = e.value.as_str() else {
                            self.push(
                                Diagnostic::error(format!(
                                    "rename of `{target}` is {}, expected a string",
                                    e.value.kind()
                                ))
                                .at(&cx.span(e.value.pos))
                                .shape(id)
                                .help("give the new name as a string"),
                            );
                            continue;
                        };
                        if !is_identifier(name) {
                            self.push(
                                Diagnostic::error(format!("`{name}` is not a valid shape name in `rename`"))
                                    .at(&cx.span(e.value.pos))
                                    .shape(id)
                                    .help("a new name starts with a letter and contains only ASCII letters, digits and `_`"),
                            );
                            continue;
                        }
                        s.rename.push((
                            Ref {
                                id: target,
                                span: key_span,
                            },
                            name.to_string(),
                            cx.span(e.value.pos),
                        ));
                    }
                }
            }
        }
        s
    }

    fn operation(&mut self, cx: &FileCx, id: &ShapeId, node: &JNode) -> LOperation {
        let mut o = LOperation::default();
        if let Some(n) = node.get("input") {
            o.input = self.reference(cx, id, n, "`input`");
        }
        if let Some(n) = node.get("output") {
            o.output = self.reference(cx, id, n, "`output`");
        }
        if let Some(n) = node.get("errors") {
            o.errors = self.reference_list(cx, id, n, "errors");
        }
        o
    }

    fn resource(&mut self, cx: &FileCx, id: &ShapeId, node: &JNode) -> LResource {
        let mut r = LResource::default();
        for (key, out) in [("identifiers", 0), ("properties", 1)] {
            let Some(n) = node.get(key) else { continue };
            let Some(entries) = n.as_object() else {
                self.push(
                    Diagnostic::error(format!("`{key}` is {}, expected an object", n.kind()))
                        .at(&cx.span(n.pos))
                        .shape(id)
                        .help(format!(
                            "`{key}` maps names to {{\"target\": \"namespace#Name\"}}"
                        )),
                );
                continue;
            };
            for e in entries {
                if !is_identifier(&e.key) {
                    self.push(
                        Diagnostic::error(format!("invalid name `{}` in `{key}`", e.key))
                            .at(&cx.span(e.key_pos))
                            .shape(id)
                            .help("names start with a letter and contain only ASCII letters, digits and `_`"),
                    );
                }
                if let Some(t) =
                    self.reference(cx, id, &e.value, &format!("`{key}` entry `{}`", e.key))
                {
                    if out == 0 {
                        r.identifiers.push((e.key.clone(), t));
                    } else {
                        r.properties.push((e.key.clone(), t));
                    }
                }
            }
        }
        for key in ["create", "put", "read", "update", "delete", "list"] {
            if let Some(n) = node.get(key)
                && let Some(t) = self.reference(cx, id, n, &format!("`{key}`"))
            {
                r.lifecycle.push((key.to_string(), t));
            }
        }
        if let Some(n) = node.get("operations") {
            r.operations = self.reference_list(cx, id, n, "operations");
        }
        if let Some(n) = node.get("collectionOperations") {
            r.collection_operations = self.reference_list(cx, id, n, "collectionOperations");
        }
        if let Some(n) = node.get("resources") {
            r.resources = self.reference_list(cx, id, n, "resources");
        }
        r
    }

    /// Attaches `apply` traits. In the first pass, applies to members that may come from mixins
    /// are returned for the second pass (after flattening).
    fn apply(&mut self, applies: Vec<Apply>, second_pass: bool) -> Vec<Apply> {
        let mut deferred = Vec::new();
        for ap in applies {
            let root = ap.target.root();
            let Some(shape) = self.shapes.get_mut(&root) else {
                let help = self.suggestions.unknown_shape_help(&root, &self.shapes);
                self.diags.push(
                    Diagnostic::error(format!("`apply` targets unknown shape `{root}`"))
                        .at(&ap.span)
                        .shape(&ap.target)
                        .help(help),
                );
                continue;
            };
            if shape.span.is_none() {
                self.diags.push(
                    Diagnostic::error("traits cannot be applied to prelude shapes")
                        .at(&ap.span)
                        .shape(&ap.target)
                        .help("define your own shape and put the traits on it"),
                );
                continue;
            }
            let owner = ap.target.clone();
            let traits = match ap.target.member() {
                None => &mut shape.traits,
                Some(m) => {
                    let has_mixins = !shape.mixins.is_empty();
                    match shape.body.member_mut(m) {
                        Some(member) => &mut member.traits,
                        None if has_mixins && !second_pass => {
                            deferred.push(ap);
                            continue;
                        }
                        None => {
                            let names: Vec<String> = shape
                                .body
                                .members()
                                .iter()
                                .map(|m| m.name.clone())
                                .collect();
                            let hint = validate::suggest(m, names.iter().map(String::as_str))
                                .map(|s| format!("did you mean `{s}`? "))
                                .unwrap_or_default();
                            self.diags.push(
                                Diagnostic::error(format!("`apply` targets unknown member `{m}` of `{root}`"))
                                    .at(&ap.span)
                                    .shape(&ap.target)
                                    .help(format!("{hint}apply traits to an existing member or to the shape itself")),
                            );
                            continue;
                        }
                    }
                }
            };
            for (id, value) in ap.traits {
                merge_trait(traits, id, value, &owner, &mut self.diags);
            }
        }
        deferred
    }

    /// Flattens mixins: members and traits of mixins are copied into the shapes using them.
    fn flatten_mixins(&mut self) {
        let mixin_trait = api("mixin");
        // Valid mixin edges per shape; invalid ones are reported and dropped.
        let mut edges: HashMap<ShapeId, Vec<Ref>> = HashMap::new();
        let users: Vec<ShapeId> = self
            .shapes
            .values()
            .filter(|s| !s.mixins.is_empty())
            .map(|s| s.id.clone())
            .collect();
        for id in &users {
            let Some(shape) = self.shapes.get(id) else {
                continue;
            };
            let mut valid = Vec::new();
            for r in &shape.mixins {
                match self.shapes.get(&r.id) {
                    None => {
                        let help = self.suggestions.unknown_shape_help(&r.id, &self.shapes);
                        self.diags.push(
                            Diagnostic::error(format!("mixin `{}` is an unknown shape", r.id))
                                .at(&r.span)
                                .shape(id)
                                .help(help),
                        );
                    }
                    Some(m) if !m.traits.map.contains_key(&mixin_trait) => {
                        self.diags.push(
                            Diagnostic::error(format!(
                                "`{}` is used as a mixin but is not marked with `smithy.api#mixin`",
                                r.id
                            ))
                            .at(&r.span)
                            .shape(id)
                            .help(format!("add \"smithy.api#mixin\": {{}} to the traits of `{}`, or remove it from `mixins`", r.id)),
                        );
                    }
                    Some(m) if m.body.type_name() != shape.body.type_name() => {
                        self.diags.push(
                            Diagnostic::error(format!(
                                "mixin `{}` is {}, but this shape is {}",
                                r.id,
                                validate::article(m.body.type_name()),
                                validate::article(shape.body.type_name())
                            ))
                            .at(&r.span)
                            .shape(id)
                            .help("a mixin can only be applied to a shape of the same type"),
                        );
                    }
                    Some(_) => valid.push(r.clone()),
                }
            }
            edges.insert(id.clone(), valid);
        }

        // Depth-first post-order without recursion; a back edge is a cycle.
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            Active,
            Done,
        }
        let mut marks: HashMap<ShapeId, Mark> = HashMap::new();
        let mut order: Vec<ShapeId> = Vec::new();
        let mut cyclic: HashSet<(ShapeId, ShapeId)> = HashSet::new();
        for start in &users {
            if marks.contains_key(start) {
                continue;
            }
            marks.insert(start.clone(), Mark::Active);
            let mut stack: Vec<(ShapeId, usize)> = vec![(start.clone(), 0)];
            while let Some((id, next)) = stack.last_mut() {
                let list = edges.get(id).map(Vec::as_slice).unwrap_or_default();
                if let Some(r) = list.get(*next) {
                    *next += 1;
                    let from = id.clone();
                    match marks.get(&r.id) {
                        Some(Mark::Done) => {}
                        Some(Mark::Active) => {
                            let mut path: Vec<String> = stack
                                .iter()
                                .skip_while(|(s, _)| *s != r.id)
                                .map(|(s, _)| s.to_string())
                                .collect();
                            path.push(r.id.to_string());
                            self.diags.push(
                                Diagnostic::error(format!("mixin cycle: {}", path.join(" -> ")))
                                    .at(&r.span)
                                    .shape(&from)
                                    .help("mixins must not refer back to the shapes that use them; remove one of the mixin references"),
                            );
                            cyclic.insert((from, r.id.clone()));
                        }
                        None => {
                            if edges.contains_key(&r.id) {
                                marks.insert(r.id.clone(), Mark::Active);
                                stack.push((r.id.clone(), 0));
                            } else {
                                marks.insert(r.id.clone(), Mark::Done);
                            }
                        }
                    }
                } else {
                    let done = id.clone();
                    stack.pop();
                    marks.insert(done.clone(), Mark::Done);
                    order.push(done);
                }
            }
        }
        for id in order {
            let mixins: Vec<Ref> = edges
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .filter(|r| !cyclic.contains(&(id.clone(), r.id.clone())))
                .collect();
            self.flatten_one(&id, &mixins);
        }
    }

    fn flatten_one(&mut self, id: &ShapeId, mixins: &[Ref]) {
        let Some(mut shape) = self.shapes.remove(id) else {
            return;
        };
        let mixin_trait = api("mixin");
        let mut inherited = Traits::default();
        let mut acc = empty_like(&shape.body);
        for r in mixins {
            let Some(mixin) = self.shapes.get(&r.id) else {
                continue;
            };
            let mut local: HashSet<ShapeId> = HashSet::new();
            local.insert(mixin_trait.clone());
            if let Some(list) = mixin
                .traits
                .map
                .get(&mixin_trait)
                .and_then(|m| m.get("localTraits"))
                .and_then(Node::as_array)
            {
                local.extend(
                    list.iter()
                        .filter_map(|n| n.as_str()?.parse::<ShapeId>().ok()),
                );
            }
            for (tid, value) in &mixin.traits.map {
                if !local.contains(tid) {
                    inherited.map.insert(tid.clone(), value.clone());
                }
            }
            merge_bodies(&mut acc, &mixin.body, r, id, false, &mut self.diags);
        }
        // Local members and properties last; they win over inherited ones.
        let local_body = std::mem::replace(&mut shape.body, Body::Simple(ShapeKind::Document));
        let mixin_ref = Ref {
            id: id.clone(),
            span: shape.span.clone().unwrap_or_else(prelude::prelude_span),
        };
        merge_bodies(&mut acc, &local_body, &mixin_ref, id, true, &mut self.diags);
        shape.body = acc;
        for (tid, value) in std::mem::take(&mut shape.traits.map) {
            inherited.map.insert(tid, value);
        }
        shape.traits = inherited;
        self.shapes.insert(id.clone(), shape);
    }

    /// Smithy 1.0 conversions and defaults: the `enum` trait, `box`, primitive defaults,
    /// enum values, missing list/map members.
    fn convert(&mut self) {
        let enum_trait = api("enum");
        let enum_value = api("enumValue");
        let box_trait = api("box");
        let default_trait = api("default");
        let required = api("required");

        // Which shapes are non-boxed primitives whose members get a zero default in 1.0.
        let mut primitive_defaults: HashMap<ShapeId, (ShapeKind, bool)> = HashMap::new();
        for s in self.shapes.values() {
            if let Body::Simple(kind) = &s.body {
                let prelude_primitive = s.span.is_none() && s.id.name().starts_with("Primitive");
                let v1_unboxed = s.span.is_some() && s.v1 && !s.traits.map.contains_key(&box_trait);
                if (prelude_primitive || v1_unboxed)
                    && prelude::zero_default(kind, prelude::prelude_span()).is_some()
                {
                    primitive_defaults.insert(s.id.clone(), (kind.clone(), prelude_primitive));
                }
            }
        }

        for shape in self.shapes.values_mut() {
            if shape.span.is_none() {
                continue;
            }
            // String with the 1.0 enum trait -> enum shape.
            if matches!(shape.body, Body::Simple(ShapeKind::String))
                && let Some(value) = shape.traits.map.get(&enum_trait)
                && let Some(members) = enum_trait_members(value)
            {
                shape.body = Body::Enum(members);
                shape.traits.map.remove(&enum_trait);
            }
            let v1 = shape.v1;
            let owner = shape.id.clone();
            let is_enum = matches!(shape.body, Body::Enum(_));
            let is_structure = matches!(shape.body, Body::Structure(_) | Body::Union(_));
            match &shape.body {
                Body::List(None) => self.diags.push(
                    Diagnostic::error("list shape has no `member`")
                        .at_opt(shape.span.as_ref())
                        .shape(&owner)
                        .help("add \"member\": {\"target\": \"namespace#Name\"}"),
                ),
                Body::Map(k, v) if k.is_none() || v.is_none() => self.diags.push(
                    Diagnostic::error(format!(
                        "map shape has no `{}`",
                        if k.is_none() { "key" } else { "value" }
                    ))
                    .at_opt(shape.span.as_ref())
                    .shape(&owner)
                    .help("a map needs both \"key\" and \"value\" members"),
                ),
                _ => {}
            }
            for member in shape.body.members_mut() {
                if is_enum && !member.traits.map.contains_key(&enum_value) {
                    member.traits.map.insert(
                        enum_value.clone(),
                        Node {
                            value: NodeValue::String(member.name.clone()),
                            span: member.span.clone(),
                        },
                    );
                }
                if is_structure && !member.inherited {
                    let boxed = member.traits.map.contains_key(&box_trait);
                    let has_default = member.traits.map.contains_key(&default_trait);
                    let is_required = member.traits.map.contains_key(&required);
                    if let Some(target) = &member.target
                        && let Some((kind, prelude_primitive)) = primitive_defaults.get(&target.id)
                    {
                        let applies = if v1 {
                            !boxed && !has_default && !is_required
                        } else {
                            *prelude_primitive && !has_default
                        };
                        if applies {
                            if !v1 {
                                self.diags.push(
                                        Diagnostic::warning(format!(
                                            "member targets `{}`, which has a default value, but has no `smithy.api#default` itself; the default is added",
                                            target.id
                                        ))
                                        .at(&target.span)
                                        .shape(owner.with_member(member.name.clone()))
                                        .help("add the `smithy.api#default` trait to the member, or target the nullable shape (e.g. `smithy.api#Integer`)"),
                                    );
                            }
                            if let Some(d) = prelude::zero_default(kind, target.span.clone()) {
                                member.traits.map.insert(default_trait.clone(), d);
                            }
                        }
                    }
                }
                member.traits.map.remove(&box_trait);
            }
            shape.traits.map.remove(&box_trait);
        }
    }
}

/// An empty body of the same kind, to accumulate mixin contents in.
fn empty_like(body: &Body) -> Body {
    match body {
        Body::Simple(k) => Body::Simple(k.clone()),
        Body::Enum(_) => Body::Enum(Vec::new()),
        Body::IntEnum(_) => Body::IntEnum(Vec::new()),
        Body::Structure(_) => Body::Structure(Vec::new()),
        Body::Union(_) => Body::Union(Vec::new()),
        Body::List(_) => Body::List(None),
        Body::Map(..) => Body::Map(None, None),
        Body::Service(_) => Body::Service(LService::default()),
        Body::Operation(_) => Body::Operation(LOperation::default()),
        Body::Resource(_) => Body::Resource(LResource::default()),
    }
}

/// Merges members into an accumulated list, by name (linear time).
fn merge_member_list(
    acc: &mut Vec<LMember>,
    add: &[LMember],
    from: &Ref,
    shape: &ShapeId,
    local: bool,
    diags: &mut Vec<Diagnostic>,
) {
    let mut index: HashMap<String, usize> = acc
        .iter()
        .enumerate()
        .map(|(i, m)| (m.name.clone(), i))
        .collect();
    for member in add {
        match index.get(&member.name).and_then(|&i| acc.get_mut(i)) {
            Some(existing) => merge_member_into(existing, member, from, shape, local, diags),
            None => {
                let mut m = member.clone();
                m.inherited = !local;
                index.insert(m.name.clone(), acc.len());
                acc.push(m);
            }
        }
    }
}

fn merge_member_into(
    existing: &mut LMember,
    member: &LMember,
    from: &Ref,
    shape: &ShapeId,
    local: bool,
    diags: &mut Vec<Diagnostic>,
) {
    let old = existing.target.as_ref().map(|r| &r.id);
    let new = member.target.as_ref().map(|r| &r.id);
    if let (Some(old), Some(new)) = (old, new)
        && old != new
    {
        let member_id = shape.with_member(member.name.clone());
        let (span, message, help) = if local {
            (
                member.target.as_ref().map_or(&member.span, |r| &r.span),
                format!(
                    "member redefines a mixin member with a different target (`{new}`; the mixin has `{old}`)"
                ),
                "a member inherited from a mixin may be redefined only with the same target; change the target or rename the member",
            )
        } else {
            (
                &from.span,
                format!(
                    "mixin `{}` defines member `{}` with target `{new}`, but an earlier mixin defines it with `{old}`",
                    from.id, member.name
                ),
                "mixins applied to the same shape must agree on the targets of shared member names",
            )
        };
        diags.push(
            Diagnostic::error(message)
                .at(span)
                .shape(member_id)
                .help(help),
        );
        return;
    }
    for (tid, value) in &member.traits.map {
        existing.traits.map.insert(tid.clone(), value.clone());
    }
    if local {
        existing.span = member.span.clone();
        existing.target = member.target.clone().or(existing.target.take());
        existing.inherited = false;
    }
}

fn merge_optional_member(
    acc: &mut Option<LMember>,
    member: &Option<LMember>,
    from: &Ref,
    shape: &ShapeId,
    local: bool,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(member) = member else { return };
    match acc {
        None => {
            let mut m = member.clone();
            m.inherited = !local;
            *acc = Some(m);
        }
        Some(existing) => merge_member_into(existing, member, from, shape, local, diags),
    }
}

fn merge_refs(acc: &mut Vec<Ref>, add: &[Ref]) {
    for r in add {
        if !acc.iter().any(|a| a.id == r.id) {
            acc.push(r.clone());
        }
    }
}

/// Merges a mixin's (or the local shape's, when `local`) body into the accumulator.
fn merge_bodies(
    acc: &mut Body,
    from_body: &Body,
    from: &Ref,
    shape: &ShapeId,
    local: bool,
    diags: &mut Vec<Diagnostic>,
) {
    match (acc, from_body) {
        (Body::Enum(a), Body::Enum(b))
        | (Body::IntEnum(a), Body::IntEnum(b))
        | (Body::Structure(a), Body::Structure(b))
        | (Body::Union(a), Body::Union(b)) => {
            merge_member_list(a, b, from, shape, local, diags);
        }
        (Body::List(a), Body::List(b)) => merge_optional_member(a, b, from, shape, local, diags),
        (Body::Map(ak, av), Body::Map(bk, bv)) => {
            merge_optional_member(ak, bk, from, shape, local, diags);
            merge_optional_member(av, bv, from, shape, local, diags);
        }
        (Body::Service(a), Body::Service(b)) => {
            if b.version.is_some() {
                a.version = b.version.clone();
            }
            merge_refs(&mut a.operations, &b.operations);
            merge_refs(&mut a.resources, &b.resources);
            merge_refs(&mut a.errors, &b.errors);
            for (r, name, span) in &b.rename {
                match a.rename.iter_mut().find(|(x, _, _)| x.id == r.id) {
                    Some(entry) => *entry = (r.clone(), name.clone(), span.clone()),
                    None => a.rename.push((r.clone(), name.clone(), span.clone())),
                }
            }
        }
        (Body::Operation(a), Body::Operation(b)) => {
            if b.input.is_some() {
                a.input = b.input.clone();
            }
            if b.output.is_some() {
                a.output = b.output.clone();
            }
            merge_refs(&mut a.errors, &b.errors);
        }
        (Body::Resource(a), Body::Resource(b)) => {
            for (name, r) in &b.identifiers {
                a.identifiers.retain(|(n, _)| n != name);
                a.identifiers.push((name.clone(), r.clone()));
            }
            for (name, r) in &b.properties {
                a.properties.retain(|(n, _)| n != name);
                a.properties.push((name.clone(), r.clone()));
            }
            for (name, r) in &b.lifecycle {
                a.lifecycle.retain(|(n, _)| n != name);
                a.lifecycle.push((name.clone(), r.clone()));
            }
            merge_refs(&mut a.operations, &b.operations);
            merge_refs(&mut a.collection_operations, &b.collection_operations);
            merge_refs(&mut a.resources, &b.resources);
        }
        _ => {}
    }
}

/// Derives an enum member name from a 1.0 enum value: upper case, anything outside
/// `[A-Za-z0-9_]` becomes `_`, a leading digit gets a `_` prefix.
pub(crate) fn enum_name_from_value(value: &str) -> String {
    // ASCII letters and digits are kept; other letters and digits are spelled by code point
    // (`é` → `_U00E9_`) so that `café` and `cafè` stay distinct and meaningful; the rest
    // becomes `_`.
    let mut name = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            name.push(c.to_ascii_uppercase());
        } else if c.is_alphanumeric() {
            name.push_str(&format!("_U{:04X}_", u32::from(c)));
        } else {
            name.push('_');
        }
    }
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

/// Members for a string shape with the 1.0 `enum` trait; `None` if the trait value is unusable
/// (its problems were reported when the trait was checked).
fn enum_trait_members(value: &Node) -> Option<Vec<LMember>> {
    let entries = value.as_array()?;
    let mut members: Vec<LMember> = Vec::new();
    let mut used: HashSet<String> = HashSet::new();
    for entry in entries {
        let v = entry.get("value")?;
        let text = v.as_str()?;
        let base = match entry.get("name").and_then(Node::as_str) {
            Some(n) if is_identifier(n) => n.to_string(),
            _ => enum_name_from_value(text),
        };
        let mut name = base.clone();
        let mut n = 2u32;
        while !used.insert(name.to_ascii_lowercase()) {
            name = format!("{base}_{n}");
            n = n.saturating_add(1);
        }
        let mut traits = Traits::default();
        traits.map.insert(api("enumValue"), v.clone());
        if let Some(doc) = entry.get("documentation") {
            traits.map.insert(api("documentation"), doc.clone());
        }
        if let Some(tags) = entry.get("tags") {
            traits.map.insert(api("tags"), tags.clone());
        }
        if entry.get("deprecated").and_then(Node::as_bool) == Some(true) {
            traits.map.insert(
                api("deprecated"),
                Node {
                    value: NodeValue::Object(Vec::new()),
                    span: entry.span.clone(),
                },
            );
        }
        members.push(LMember {
            name,
            span: entry.span.clone(),
            target: Some(Ref {
                id: api("Unit"),
                span: entry.span.clone(),
            }),
            traits,
            inherited: false,
        });
    }
    Some(members)
}

fn to_member(m: LMember) -> Member {
    Member {
        name: m.name,
        target: m.target.map_or_else(|| api("Unit"), |r| r.id),
        traits: m.traits,
        span: m.span,
    }
}

fn ids(refs: Vec<Ref>) -> Vec<ShapeId> {
    refs.into_iter().map(|r| r.id).collect()
}

fn build_model(shapes: BTreeMap<ShapeId, LShape>, metadata: BTreeMap<String, Node>) -> Model {
    let shapes = shapes
        .into_iter()
        .map(|(id, s)| {
            let kind = match s.body {
                Body::Simple(k) => k,
                Body::Enum(m) => ShapeKind::Enum(m.into_iter().map(to_member).collect()),
                Body::IntEnum(m) => ShapeKind::IntEnum(m.into_iter().map(to_member).collect()),
                Body::Structure(m) => ShapeKind::Structure(m.into_iter().map(to_member).collect()),
                Body::Union(m) => ShapeKind::Union(m.into_iter().map(to_member).collect()),
                Body::List(m) => {
                    ShapeKind::List(to_member(m.unwrap_or_else(|| placeholder("member"))))
                }
                Body::Map(k, v) => ShapeKind::Map(
                    to_member(k.unwrap_or_else(|| placeholder("key"))),
                    to_member(v.unwrap_or_else(|| placeholder("value"))),
                ),
                Body::Service(sv) => ShapeKind::Service(Service {
                    version: sv.version.unwrap_or_default(),
                    operations: ids(sv.operations),
                    resources: ids(sv.resources),
                    errors: ids(sv.errors),
                    rename: sv.rename.into_iter().map(|(r, n, _)| (r.id, n)).collect(),
                }),
                Body::Operation(op) => ShapeKind::Operation(Operation {
                    input: op.input.map_or_else(|| api("Unit"), |r| r.id),
                    output: op.output.map_or_else(|| api("Unit"), |r| r.id),
                    errors: ids(op.errors),
                }),
                Body::Resource(mut r) => ShapeKind::Resource(Resource {
                    lifecycle: {
                        let order = ["create", "put", "read", "update", "delete", "list"];
                        r.lifecycle
                            .sort_by_key(|(n, _)| order.iter().position(|o| o == n));
                        r.lifecycle.into_iter().map(|(n, r)| (n, r.id)).collect()
                    },
                    identifiers: r.identifiers.into_iter().map(|(n, r)| (n, r.id)).collect(),
                    properties: r.properties.into_iter().map(|(n, r)| (n, r.id)).collect(),
                    operations: ids(r.operations),
                    collection_operations: ids(r.collection_operations),
                    resources: ids(r.resources),
                }),
            };
            let shape = Shape {
                id: id.clone(),
                kind,
                traits: s.traits,
                span: s.span,
            };
            (id, shape)
        })
        .collect();
    Model { shapes, metadata }
}

/// Only used if a model without errors lacks a list/map member, which `convert` reports.
fn placeholder(name: &str) -> LMember {
    LMember {
        name: name.to_string(),
        span: prelude::prelude_span(),
        target: None,
        traits: Traits::default(),
        inherited: false,
    }
}

fn same_traits(a: &Traits, b: &Traits) -> bool {
    a.map.len() == b.map.len()
        && a.map
            .iter()
            .zip(&b.map)
            .all(|((ka, va), (kb, vb))| ka == kb && json::same_node(va, vb))
}

fn same_ref(a: &Option<Ref>, b: &Option<Ref>) -> bool {
    a.as_ref().map(|r| &r.id) == b.as_ref().map(|r| &r.id)
}

fn same_refs(a: &[Ref], b: &[Ref]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.id == y.id)
}

fn same_named_refs(a: &[(String, Ref)], b: &[(String, Ref)]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((n, x), (m, y))| n == m && x.id == y.id)
}

fn same_member(a: &LMember, b: &LMember) -> bool {
    a.name == b.name && same_ref(&a.target, &b.target) && same_traits(&a.traits, &b.traits)
}

fn same_members(a: &[LMember], b: &[LMember]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_member(x, y))
}

fn same_opt_member(a: &Option<LMember>, b: &Option<LMember>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => same_member(x, y),
        _ => false,
    }
}

/// True when two definitions of a shape are the same apart from where they are written.
fn same_definition(a: &LShape, b: &LShape) -> bool {
    if a.id != b.id || !same_traits(&a.traits, &b.traits) || !same_refs(&a.mixins, &b.mixins) {
        return false;
    }
    match (&a.body, &b.body) {
        (Body::Simple(x), Body::Simple(y)) => x == y,
        (Body::Enum(x), Body::Enum(y))
        | (Body::IntEnum(x), Body::IntEnum(y))
        | (Body::Structure(x), Body::Structure(y))
        | (Body::Union(x), Body::Union(y)) => same_members(x, y),
        (Body::List(x), Body::List(y)) => same_opt_member(x, y),
        (Body::Map(xk, xv), Body::Map(yk, yv)) => {
            same_opt_member(xk, yk) && same_opt_member(xv, yv)
        }
        (Body::Service(x), Body::Service(y)) => {
            x.version == y.version
                && same_refs(&x.operations, &y.operations)
                && same_refs(&x.resources, &y.resources)
                && same_refs(&x.errors, &y.errors)
                && x.rename.len() == y.rename.len()
                && x.rename
                    .iter()
                    .zip(&y.rename)
                    .all(|((r, n, _), (s, m, _))| r.id == s.id && n == m)
        }
        (Body::Operation(x), Body::Operation(y)) => {
            same_ref(&x.input, &y.input)
                && same_ref(&x.output, &y.output)
                && same_refs(&x.errors, &y.errors)
        }
        (Body::Resource(x), Body::Resource(y)) => {
            same_named_refs(&x.identifiers, &y.identifiers)
                && same_named_refs(&x.properties, &y.properties)
                && same_named_refs(&x.lifecycle, &y.lifecycle)
                && same_refs(&x.operations, &y.operations)
                && same_refs(&x.collection_operations, &y.collection_operations)
                && same_refs(&x.resources, &y.resources)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    /// A path under the shared data directory (`/work/shared`), from the crate or the scratch crate.
    fn shared(rel: &str) -> std::path::PathBuf {
        let from_crate =
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")).join(rel);
        if from_crate.exists() {
            from_crate
        } else {
            std::path::Path::new("/work/shared").join(rel)
        }
    }

    fn load_one(name: &str, text: &str) -> LoadOutcome {
        load(&[Source { name, text }])
    }

    /// A 2.0 model whose `shapes` object holds `shapes` (one shape per line keeps positions easy).
    fn model(shapes: &str) -> String {
        format!("{{\n\"smithy\": \"2.0\",\n\"shapes\": {{\n{shapes}\n}}\n}}")
    }

    fn model_v1(shapes: &str) -> String {
        format!("{{\n\"smithy\": \"1.0\",\n\"shapes\": {{\n{shapes}\n}}\n}}")
    }

    /// 1-based line and column (in chars) of the `nth` occurrence (0-based) of `needle`.
    fn pos_of(text: &str, needle: &str, nth: usize) -> (u32, u32) {
        let (offset, _) = text
            .match_indices(needle)
            .nth(nth)
            .unwrap_or_else(|| panic!("`{needle}` not found"));
        let before = &text[..offset];
        let line = before.matches('\n').count() as u32 + 1;
        let col = before.rsplit('\n').next().unwrap().chars().count() as u32 + 1;
        (line, col)
    }

    fn errors(out: &LoadOutcome) -> Vec<&Diagnostic> {
        out.diagnostics.iter().filter(|d| d.is_error()).collect()
    }

    /// Asserts there is an error at `file:line:col` for `shape` whose message contains `needle`,
    /// and that it has a help line.
    #[track_caller]
    fn expect_error(
        out: &LoadOutcome,
        file: &str,
        at: (u32, u32),
        shape: Option<&str>,
        needle: &str,
    ) {
        let found = out.diagnostics.iter().any(|d| {
            d.severity == Severity::Error
                && d.span
                    .as_ref()
                    .is_some_and(|s| &*s.file == file && s.line == at.0 && s.column == at.1)
                && d.shape.as_deref() == shape
                && d.message.contains(needle)
                && d.help.as_ref().is_some_and(|h| !h.is_empty())
        });
        let all: Vec<String> = out.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(
            found,
            "no error at {file}:{}:{} for {shape:?} containing {needle:?}; got:\n{}",
            at.0,
            at.1,
            all.join("\n")
        );
        assert!(
            out.model.is_none(),
            "a model with errors must not be returned"
        );
    }

    #[track_caller]
    fn expect_clean(out: &LoadOutcome) -> &Model {
        let errs: Vec<String> = errors(out).iter().map(|d| d.to_string()).collect();
        assert!(errs.is_empty(), "unexpected errors:\n{}", errs.join("\n"));
        out.model.as_ref().expect("model without errors")
    }

    fn sid(s: &str) -> ShapeId {
        s.parse().unwrap()
    }

    fn members<'m>(m: &'m Model, id: &str) -> Vec<&'m Member> {
        m.shape(&sid(id)).unwrap().kind.members()
    }

    // ---- real models ------------------------------------------------------------------------

    #[test]
    fn aws_models_load_without_errors() {
        let dir = shared("aws-models");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        assert_eq!(files.len(), 23, "expected the 23 AWS models in {dir:?}");
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.display().to_string();
            let out = load_one(&name, &text);
            let model = expect_clean(&out);
            assert_eq!(model.services().count(), 1, "{name}");
            let service = model.services().next().unwrap();
            let ShapeKind::Service(s) = &service.kind else {
                unreachable!()
            };
            assert!(
                !s.operations.is_empty() || !s.resources.is_empty(),
                "{name}"
            );
            for shape in model.shapes.values() {
                for m in shape.kind.members() {
                    assert!(
                        model.shape(&m.target).is_some(),
                        "{name}: {} -> {}",
                        shape.id,
                        m.target
                    );
                    if let ShapeKind::Enum(_) = shape.kind {
                        assert!(m.traits.has("smithy.api#enumValue"));
                    }
                }
            }
        }
    }

    #[test]
    fn workspaces_web_timing() {
        let text =
            std::fs::read_to_string(shared("aws-models/workspaces-web-2020-07-08.json")).unwrap();
        let mut best = std::time::Duration::MAX;
        for _ in 0..5 {
            let start = std::time::Instant::now();
            let out = load_one("workspaces-web.json", &text);
            best = best.min(start.elapsed());
            expect_clean(&out);
        }
        println!(
            "workspaces-web ({} bytes) loaded in {best:?} (best of 5)",
            text.len()
        );
    }

    #[test]
    fn protocol_tests_load_and_flatten_mixins() {
        let text = std::fs::read_to_string(shared("protocol-tests/smithy-aws-protocol-tests.json"))
            .unwrap();
        let out = load_one("protocol-tests.json", &text);
        let model = expect_clean(&out);
        // restXml mixes in HttpConfiguration (http, eventStreamHttp) and adds noErrorWrapping.
        let names: Vec<&str> = members(model, "aws.protocols#restXml")
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(names, ["http", "eventStreamHttp", "noErrorWrapping"]);
        let rest_xml = model.shape(&sid("aws.protocols#restXml")).unwrap();
        assert!(!rest_xml.is_mixin());
        assert!(rest_xml.traits.has("smithy.api#trait"));
        let mixin = model
            .shape(&sid("aws.protocols#HttpConfiguration"))
            .unwrap();
        assert!(mixin.is_mixin());
        // Member traits come along with mixin members.
        let defaults = members(model, "aws.protocoltests.json10#Defaults");
        assert!(defaults.len() > 5);
        let ds = defaults.iter().find(|m| m.name == "defaultString").unwrap();
        assert_eq!(
            ds.traits.get("smithy.api#default").and_then(Node::as_str),
            Some("hi")
        );
        assert!(out.diagnostics.iter().all(|d| !d.is_error()));
    }

    #[test]
    fn two_files_load_together_and_identical_duplicates_are_fine() {
        let a = model(
            r#""a#Svc": {"type": "service", "version": "1", "operations": [{"target": "a#Op"}]},
"a#Op": {"type": "operation", "input": {"target": "b#In"}},
"b#Shared": {"type": "string", "traits": {"smithy.api#length": {"min": 1}}}"#,
        );
        let b = model(
            r#""b#In": {"type": "structure", "members": {"s": {"target": "b#Shared"}}},
"b#Shared": {"type": "string", "traits": {"smithy.api#length": {"min": 1}}}"#,
        );
        let out = load(&[
            Source {
                name: "a.json",
                text: &a,
            },
            Source {
                name: "b.json",
                text: &b,
            },
        ]);
        let m = expect_clean(&out);
        let ShapeKind::Operation(op) = &m.shape(&sid("a#Op")).unwrap().kind else {
            panic!()
        };
        assert_eq!(op.input, sid("b#In"));
        assert_eq!(op.output, sid("smithy.api#Unit"));
        assert_eq!(
            m.shape(&sid("b#Shared"))
                .unwrap()
                .span
                .as_ref()
                .unwrap()
                .file
                .as_ref(),
            "a.json"
        );
        // Without b.json the input is missing.
        let out = load_one("a.json", &a);
        expect_error(
            &out,
            "a.json",
            pos_of(&a, "\"b#In\"}", 0),
            Some("a#Op"),
            "unknown shape `b#In`",
        );
    }

    #[test]
    fn conflicting_duplicate_definitions_name_both_places() {
        let a = model(r#""b#S": {"type": "string"}"#);
        let b = model(r#""b#S": {"type": "integer"}"#);
        let out = load(&[
            Source {
                name: "a.json",
                text: &a,
            },
            Source {
                name: "b.json",
                text: &b,
            },
        ]);
        expect_error(
            &out,
            "b.json",
            pos_of(&b, "\"b#S\"", 0),
            Some("b#S"),
            "defined twice",
        );
        let d = errors(&out)[0];
        assert!(
            d.message.contains(&format!(
                "a.json:{}:{}",
                pos_of(&a, "\"b#S\"", 0).0,
                pos_of(&a, "\"b#S\"", 0).1
            )),
            "{d}"
        );
    }

    // ---- document-level checks -------------------------------------------------------------

    #[test]
    fn json_syntax_errors_are_located() {
        let text = "{\n  \"smithy\": \"2.0\",\n  \"shapes\": {,}\n}";
        let out = load_one("bad.json", text);
        expect_error(&out, "bad.json", (3, 14), None, "invalid JSON");
        let out = load_one("c.json", "{\"smithy\": \"2.0\" // hi\n}");
        expect_error(&out, "c.json", (1, 18), None, "comments");
    }

    #[test]
    fn versions() {
        for ok in ["1.0", "1", "2.0", "2"] {
            let text = format!("{{\"smithy\": \"{ok}\", \"shapes\": {{}}}}");
            expect_clean(&load_one("v.json", &text));
        }
        let text = "{\"smithy\": \"3.0\", \"shapes\": {}}";
        let out = load_one("v.json", text);
        expect_error(
            &out,
            "v.json",
            (1, 12),
            None,
            "unsupported Smithy version `3.0`",
        );
        let out = load_one("v.json", "{\"shapes\": {}}");
        expect_error(&out, "v.json", (1, 1), None, "missing `smithy` version");
        let out = load_one("v.json", "{\"smithy\": 2}");
        expect_error(&out, "v.json", (1, 12), None, "expected a version string");
    }

    #[test]
    fn root_and_shapes_must_be_objects() {
        let out = load_one("r.json", "[1]");
        expect_error(&out, "r.json", (1, 1), None, "document root is an array");
        let out = load_one("r.json", "{\"smithy\": \"2.0\", \"shapes\": []}");
        expect_error(&out, "r.json", (1, 29), None, "`shapes` is an array");
    }

    #[test]
    fn metadata_merges() {
        let a = "{\"smithy\": \"2.0\", \"metadata\": {\"list\": [1], \"same\": \"x\", \"k\": 1}}";
        let b = "{\"smithy\": \"2.0\", \"metadata\": {\"list\": [2], \"same\": \"x\", \"k\": 2}}";
        let out = load(&[
            Source {
                name: "a.json",
                text: a,
            },
            Source {
                name: "b.json",
                text: b,
            },
        ]);
        expect_error(
            &out,
            "b.json",
            pos_of(b, "\"k\"", 0),
            None,
            "metadata key `k`",
        );
        let b_ok = "{\"smithy\": \"2.0\", \"metadata\": {\"list\": [2], \"same\": \"x\"}}";
        let out = load(&[
            Source {
                name: "a.json",
                text: a,
            },
            Source {
                name: "b.json",
                text: b_ok,
            },
        ]);
        let m = expect_clean(&out);
        let list: Vec<&str> = m.metadata["list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_number().unwrap().as_text())
            .collect();
        assert_eq!(list, ["1", "2"]);
        assert_eq!(m.metadata["k"].as_number().unwrap().as_text(), "1");
    }

    // ---- shape ids and references ------------------------------------------------------------

    #[test]
    fn bad_shape_ids_in_keys_and_targets() {
        let text = model(
            r#""ns#Good": {"type": "structure", "members": {"a": {"target": "String"}, "b": {"target": "ns#Bad-Name"}}},
"not an id": {"type": "string"},
"ns#Foo$bar": {"type": "string"}"#,
        );
        let out = load_one("ids.json", &text);
        expect_error(
            &out,
            "ids.json",
            pos_of(&text, "\"String\"", 0),
            Some("ns#Good$a"),
            "relative shape ids are not allowed",
        );
        let rel = out
            .diagnostics
            .iter()
            .find(|d| d.message.contains("`String`"))
            .unwrap();
        assert!(rel.help.as_deref().unwrap().contains("smithy.api#String"));
        expect_error(
            &out,
            "ids.json",
            pos_of(&text, "\"ns#Bad-Name\"", 0),
            Some("ns#Good$b"),
            "contains `-`",
        );
        expect_error(
            &out,
            "ids.json",
            pos_of(&text, "\"not an id\"", 0),
            None,
            "invalid shape id `not an id`",
        );
        expect_error(
            &out,
            "ids.json",
            pos_of(&text, "\"ns#Foo$bar\"", 0),
            Some("ns#Foo$bar"),
            "must not name a member",
        );
    }

    #[test]
    fn unknown_target_reports_id_position_and_suggestion() {
        let text = model(
            r#""ns#Person": {"type": "structure", "members": {
  "name": {"target": "ns#Nmae"},
  "age": {"target": "ns#Missing"}
}},
"ns#Name": {"type": "string"},
"ns#L": {"type": "list", "member": {"target": "smithy.api#string"}}"#,
        );
        let out = load_one("m.json", &text);
        let at = pos_of(&text, "\"ns#Nmae\"", 0);
        assert_eq!(at, (5, 22));
        expect_error(
            &out,
            "m.json",
            at,
            Some("ns#Person$name"),
            "unknown shape `ns#Nmae`",
        );
        let d = out
            .diagnostics
            .iter()
            .find(|d| d.message.contains("ns#Nmae"))
            .unwrap();
        assert_eq!(d.help.as_deref(), Some("did you mean `ns#Name`?"));
        assert!(
            d.to_string().starts_with(
                "error: m.json:5:22: shape `ns#Person$name`: member targets unknown shape `ns#Nmae`"
            ),
            "{d}"
        );
        expect_error(
            &out,
            "m.json",
            pos_of(&text, "\"ns#Missing\"", 0),
            Some("ns#Person$age"),
            "unknown shape `ns#Missing`",
        );
        expect_error(
            &out,
            "m.json",
            pos_of(&text, "\"smithy.api#string\"", 0),
            Some("ns#L$member"),
            "unknown shape",
        );
        let d = out
            .diagnostics
            .iter()
            .find(|d| d.message.contains("smithy.api#string"))
            .unwrap();
        assert_eq!(d.help.as_deref(), Some("did you mean `smithy.api#String`?"));
        // All three are reported, in file order.
        assert_eq!(errors(&out).len(), 3);
        let lines: Vec<u32> = out
            .diagnostics
            .iter()
            .map(|d| d.span.as_ref().unwrap().line)
            .collect();
        assert!(lines.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn many_errors_are_all_reported() {
        let text = model(
            r#""ns#A": {"type": "structure", "members": {"x": {"target": "ns#X1"}, "Bad-Name": {"target": "smithy.api#String"}}},
"ns#B": {"type": "structure", "members": {"y": {"target": "ns#X2"}}, "traits": {"smithy.api#documentation": 5}},
"ns#C": {"type": "strng"},
"ns#D": {"type": "map", "key": {"target": "smithy.api#Integer"}, "value": {"target": "smithy.api#String"}},
"ns#E": {"type": "string", "traits": {"smithy.api#requird": {}}}"#,
        );
        let out = load_one("many.json", &text);
        assert_eq!(errors(&out).len(), 7, "{:#?}", out.diagnostics);
        expect_error(
            &out,
            "many.json",
            pos_of(&text, "\"ns#X1\"", 0),
            Some("ns#A$x"),
            "unknown shape",
        );
        expect_error(
            &out,
            "many.json",
            pos_of(&text, "\"Bad-Name\"", 0),
            Some("ns#A"),
            "invalid member name `Bad-Name`",
        );
        expect_error(
            &out,
            "many.json",
            pos_of(&text, "\"ns#X2\"", 0),
            Some("ns#B$y"),
            "unknown shape",
        );
        expect_error(
            &out,
            "many.json",
            pos_of(&text, "5}", 0),
            Some("ns#B"),
            "must be a string",
        );
        expect_error(
            &out,
            "many.json",
            pos_of(&text, "\"strng\"", 0),
            Some("ns#C"),
            "unknown shape type `strng`",
        );
        let d = out
            .diagnostics
            .iter()
            .find(|d| d.message.contains("strng"))
            .unwrap();
        let help = d.help.as_deref().unwrap();
        assert!(
            help.contains("did you mean `string`?")
                && help.contains("intEnum")
                && help.contains("resource"),
            "{help}"
        );
        expect_error(
            &out,
            "many.json",
            pos_of(&text, "\"smithy.api#Integer\"", 0),
            Some("ns#D$key"),
            "map key",
        );
        expect_error(
            &out,
            "many.json",
            pos_of(&text, "\"smithy.api#requird\"", 0),
            Some("ns#E"),
            "unknown trait `smithy.api#requird`",
        );
    }

    #[test]
    fn members_must_target_data_shapes() {
        let text = model(
            r#""ns#S": {"type": "structure", "members": {"op": {"target": "ns#Op"}, "mx": {"target": "ns#Mx"}}},
"ns#Op": {"type": "operation"},
"ns#Mx": {"type": "structure", "members": {}, "traits": {"smithy.api#mixin": {}}}"#,
        );
        let out = load_one("t.json", &text);
        expect_error(
            &out,
            "t.json",
            pos_of(&text, "\"ns#Op\"}", 0),
            Some("ns#S$op"),
            "an operation shape",
        );
        expect_error(
            &out,
            "t.json",
            pos_of(&text, "\"ns#Mx\"}", 0),
            Some("ns#S$mx"),
            "targets mixin",
        );
    }

    #[test]
    fn operation_input_output_and_errors() {
        let text = model(
            r#""ns#Op": {"type": "operation", "input": {"target": "smithy.api#String"}, "output": {"target": "ns#Out"}, "errors": [{"target": "ns#NotErr"}, {"target": "ns#Err"}]},
"ns#Out": {"type": "structure", "members": {}},
"ns#NotErr": {"type": "structure", "members": {}},
"ns#Err": {"type": "structure", "members": {}, "traits": {"smithy.api#error": "client"}}"#,
        );
        let out = load_one("o.json", &text);
        expect_error(
            &out,
            "o.json",
            pos_of(&text, "\"smithy.api#String\"}", 0),
            Some("ns#Op"),
            "operation input `smithy.api#String` is a string, expected a structure",
        );
        expect_error(
            &out,
            "o.json",
            pos_of(&text, "\"ns#NotErr\"}", 0),
            Some("ns#Op"),
            "not marked with `smithy.api#error`",
        );
        assert_eq!(errors(&out).len(), 2);
    }

    #[test]
    fn service_and_resource_references() {
        let text = model(
            r#""ns#Svc": {"type": "service", "version": "1", "operations": [{"target": "ns#R"}], "resources": [{"target": "ns#Op"}], "rename": {"ns#Elsewhere": "Other", "ns#In": "Input2"}},
"ns#Op": {"type": "operation", "input": {"target": "ns#In"}},
"ns#In": {"type": "structure", "members": {}},
"ns#Elsewhere": {"type": "string"},
"ns#R": {"type": "resource", "identifiers": {"id": {"target": "smithy.api#Integer"}}, "read": {"target": "ns#In"}}"#,
        );
        let out = load_one("s.json", &text);
        expect_error(
            &out,
            "s.json",
            pos_of(&text, "\"ns#R\"}", 0),
            Some("ns#Svc"),
            "service operation `ns#R` is a resource, expected an operation",
        );
        expect_error(
            &out,
            "s.json",
            pos_of(&text, "\"ns#Op\"}", 0),
            Some("ns#Svc"),
            "service resource `ns#Op` is an operation, expected a resource",
        );
        expect_error(
            &out,
            "s.json",
            pos_of(&text, "\"ns#Elsewhere\"", 0),
            Some("ns#Svc"),
            "not in the service's closure",
        );
        expect_error(
            &out,
            "s.json",
            pos_of(&text, "\"smithy.api#Integer\"}", 0),
            Some("ns#R"),
            "identifier `id` targets `smithy.api#Integer`, an integer shape",
        );
        expect_error(
            &out,
            "s.json",
            pos_of(&text, "\"ns#In\"}", 1),
            Some("ns#R"),
            "`read` `ns#In` is a structure, expected an operation",
        );
        // `ns#In` is reachable (through the `read` of ns#R), so renaming it is fine.
        assert_eq!(errors(&out).len(), 5, "{:#?}", out.diagnostics);
    }

    #[test]
    fn rename_of_closure_shape_is_accepted_and_name_conflicts_are_reported() {
        let text = model(
            r#""ns#Svc": {"type": "service", "version": "1", "operations": [{"target": "ns#Op"}]},
"ns#Op": {"type": "operation", "input": {"target": "ns#In"}},
"ns#In": {"type": "structure", "members": {"a": {"target": "ns#Thing"}, "b": {"target": "other#Thing"}}},
"ns#Thing": {"type": "string"},
"other#Thing": {"type": "string"}"#,
        );
        let out = load_one("c.json", &text);
        expect_error(
            &out,
            "c.json",
            pos_of(&text, "\"other#Thing\": {", 0),
            Some("other#Thing"),
            "same name `Thing`",
        );
        let fixed = text.replace(
            "\"version\": \"1\",",
            "\"version\": \"1\", \"rename\": {\"other#Thing\": \"OtherThing\"},",
        );
        let m = expect_clean(&load_one("c.json", &fixed)).clone();
        let ShapeKind::Service(s) = &m.shape(&sid("ns#Svc")).unwrap().kind else {
            panic!()
        };
        assert_eq!(
            s.rename.get(&sid("other#Thing")).map(String::as_str),
            Some("OtherThing")
        );
    }

    #[test]
    fn member_name_clashes_and_invalid_names() {
        let text = model(
            r#""ns#S": {"type": "structure", "members": {"fooBar": {"target": "smithy.api#String"}, "FooBar": {"target": "smithy.api#String"}}},
"ns#E": {"type": "enum", "members": {"A": {"target": "smithy.api#Unit"}, "a": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "x"}}}},
"ns#U": {"type": "union", "members": {"_1x": {"target": "smithy.api#String"}}}"#,
        );
        let out = load_one("n.json", &text);
        expect_error(
            &out,
            "n.json",
            pos_of(&text, "\"FooBar\"", 0),
            Some("ns#S$FooBar"),
            "conflicts with member `fooBar`",
        );
        expect_error(
            &out,
            "n.json",
            pos_of(&text, "\"a\": {\"target\"", 0),
            Some("ns#E$a"),
            "conflicts with member `A`",
        );
        expect_error(
            &out,
            "n.json",
            pos_of(&text, "\"_1x\"", 0),
            Some("ns#U"),
            "invalid member name `_1x`",
        );
    }

    #[test]
    fn enum_values() {
        let text = model(
            r#""ns#E": {"type": "enum", "members": {"A": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "v"}}, "B": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "v"}}, "C": {"target": "smithy.api#String"}}},
"ns#I": {"type": "intEnum", "members": {"X": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": 1}}, "Y": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": 1}}, "Z": {"target": "smithy.api#Unit"}, "W": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "s"}}}}"#,
        );
        let out = load_one("e.json", &text);
        expect_error(
            &out,
            "e.json",
            pos_of(&text, "\"v\"", 1),
            Some("ns#E$B"),
            "duplicate enum value `v`",
        );
        expect_error(
            &out,
            "e.json",
            pos_of(&text, "\"smithy.api#String\"", 0),
            Some("ns#E$C"),
            "enum member targets",
        );
        expect_error(
            &out,
            "e.json",
            pos_of(&text, "1}", 1),
            Some("ns#I$Y"),
            "duplicate enum value `1`",
        );
        expect_error(
            &out,
            "e.json",
            pos_of(&text, "\"Z\"", 0),
            Some("ns#I$Z"),
            "no `smithy.api#enumValue`",
        );
        expect_error(
            &out,
            "e.json",
            pos_of(&text, "\"s\"", 0),
            Some("ns#I$W"),
            "intEnum value must be a 32-bit integer",
        );
    }

    #[test]
    fn enum_members_get_default_values() {
        let text = model(
            r#""ns#E": {"type": "enum", "members": {"A": {"target": "smithy.api#Unit"}, "B": {"traits": {"smithy.api#enumValue": "bee"}}}}"#,
        );
        let out = load_one("e.json", &text);
        let m = expect_clean(&out);
        let ms = members(m, "ns#E");
        assert_eq!(
            ms[0]
                .traits
                .get("smithy.api#enumValue")
                .and_then(Node::as_str),
            Some("A")
        );
        assert_eq!(
            ms[1]
                .traits
                .get("smithy.api#enumValue")
                .and_then(Node::as_str),
            Some("bee")
        );
        assert_eq!(ms[1].target, sid("smithy.api#Unit"));
    }

    // ---- traits -----------------------------------------------------------------------------

    #[test]
    fn trait_value_types() {
        let cases: &[(&str, &str, &str)] = &[
            ("smithy.api#documentation", "5", "must be a string"),
            ("smithy.api#required", "\"yes\"", "must be an object"),
            ("smithy.api#sensitive", "[]", "must be an object"),
            ("smithy.api#error", "\"fatal\"", "\"client\" or \"server\""),
            ("smithy.api#httpError", "700", "integer from 100 to 599"),
            ("smithy.api#httpError", "4.5", "integer from 100 to 599"),
            (
                "smithy.api#retryable",
                "{\"throttling\": \"yes\"}",
                "`throttling` must be a boolean",
            ),
            ("smithy.api#length", "{\"min\": -1}", "non-negative integer"),
            (
                "smithy.api#length",
                "{\"min\": 5, \"max\": 2}",
                "greater than `max`",
            ),
            (
                "smithy.api#range",
                "{\"min\": 5.5, \"max\": 2}",
                "greater than `max`",
            ),
            (
                "smithy.api#range",
                "{\"min\": \"0\"}",
                "`min` must be a number",
            ),
            ("smithy.api#pattern", "{}", "must be a string"),
            ("smithy.api#enumValue", "true", "string or an integer"),
            ("smithy.api#enum", "[{\"name\": \"A\"}]", "no `value`"),
            (
                "smithy.api#enum",
                "[{\"value\": 1}]",
                "`value` must be a string",
            ),
            (
                "smithy.api#http",
                "{\"method\": \"GET\"}",
                "missing required property `uri`",
            ),
            (
                "smithy.api#http",
                "{\"method\": \"GET\", \"uri\": \"x\"}",
                "must start with `/`",
            ),
            (
                "smithy.api#http",
                "{\"method\": \"GET\", \"uri\": \"/\", \"code\": 20}",
                "`code` must be an integer",
            ),
            ("smithy.api#httpHeader", "1", "must be a string"),
            ("smithy.api#httpQuery", "\"\"", "must not be empty"),
            ("smithy.api#jsonName", "null", "must be a string"),
            (
                "smithy.api#timestampFormat",
                "\"iso\"",
                "unknown timestamp format",
            ),
            (
                "smithy.api#paginated",
                "{\"inputToken\": 1}",
                "`inputToken` must be a string",
            ),
            (
                "smithy.api#endpoint",
                "{}",
                "missing required property `hostPrefix`",
            ),
            (
                "smithy.api#deprecated",
                "{\"message\": 1}",
                "`message` must be a string",
            ),
            (
                "smithy.api#tags",
                "[\"a\", 1]",
                "each element must be a string",
            ),
            ("smithy.api#title", "[]", "must be a string"),
            (
                "smithy.api#externalDocumentation",
                "{\"Home\": 1}",
                "must be a string",
            ),
            (
                "smithy.api#mixin",
                "{\"localTraits\": [\"private\"]}",
                "not an absolute trait id",
            ),
        ];
        for (trait_id, value, needle) in cases {
            let text = model(&format!(
                "\"ns#S\": {{\"type\": \"string\", \"traits\": {{\"{trait_id}\": {value}}}}}"
            ));
            let out = load_one("tr.json", &text);
            let errs = errors(&out);
            assert!(
                errs.iter().any(|d| d.message.contains(needle)
                    && d.message.contains(trait_id)
                    && d.shape.as_deref() == Some("ns#S")
                    && d.span.as_ref().is_some_and(|s| s.line == 4)),
                "{trait_id}: {value}: expected {needle:?}, got {:#?}",
                out.diagnostics
            );
        }
        // A property the trait does not define is a warning, as in Smithy's node validation.
        for (value, key) in [
            (r#"{"smithy.api#required": {"x": 1}}"#, "x"),
            (r#"{"smithy.api#paginated": {"pagesize": "x"}}"#, "pagesize"),
        ] {
            let text = model(&format!(
                r#""ns#S": {{"type": "string", "traits": {value}}}"#
            ));
            let out = load_one("tr.json", &text);
            assert!(errors(&out).is_empty(), "{:#?}", out.diagnostics);
            assert!(
                out.diagnostics.iter().any(|d| !d.is_error()
                    && d.message.contains(&format!("unknown property `{key}`"))
                    && d.span.as_ref().is_some_and(|s| s.line == 4)),
                "{:#?}",
                out.diagnostics
            );
        }
        // Exact position of a nested offending value.
        let text = model(
            r#""ns#S": {"type": "string", "traits": {"smithy.api#length": {"min": 1, "max": -3}}}"#,
        );
        let out = load_one("tr.json", &text);
        expect_error(
            &out,
            "tr.json",
            pos_of(&text, "-3", 0),
            Some("ns#S"),
            "`max` must be a non-negative integer",
        );
    }

    #[test]
    fn valid_trait_values_pass() {
        let text = model(
            r#""ns#S": {"type": "structure", "members": {"a": {"target": "smithy.api#String", "traits": {"smithy.api#required": {}, "smithy.api#length": {"min": 0, "max": 3}, "smithy.api#httpHeader": "X-A", "smithy.api#jsonName": "A", "smithy.api#default": "x"}}}, "traits": {"smithy.api#error": "server", "smithy.api#httpError": 503, "smithy.api#retryable": {"throttling": true}, "smithy.api#documentation": "d", "smithy.api#tags": ["t"], "smithy.api#deprecated": {"since": "1"}, "smithy.api#externalDocumentation": {"Home": "https://x"}, "aws.api#anything": [1, {"x": null}], "smithy.rules#endpointRuleSet": {}}},
"ns#N": {"type": "integer", "traits": {"smithy.api#range": {"min": -1.5, "max": 1e3}}},
"ns#T": {"type": "timestamp", "traits": {"smithy.api#timestampFormat": "epoch-seconds"}}"#,
        );
        let out = load_one("ok.json", &text);
        let m = expect_clean(&out);
        assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
        let s = m.shape(&sid("ns#S")).unwrap();
        assert_eq!(
            s.traits
                .get("smithy.api#httpError")
                .and_then(|n| n.as_number()?.as_i64()),
            Some(503)
        );
        assert!(s.traits.has("aws.api#anything"));
        assert_eq!(s.traits.documentation(), Some("d"));
    }

    #[test]
    fn unknown_prelude_trait_and_bad_trait_ids() {
        let text = model(
            r#""ns#S": {"type": "string", "traits": {"smithy.api#sensitve": {}, "documentation": "x", "ns#t$m": {}, "custom.ns#whatever": {"a": 1}}}"#,
        );
        let out = load_one("t.json", &text);
        expect_error(
            &out,
            "t.json",
            pos_of(&text, "\"smithy.api#sensitve\"", 0),
            Some("ns#S"),
            "unknown trait `smithy.api#sensitve`",
        );
        let d = out
            .diagnostics
            .iter()
            .find(|d| d.message.contains("sensitve"))
            .unwrap();
        assert!(
            d.help
                .as_deref()
                .unwrap()
                .contains("did you mean `smithy.api#sensitive`?")
        );
        expect_error(
            &out,
            "t.json",
            pos_of(&text, "\"documentation\"", 0),
            Some("ns#S"),
            "invalid trait id",
        );
        let d = out
            .diagnostics
            .iter()
            .find(|d| d.message.contains("`documentation`"))
            .unwrap();
        assert!(
            d.help
                .as_deref()
                .unwrap()
                .contains("smithy.api#documentation")
        );
        expect_error(
            &out,
            "t.json",
            pos_of(&text, "\"ns#t$m\"", 0),
            Some("ns#S"),
            "names a member",
        );
        assert_eq!(errors(&out).len(), 3);
    }

    #[test]
    fn unknown_properties_are_warnings_and_ignored() {
        let text = model(
            r#""ns#S": {"type": "structure", "membres": {}, "members": {"a": {"target": "smithy.api#String", "trait": {}}}}"#,
        );
        let out = load_one("p.json", &text);
        let m = expect_clean(&out);
        assert!(m.shape(&ShapeId::new("ns", "S")).is_some());
        for (needle, shape, at) in [
            (
                "unknown property `membres`",
                "ns#S",
                pos_of(&text, "\"membres\"", 0),
            ),
            (
                "unknown property `trait`",
                "ns#S$a",
                pos_of(&text, "\"trait\"", 0),
            ),
        ] {
            assert!(
                out.diagnostics
                    .iter()
                    .any(|d| d.severity == Severity::Warning
                        && d.message.contains(needle)
                        && d.shape.as_deref() == Some(shape)
                        && d.span.as_ref().is_some_and(|s| (s.line, s.column) == at)),
                "{needle}: {:#?}",
                out.diagnostics
            );
        }
    }

    // ---- apply ------------------------------------------------------------------------------

    #[test]
    fn apply_attaches_concatenates_and_reports_conflicts() {
        let text = model(
            r#""ns#S": {"type": "structure", "members": {"a": {"target": "smithy.api#String"}}, "traits": {"smithy.api#tags": ["x"], "smithy.api#documentation": "one"}},
"ns#S$a": {"type": "apply", "traits": {"smithy.api#required": {}}},
"ns#S": {"type": "apply", "traits": {"smithy.api#tags": ["y"], "smithy.api#documentation": "one"}}"#,
        );
        // Duplicate keys are a JSON error, so the two `ns#S` entries come from two files.
        let (a, b) = text.split_once("\"ns#S\": {\"type\": \"apply\"").unwrap();
        let a = format!(
            "{}\n\"ns#Dummy\": {{\"type\": \"string\"}}\n}}\n}}",
            a.trim_end()
        );
        let b = model(&format!(
            "\"ns#S\": {{\"type\": \"apply\"{}",
            b.trim_end()
                .trim_end_matches('}')
                .trim_end()
                .trim_end_matches('}')
        ));
        let out = load(&[
            Source {
                name: "a.json",
                text: &a,
            },
            Source {
                name: "b.json",
                text: &b,
            },
        ]);
        let m = expect_clean(&out);
        let s = m.shape(&sid("ns#S")).unwrap();
        let tags: Vec<&str> = s
            .traits
            .get("smithy.api#tags")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Node::as_str)
            .collect();
        assert_eq!(tags, ["x", "y"]);
        assert!(members(m, "ns#S")[0].traits.has("smithy.api#required"));

        let c =
            model(r#""ns#S": {"type": "apply", "traits": {"smithy.api#documentation": "two"}}"#);
        let out = load(&[
            Source {
                name: "a.json",
                text: &a,
            },
            Source {
                name: "c.json",
                text: &c,
            },
        ]);
        expect_error(
            &out,
            "c.json",
            pos_of(&c, "\"two\"", 0),
            Some("ns#S"),
            "conflicting values for trait `smithy.api#documentation`",
        );
        let d = errors(&out)[0];
        let (l, col) = pos_of(&a, "\"one\"", 0);
        assert!(d.message.contains(&format!("a.json:{l}:{col}")), "{d}");

        let d2 = model(
            r#""ns#Nope": {"type": "apply", "traits": {"smithy.api#required": {}}},
"ns#S$zz": {"type": "apply", "traits": {"smithy.api#required": {}}}"#,
        );
        let out = load(&[
            Source {
                name: "a.json",
                text: &a,
            },
            Source {
                name: "d.json",
                text: &d2,
            },
        ]);
        expect_error(
            &out,
            "d.json",
            pos_of(&d2, "\"ns#Nope\"", 0),
            Some("ns#Nope"),
            "`apply` targets unknown shape `ns#Nope`",
        );
        expect_error(
            &out,
            "d.json",
            pos_of(&d2, "\"ns#S$zz\"", 0),
            Some("ns#S$zz"),
            "unknown member `zz`",
        );
    }

    // ---- mixins -----------------------------------------------------------------------------

    #[test]
    fn mixins_flatten_in_order_with_trait_precedence() {
        let text = model(
            r#""ns#A": {"type": "structure", "members": {"a": {"target": "smithy.api#String", "traits": {"smithy.api#documentation": "generic"}}}, "traits": {"smithy.api#mixin": {}, "ns#foo": 1, "smithy.api#documentation": "A"}},
"ns#B": {"type": "structure", "members": {"b": {"target": "smithy.api#String"}, "a": {"target": "smithy.api#String", "traits": {"smithy.api#required": {}}}}, "traits": {"smithy.api#mixin": {"localTraits": ["smithy.api#private"]}, "smithy.api#private": {}, "ns#foo": 2}},
"ns#C": {"type": "structure", "mixins": [{"target": "ns#D"}], "members": {"c": {"target": "smithy.api#String"}}, "traits": {"smithy.api#mixin": {}}},
"ns#D": {"type": "structure", "members": {"d": {"target": "smithy.api#String"}}, "traits": {"smithy.api#mixin": {}}},
"ns#S": {"type": "structure", "mixins": [{"target": "ns#A"}, {"target": "ns#B"}, {"target": "ns#C"}], "members": {"own": {"target": "smithy.api#Integer"}, "a": {"target": "smithy.api#String", "traits": {"smithy.api#documentation": "specific"}}}, "traits": {"smithy.api#documentation": "S"}},
"ns#S$d": {"type": "apply", "traits": {"smithy.api#documentation": "applied"}}"#,
        );
        let out = load_one("mx.json", &text);
        let m = expect_clean(&out);
        let s = m.shape(&sid("ns#S")).unwrap();
        let names: Vec<&str> = s.kind.members().iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "d", "c", "own"]);
        let a = s.kind.members()[0];
        assert_eq!(a.traits.documentation(), Some("specific"));
        assert!(a.traits.has("smithy.api#required"));
        assert_eq!(s.kind.members()[2].traits.documentation(), Some("applied"));
        assert_eq!(s.traits.documentation(), Some("S"));
        assert_eq!(
            s.traits
                .get("ns#foo")
                .and_then(|n| n.as_number())
                .map(|n| n.as_text()),
            Some("2")
        );
        assert!(
            !s.traits.has("smithy.api#private"),
            "localTraits are not inherited"
        );
        assert!(!s.is_mixin());
        // Mixins stay in the model, with their own members only plus theirs.
        assert!(m.shape(&sid("ns#C")).unwrap().is_mixin());
        assert_eq!(members(m, "ns#C").len(), 2);
        assert_eq!(members(m, "ns#A").len(), 1);
        // The apply on the copied member does not leak back into the mixin.
        assert_eq!(members(m, "ns#D")[0].traits.documentation(), None);
    }

    #[test]
    fn mixin_errors() {
        let text = model(
            r#""ns#X": {"type": "structure", "mixins": [{"target": "ns#Y"}], "members": {}, "traits": {"smithy.api#mixin": {}}},
"ns#Y": {"type": "structure", "mixins": [{"target": "ns#X"}], "members": {}, "traits": {"smithy.api#mixin": {}}},
"ns#NotMixin": {"type": "structure", "members": {}},
"ns#StrMixin": {"type": "string", "traits": {"smithy.api#mixin": {}}},
"ns#M": {"type": "structure", "members": {"a": {"target": "smithy.api#String"}}, "traits": {"smithy.api#mixin": {}}},
"ns#U": {"type": "structure", "mixins": [{"target": "ns#NotMixin"}, {"target": "ns#StrMixin"}, {"target": "ns#Nope"}, {"target": "ns#M"}], "members": {"a": {"target": "smithy.api#Integer"}}}"#,
        );
        let out = load_one("mx.json", &text);
        expect_error(
            &out,
            "mx.json",
            pos_of(&text, "\"ns#X\"}", 0),
            Some("ns#Y"),
            "mixin cycle: ns#X -> ns#Y -> ns#X",
        );
        expect_error(
            &out,
            "mx.json",
            pos_of(&text, "\"ns#NotMixin\"}", 0),
            Some("ns#U"),
            "not marked with `smithy.api#mixin`",
        );
        expect_error(
            &out,
            "mx.json",
            pos_of(&text, "\"ns#StrMixin\"}", 0),
            Some("ns#U"),
            "is a string, but this shape is a structure",
        );
        expect_error(
            &out,
            "mx.json",
            pos_of(&text, "\"ns#Nope\"}", 0),
            Some("ns#U"),
            "unknown shape",
        );
        expect_error(
            &out,
            "mx.json",
            pos_of(&text, "\"smithy.api#Integer\"", 0),
            Some("ns#U$a"),
            "different target",
        );
        assert_eq!(errors(&out).len(), 5, "{:#?}", out.diagnostics);
    }

    #[test]
    fn long_mixin_chains_do_not_recurse() {
        let mut shapes = Vec::new();
        let n = 2000;
        for i in 0..n {
            let mixins = if i + 1 < n {
                format!(", \"mixins\": [{{\"target\": \"ns#M{}\"}}]", i + 1)
            } else {
                String::new()
            };
            shapes.push(format!(
                "\"ns#M{i}\": {{\"type\": \"structure\"{mixins}, \"members\": {{\"m{i}\": {{\"target\": \"smithy.api#String\"}}}}, \"traits\": {{\"smithy.api#mixin\": {{}}}}}}"
            ));
        }
        shapes.push("\"ns#Top\": {\"type\": \"structure\", \"mixins\": [{\"target\": \"ns#M0\"}], \"members\": {}}".to_string());
        let text = model(&shapes.join(",\n"));
        let out = load_one("chain.json", &text);
        let m = expect_clean(&out);
        let top = members(m, "ns#Top");
        assert_eq!(top.len(), n);
        assert_eq!(top[0].name, format!("m{}", n - 1));
    }

    // ---- Smithy 1.0 ---------------------------------------------------------------------------

    #[test]
    fn smithy_1_conversions() {
        let text = model_v1(
            r#""ns#Set": {"type": "set", "member": {"target": "smithy.api#String"}},
"ns#Old": {"type": "string", "traits": {"smithy.api#enum": [{"value": "a-b", "documentation": "first"}, {"value": "9lives", "deprecated": true, "tags": ["t"]}, {"value": "A_B"}]}},
"ns#Named": {"type": "string", "traits": {"smithy.api#enum": [{"value": "x", "name": "EX"}]}},
"ns#Count": {"type": "integer"},
"ns#Boxed": {"type": "integer", "traits": {"smithy.api#box": {}}},
"ns#S": {"type": "structure", "members": {
  "p": {"target": "smithy.api#PrimitiveInteger"},
  "q": {"target": "smithy.api#PrimitiveBoolean", "traits": {"smithy.api#box": {}}},
  "r": {"target": "smithy.api#Integer"},
  "c": {"target": "ns#Count"},
  "b": {"target": "ns#Boxed"}
}}"#,
        );
        let out = load_one("v1.json", &text);
        let m = expect_clean(&out);
        let set = m.shape(&sid("ns#Set")).unwrap();
        assert!(matches!(set.kind, ShapeKind::List(_)));
        assert!(set.traits.has("smithy.api#uniqueItems"));
        let old = m.shape(&sid("ns#Old")).unwrap();
        let ShapeKind::Enum(ms) = &old.kind else {
            panic!("{:?}", old.kind)
        };
        assert!(!old.traits.has("smithy.api#enum"));
        let names: Vec<&str> = ms.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["A_B", "_9LIVES", "A_B_2"]);
        let values: Vec<&str> = ms
            .iter()
            .filter_map(|m| m.traits.get("smithy.api#enumValue")?.as_str())
            .collect();
        assert_eq!(values, ["a-b", "9lives", "A_B"]);
        assert_eq!(ms[0].traits.documentation(), Some("first"));
        assert!(ms[1].traits.has("smithy.api#deprecated"));
        assert!(ms[1].traits.has("smithy.api#tags"));
        assert_eq!(ms[0].target, sid("smithy.api#Unit"));
        let ShapeKind::Enum(named) = &m.shape(&sid("ns#Named")).unwrap().kind else {
            panic!()
        };
        assert_eq!(named[0].name, "EX");
        let s = members(m, "ns#S");
        let default = |i: usize| {
            s[i].traits
                .get("smithy.api#default")
                .map(|n| n.value.clone())
        };
        assert_eq!(
            default(0),
            Some(NodeValue::Number(crate::model::Number::from_text("0")))
        );
        assert_eq!(default(1), None, "boxed member");
        assert_eq!(default(2), None, "smithy.api#Integer is boxed");
        assert!(
            default(3).is_some(),
            "1.0 integer shapes are primitive unless boxed"
        );
        assert_eq!(default(4), None);
        assert!(!s[1].traits.has("smithy.api#box"), "box is dropped");
        assert!(
            !m.shape(&sid("ns#Boxed"))
                .unwrap()
                .traits
                .has("smithy.api#box")
        );
    }

    #[test]
    fn enum_name_derivation() {
        assert_eq!(enum_name_from_value("us-east-1"), "US_EAST_1");
        assert_eq!(enum_name_from_value("1x"), "_1X");
        assert_eq!(enum_name_from_value("a.b c"), "A_B_C");
        assert_eq!(enum_name_from_value("é"), "_U00E9_");
        assert_eq!(enum_name_from_value("café"), "CAF_U00E9_");
        assert_ne!(enum_name_from_value("café"), enum_name_from_value("cafè"));
        assert_eq!(enum_name_from_value("日本"), "_U65E5__U672C_");
        assert_eq!(enum_name_from_value("😀"), "_");
        assert_eq!(enum_name_from_value(""), "_");
        assert_eq!(enum_name_from_value("a--"), "A__");
    }

    #[test]
    fn prelude_is_present_and_protected() {
        let out = load_one("e.json", "{\"smithy\": \"2.0\"}");
        let m = expect_clean(&out);
        for name in [
            "String",
            "Blob",
            "BigInteger",
            "BigDecimal",
            "Timestamp",
            "Document",
            "Boolean",
            "Byte",
            "Short",
            "Integer",
            "Long",
            "Float",
            "Double",
            "PrimitiveLong",
            "Unit",
        ] {
            let s = m.shape(&sid(&format!("smithy.api#{name}"))).unwrap();
            assert!(s.span.is_none());
        }
        let text = model(r#""smithy.api#Mine": {"type": "string"}"#);
        let out = load_one("p.json", &text);
        expect_error(
            &out,
            "p.json",
            pos_of(&text, "\"smithy.api#Mine\"", 0),
            Some("smithy.api#Mine"),
            "prelude namespace",
        );
    }

    // ---- robustness -------------------------------------------------------------------------

    const SMALL: &str = r#"{
  "smithy": "2.0",
  "metadata": {"m": [1, 2.5e1, "x\u00e9"]},
  "shapes": {
    "ns#Svc": {"type": "service", "version": "1", "operations": [{"target": "ns#Op"}], "rename": {"ns#In": "Input"}},
    "ns#Op": {"type": "operation", "input": {"target": "ns#In"}, "errors": [{"target": "ns#Err"}], "traits": {"smithy.api#http": {"method": "GET", "uri": "/x/{id}"}}},
    "ns#In": {"type": "structure", "mixins": [{"target": "ns#Mx"}], "members": {"id": {"target": "smithy.api#String", "traits": {"smithy.api#httpLabel": {}, "smithy.api#required": {}}}}},
    "ns#Mx": {"type": "structure", "members": {"n": {"target": "smithy.api#Integer"}}, "traits": {"smithy.api#mixin": {}}},
    "ns#Err": {"type": "structure", "members": {}, "traits": {"smithy.api#error": "client", "smithy.api#httpError": 400}},
    "ns#E": {"type": "enum", "members": {"A": {"target": "smithy.api#Unit"}}},
    "ns#M": {"type": "map", "key": {"target": "ns#E"}, "value": {"target": "ns#L"}},
    "ns#L": {"type": "list", "member": {"target": "smithy.api#String"}, "traits": {"smithy.api#length": {"min": 1, "max": 2}}},
    "ns#In$n": {"type": "apply", "traits": {"smithy.api#documentation": "n"}}
  }
}"#;

    #[test]
    fn small_model_is_clean() {
        let out = load_one("small.json", SMALL);
        let m = expect_clean(&out);
        let names: Vec<&str> = members(m, "ns#In")
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(names, ["n", "id"]);
        assert_eq!(members(m, "ns#In")[0].traits.documentation(), Some("n"));
    }

    #[test]
    fn never_panics_on_prefixes_and_mutations() {
        let bytes = SMALL.as_bytes();
        let mut outcomes = 0usize;
        for end in 0..=bytes.len() {
            let text = String::from_utf8_lossy(&bytes[..end]);
            let out = load_one("p.json", &text);
            if end < bytes.len() {
                assert!(out.model.is_none(), "prefix {end} loaded");
            }
            outcomes += 1;
        }
        // Deterministic byte mutations (xorshift): replace, delete, insert, duplicate spans.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet = b"{}[]\":,\\#$0123456789-+.eE truefalsnul\x00\n\xc3\xa9";
        for _ in 0..600 {
            let mut m = bytes.to_vec();
            for _ in 0..(next() % 4 + 1) {
                let len = m.len().max(1);
                let at = (next() as usize) % len;
                match next() % 4 {
                    0 => {
                        if let Some(b) = m.get_mut(at) {
                            *b = alphabet[(next() as usize) % alphabet.len()];
                        }
                    }
                    1 => {
                        if at < m.len() {
                            m.remove(at);
                        }
                    }
                    2 => m.insert(
                        at.min(m.len()),
                        alphabet[(next() as usize) % alphabet.len()],
                    ),
                    _ => {
                        let end = (at + (next() as usize) % 40).min(m.len());
                        let chunk: Vec<u8> = m[at.min(end)..end].to_vec();
                        let pos = (next() as usize) % (m.len() + 1);
                        m.splice(pos..pos, chunk);
                    }
                }
            }
            let text = String::from_utf8_lossy(&m);
            let out = load_one("mut.json", &text);
            // Whatever happens, errors and models are exclusive and diagnostics are sorted.
            assert_eq!(
                out.model.is_none(),
                out.diagnostics.iter().any(Diagnostic::is_error)
            );
            outcomes += 1;
        }
        assert_eq!(outcomes, bytes.len() + 1 + 600);
    }

    #[test]
    fn deep_nesting_in_trait_values_is_reported() {
        let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        let text = model(&format!(
            "\"ns#S\": {{\"type\": \"string\", \"traits\": {{\"ns#t\": {deep}}}}}"
        ));
        let out = load_one("deep.json", &text);
        let e = errors(&out);
        assert_eq!(e.len(), 1);
        assert!(e[0].message.contains("nested more than 128"), "{}", e[0]);
    }
}
