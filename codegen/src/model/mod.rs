//! The semantic model: Smithy shapes after loading.
//!
//! The loader (`load`) reads one or more JSON AST files, merges them with the prelude, applies
//! `apply` blocks, flattens mixins, converts Smithy 1.0 forms (`set`, the `smithy.api#enum`
//! trait, `box`) to their 2.0 equivalents and checks the result. What comes out is this model:
//! every shape by id, every member in model order, every trait with the place it was written.
//! Nothing here knows about Rust.

use std::collections::BTreeMap;
use std::fmt;

pub use crate::diagnostic::{Diagnostic, Severity, Span};

pub(crate) mod json;
mod loader;
mod prelude;
mod shape_id;
mod validate;

pub use loader::{LoadOutcome, Source, load};
pub use shape_id::ShapeIdError;

/// A shape id, `namespace#Name` or `namespace#Name$member`.
///
/// Ordered by namespace, name, member: maps keyed by it iterate in a stable order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShapeId {
    namespace: String,
    name: String,
    member: Option<String>,
}

impl ShapeId {
    /// Builds an id from parts that are already known to be valid.
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        ShapeId {
            namespace: namespace.into(),
            name: name.into(),
            member: None,
        }
    }

    /// The id of a member of this shape.
    pub fn with_member(&self, member: impl Into<String>) -> Self {
        ShapeId {
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            member: Some(member.into()),
        }
    }

    /// The id of the shape that holds this member (or `self` without a member part).
    pub fn root(&self) -> Self {
        ShapeId::new(self.namespace.clone(), self.name.clone())
    }

    /// `com.example` in `com.example#Foo`.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// `Foo` in `com.example#Foo`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `bar` in `com.example#Foo$bar`.
    pub fn member(&self) -> Option<&str> {
        self.member.as_deref()
    }

    /// True for shapes of the `smithy.api` prelude.
    pub fn is_prelude(&self) -> bool {
        self.namespace == "smithy.api"
    }
}

impl fmt::Display for ShapeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.namespace, self.name)?;
        if let Some(member) = &self.member {
            write!(f, "${member}")?;
        }
        Ok(())
    }
}

/// A JSON number as written: kept as text so that no precision is lost.
#[derive(Clone, Debug, PartialEq)]
pub struct Number {
    text: String,
}

impl Number {
    /// Wraps the textual form of a valid JSON number.
    pub fn from_text(text: impl Into<String>) -> Self {
        Number { text: text.into() }
    }

    /// The number exactly as written.
    pub fn as_text(&self) -> &str {
        &self.text
    }

    /// The value as an `i64` when it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        self.text.parse().ok()
    }

    /// The value as an `f64` (may round).
    pub fn as_f64(&self) -> Option<f64> {
        self.text.parse().ok()
    }

    /// True when written without fraction or exponent.
    pub fn is_integer(&self) -> bool {
        !self.text.contains(['.', 'e', 'E'])
    }
}

/// A JSON value with the place it was written (trait values, metadata).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: NodeValue,
    /// Where the value starts.
    pub span: Span,
}

/// The JSON value of a [`Node`]. Object keys keep their written order.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeValue {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as written.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object; keys in written order, duplicates rejected by the loader.
    Object(Vec<(String, Node)>),
}

impl Node {
    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean value, if this is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            NodeValue::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The number, if this is a number.
    pub fn as_number(&self) -> Option<&Number> {
        match &self.value {
            NodeValue::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            NodeValue::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The entries, if this is an object.
    pub fn as_object(&self) -> Option<&[(String, Node)]> {
        match &self.value {
            NodeValue::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The value of `key`, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_object()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// The traits applied to a shape or member, keyed by absolute trait shape id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Traits {
    map: BTreeMap<ShapeId, Node>,
}

impl Traits {
    /// The value of a trait, by absolute id such as `smithy.api#required`.
    pub fn get(&self, id: &str) -> Option<&Node> {
        let (ns, name) = id.split_once('#')?;
        self.map.get(&ShapeId::new(ns, name))
    }

    /// True when the trait is present.
    pub fn has(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// Adds or replaces a trait.
    pub fn insert(&mut self, id: ShapeId, value: Node) {
        self.map.insert(id, value);
    }

    /// Removes a trait.
    pub fn remove(&mut self, id: &str) -> Option<Node> {
        let (ns, name) = id.split_once('#')?;
        self.map.remove(&ShapeId::new(ns, name))
    }

    /// All traits, ordered by id.
    pub fn iter(&self) -> impl Iterator<Item = (&ShapeId, &Node)> {
        self.map.iter()
    }

    /// Number of traits.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The `smithy.api#documentation` string.
    pub fn documentation(&self) -> Option<&str> {
        self.get("smithy.api#documentation")?.as_str()
    }
}

/// A member of an aggregate shape, enum, or int enum.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The member name as written (`identityProviderName`).
    pub name: String,
    /// The target shape (`smithy.api#Unit` for enum members).
    pub target: ShapeId,
    /// Traits on the member, including those inherited from mixins and applied by `apply`.
    pub traits: Traits,
    /// Where the member is defined.
    pub span: Span,
}

/// An operation's references.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// The input structure (`smithy.api#Unit` when absent).
    pub input: ShapeId,
    /// The output structure (`smithy.api#Unit` when absent).
    pub output: ShapeId,
    /// Errors in model order.
    pub errors: Vec<ShapeId>,
}

/// A resource's lifecycle operations, child operations and child resources.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Resource {
    /// Identifier name to target shape.
    pub identifiers: BTreeMap<String, ShapeId>,
    /// Property name to target shape.
    pub properties: BTreeMap<String, ShapeId>,
    /// `create`, `put`, `read`, `update`, `delete`, `list` in that order, when set.
    pub lifecycle: Vec<(String, ShapeId)>,
    /// `operations`.
    pub operations: Vec<ShapeId>,
    /// `collectionOperations`.
    pub collection_operations: Vec<ShapeId>,
    /// Child resources.
    pub resources: Vec<ShapeId>,
}

/// A service shape.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Service {
    /// The `version` property.
    pub version: String,
    /// Operations bound directly.
    pub operations: Vec<ShapeId>,
    /// Resources bound directly.
    pub resources: Vec<ShapeId>,
    /// Errors common to every operation.
    pub errors: Vec<ShapeId>,
    /// `rename`: shape id to the name it has in this service.
    pub rename: BTreeMap<ShapeId, String>,
}

/// What kind of shape, with its kind-specific parts.
///
/// Smithy 1.0 forms are already converted: `set` is a `List` with `smithy.api#uniqueItems`,
/// a string with the `smithy.api#enum` trait is an `Enum`.
#[derive(Clone, Debug, PartialEq)]
pub enum ShapeKind {
    /// `blob`
    Blob,
    /// `boolean`
    Boolean,
    /// `string`
    String,
    /// `byte`
    Byte,
    /// `short`
    Short,
    /// `integer`
    Integer,
    /// `long`
    Long,
    /// `float`
    Float,
    /// `double`
    Double,
    /// `bigInteger`
    BigInteger,
    /// `bigDecimal`
    BigDecimal,
    /// `timestamp`
    Timestamp,
    /// `document`
    Document,
    /// `enum`: members target `smithy.api#Unit`; the value is the `smithy.api#enumValue`
    /// trait (always set by the loader, defaulting to the member name).
    Enum(Vec<Member>),
    /// `intEnum`: members carry an integer `smithy.api#enumValue`.
    IntEnum(Vec<Member>),
    /// `list` (and 1.0 `set`).
    List(Member),
    /// `map`: key then value.
    Map(Member, Member),
    /// `structure`, members in model order (mixin members first).
    Structure(Vec<Member>),
    /// `union`, members in model order.
    Union(Vec<Member>),
    /// `service`
    Service(Service),
    /// `operation`
    Operation(Operation),
    /// `resource`
    Resource(Resource),
}

impl ShapeKind {
    /// The JSON AST type name (`structure`, `intEnum`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            ShapeKind::Blob => "blob",
            ShapeKind::Boolean => "boolean",
            ShapeKind::String => "string",
            ShapeKind::Byte => "byte",
            ShapeKind::Short => "short",
            ShapeKind::Integer => "integer",
            ShapeKind::Long => "long",
            ShapeKind::Float => "float",
            ShapeKind::Double => "double",
            ShapeKind::BigInteger => "bigInteger",
            ShapeKind::BigDecimal => "bigDecimal",
            ShapeKind::Timestamp => "timestamp",
            ShapeKind::Document => "document",
            ShapeKind::Enum(_) => "enum",
            ShapeKind::IntEnum(_) => "intEnum",
            ShapeKind::List(_) => "list",
            ShapeKind::Map(..) => "map",
            ShapeKind::Structure(_) => "structure",
            ShapeKind::Union(_) => "union",
            ShapeKind::Service(_) => "service",
            ShapeKind::Operation(_) => "operation",
            ShapeKind::Resource(_) => "resource",
        }
    }

    /// The members of enums, int enums, lists, maps, structures and unions, in order.
    pub fn members(&self) -> Vec<&Member> {
        match self {
            ShapeKind::Enum(m)
            | ShapeKind::IntEnum(m)
            | ShapeKind::Structure(m)
            | ShapeKind::Union(m) => m.iter().collect(),
            ShapeKind::List(m) => vec![m],
            ShapeKind::Map(k, v) => vec![k, v],
            _ => Vec::new(),
        }
    }
}

/// One shape of the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    /// Absolute id.
    pub id: ShapeId,
    /// Kind and kind-specific parts.
    pub kind: ShapeKind,
    /// Traits, including inherited mixin traits and `apply`d traits.
    pub traits: Traits,
    /// Where the shape is defined (`None` for prelude shapes).
    pub span: Option<Span>,
}

impl Shape {
    /// True for shapes marked `@mixin` (kept in the model, never generated).
    pub fn is_mixin(&self) -> bool {
        self.traits.has("smithy.api#mixin")
    }
}

/// A loaded, checked model: every shape of every input file plus the prelude.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Model {
    /// Shapes by id, in id order.
    pub shapes: BTreeMap<ShapeId, Shape>,
    /// Merged `metadata`.
    pub metadata: BTreeMap<String, Node>,
}

impl Model {
    /// A shape by id.
    pub fn shape(&self, id: &ShapeId) -> Option<&Shape> {
        self.shapes.get(id)
    }

    /// All service shapes, in id order.
    pub fn services(&self) -> impl Iterator<Item = &Shape> {
        self.shapes
            .values()
            .filter(|s| matches!(s.kind, ShapeKind::Service(_)))
    }
}
