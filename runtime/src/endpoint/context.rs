//! Endpoint parameters an operation binds from its own input and traits: the
//! `smithy.rules#contextParam` members, the `smithy.rules#staticContextParams` values and the
//! `smithy.rules#operationContextParams` paths, as the generated operation descriptor lists
//! them ([`OperationParams`]).
//!
//! Binding reads the input through a collecting [`ShapeSerializer`], so nothing here is
//! generic over the input type: one pass keeps the members the bindings name (strings,
//! booleans, and the lists, maps and structures on the way to them) and drops everything
//! else, then each path is evaluated over what was kept.
//!
//! Paths are the subset of JMESPath the Smithy rules engine allows: identifiers (`"quoted"`
//! too), sub-expressions (`a.b.c`), list and object wildcard projections (`a[*].b`,
//! `a.*.b`), multi-select lists (`a.[b, c]`), flattening (`a[]`) and the `keys(map)` function.
//! They are parsed and type-checked against the model by the generator
//! (`anvil-codegen`'s `ir/endpoint_params.rs`), which embeds each as a static [`PathExpr`]
//! tree: the runtime only evaluates trees, so it has no path syntax to refuse.

use std::collections::BTreeSet;
use std::fmt;

use super::{EndpointError, Params, Value};
use crate::codec::{SerializeStruct, ShapeSerializer};
use crate::schema::{Member, Schema};
use crate::{BigDecimal, BigInteger, Blob, DateTime, Document};

/// A `smithy.rules#staticContextParams` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaticParam {
    /// A boolean.
    Bool(bool),
    /// A string.
    String(&'static str),
    /// A list of strings.
    StringArray(&'static [&'static str]),
}

impl StaticParam {
    /// The parameter value.
    pub fn to_value(&self) -> Value {
        match self {
            StaticParam::Bool(b) => Value::Bool(*b),
            StaticParam::String(s) => Value::String((*s).to_owned()),
            StaticParam::StringArray(items) => {
                Value::StringArray(items.iter().map(|s| (*s).to_owned()).collect())
            }
        }
    }
}

/// The endpoint parameters an operation binds itself (a part of its static descriptor).
/// Each list is (rule-set parameter name, source).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OperationParams {
    /// `smithy.rules#contextParam`: the top-level input member (by model name) whose value
    /// the parameter takes.
    pub context: &'static [(&'static str, &'static str)],
    /// `smithy.rules#staticContextParams`: fixed values.
    pub static_params: &'static [(&'static str, StaticParam)],
    /// `smithy.rules#operationContextParams`: a path into the input (`Delete.Objects[*].Key`),
    /// as the generator parsed it.
    pub operation: &'static [(&'static str, PathExpr)],
}

impl OperationParams {
    /// No parameters: the operation's endpoint is the client's.
    pub const NONE: OperationParams = OperationParams {
        context: &[],
        static_params: &[],
        operation: &[],
    };

    /// Whether the operation binds no parameter (its endpoint can be cached per client).
    pub const fn is_empty(&self) -> bool {
        self.context.is_empty() && self.static_params.is_empty() && self.operation.is_empty()
    }

    /// Sets the parameters `input` (an instance of `input_schema`) gives in `params`, most
    /// specific last, so that it wins (the rules engine's order: static values, then context
    /// members, then operation paths, then whatever `params` already held: client context
    /// parameters and built-ins). An unset member or a path that selects nothing leaves the
    /// parameter as it was.
    ///
    /// Errors: a `@required` context member that is empty or only whitespace (clients must
    /// not send such a request).
    pub fn bind(
        &self,
        input_schema: &'static Schema,
        input: &dyn SerializeStruct,
        params: &mut Params,
    ) -> Result<(), EndpointError> {
        if !self.context.is_empty() || !self.operation.is_empty() {
            let mut names: BTreeSet<&str> = self.context.iter().map(|(_, m)| *m).collect();
            for (_, expr) in self.operation {
                expr.identifiers(&mut names);
            }
            let root = collect(input, &names);
            for (param, expr) in self.operation {
                if let Some(v) = to_value(&expr.eval(&root)) {
                    params.set(param, v);
                }
            }
            self.bind_context(input_schema, &root, params)?;
        }
        for (name, value) in self.static_params {
            params.set(name, value.to_value());
        }
        Ok(())
    }

    /// Sets the context members' parameters from `root` (what was collected of the input).
    fn bind_context(
        &self,
        input_schema: &'static Schema,
        root: &Tree,
        params: &mut Params,
    ) -> Result<(), EndpointError> {
        for (param, member) in self.context {
            let Some(value) = root.field(member).and_then(to_value) else {
                continue;
            };
            let required = input_schema
                .members
                .iter()
                .any(|m| m.name == *member && m.required);
            if required && matches!(&value, Value::String(s) if s.trim().is_empty()) {
                return Err(EndpointError::new(format!(
                    "`{member}` must not be empty: it selects the endpoint"
                )));
            }
            params.set(param, value);
        }
        Ok(())
    }
}

/// The `AWS::Auth::AccountIdEndpointMode` built-in: whether requests go to account-based
/// endpoints (DynamoDB's `<account>.ddb.<region>.amazonaws.com`) when the credentials carry an
/// account id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AccountIdEndpointMode {
    /// Use an account-based endpoint when an account id is known (the SDKs' default).
    #[default]
    Preferred,
    /// Never use account-based endpoints.
    Disabled,
    /// Always use account-based endpoints: resolution fails without an account id.
    Required,
}

impl AccountIdEndpointMode {
    /// The built-in's value: `preferred`, `disabled` or `required`.
    pub fn as_str(&self) -> &'static str {
        match self {
            AccountIdEndpointMode::Preferred => "preferred",
            AccountIdEndpointMode::Disabled => "disabled",
            AccountIdEndpointMode::Required => "required",
        }
    }
}

impl std::str::FromStr for AccountIdEndpointMode {
    type Err = EndpointError;

    /// `preferred`, `disabled` or `required` (any case, surrounding spaces ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "preferred" => Ok(AccountIdEndpointMode::Preferred),
            "disabled" => Ok(AccountIdEndpointMode::Disabled),
            "required" => Ok(AccountIdEndpointMode::Required),
            _ => Err(EndpointError::new(format!(
                "invalid account id endpoint mode {s:?}: expected preferred, disabled or required"
            ))),
        }
    }
}

impl fmt::Display for AccountIdEndpointMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the collector kept of the input: JSON-like, with structures and maps both objects.
#[derive(Clone, Debug, PartialEq)]
enum Tree {
    Null,
    Bool(bool),
    Str(String),
    List(Vec<Tree>),
    Object(Vec<(String, Tree)>),
}

impl Tree {
    fn field(&self, name: &str) -> Option<&Tree> {
        match self {
            Tree::Object(entries) => entries.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A parameter value from an evaluated path: strings, booleans, and lists of strings (other
/// items are left out); anything else is unset.
fn to_value(tree: &Tree) -> Option<Value> {
    match tree {
        Tree::Str(s) => Some(Value::String(s.clone())),
        Tree::Bool(b) => Some(Value::Bool(*b)),
        Tree::List(items) => Some(Value::StringArray(
            items
                .iter()
                .filter_map(|i| match i {
                    Tree::Str(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
        )),
        Tree::Null | Tree::Object(_) => None,
    }
}

/// Reads `input` into a [`Tree`], keeping only structure members named in `names`.
fn collect(input: &dyn SerializeStruct, names: &BTreeSet<&str>) -> Tree {
    let mut c = Collector {
        names,
        frame: Frame::Struct(Vec::new()),
    };
    input.serialize_members(&mut c);
    c.finish()
}

enum Frame {
    Struct(Vec<(String, Tree)>),
    List(Vec<Tree>),
    Map {
        entries: Vec<(String, Tree)>,
        key: Option<String>,
    },
}

struct Collector<'n> {
    names: &'n BTreeSet<&'n str>,
    frame: Frame,
}

impl<'n> Collector<'n> {
    fn nested(&self, frame: Frame) -> Collector<'n> {
        Collector {
            names: self.names,
            frame,
        }
    }

    /// Whether a value written as `member` is kept: structure members by name, every list
    /// item and map value.
    fn wants(&self, member: &Member) -> bool {
        match self.frame {
            Frame::Struct(_) => self.names.contains(member.name),
            _ => true,
        }
    }

    fn put(&mut self, member: &Member, value: Tree) {
        match &mut self.frame {
            Frame::Struct(fields) => {
                if self.names.contains(member.name) {
                    fields.push((member.name.to_owned(), value));
                }
            }
            Frame::List(items) => items.push(value),
            Frame::Map { entries, key } => {
                if let Some(k) = key.take() {
                    entries.push((k, value));
                }
            }
        }
    }

    fn finish(self) -> Tree {
        match self.frame {
            Frame::Struct(fields) => Tree::Object(fields),
            Frame::List(items) => Tree::List(items),
            Frame::Map { entries, .. } => Tree::Object(entries),
        }
    }
}

impl ShapeSerializer for Collector<'_> {
    fn write_struct(&mut self, member: &Member, value: &dyn SerializeStruct) {
        if !self.wants(member) {
            return;
        }
        let mut c = self.nested(Frame::Struct(Vec::new()));
        value.serialize_members(&mut c);
        let tree = c.finish();
        self.put(member, tree);
    }
    fn write_list(
        &mut self,
        member: &Member,
        len: usize,
        items: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        if !self.wants(member) {
            return;
        }
        let mut c = self.nested(Frame::List(Vec::with_capacity(len.min(1024))));
        items(&mut c);
        let tree = c.finish();
        self.put(member, tree);
    }
    fn write_map(
        &mut self,
        member: &Member,
        len: usize,
        entries: &mut dyn FnMut(&mut dyn ShapeSerializer),
    ) {
        if !self.wants(member) {
            return;
        }
        let mut c = self.nested(Frame::Map {
            entries: Vec::with_capacity(len.min(1024)),
            key: None,
        });
        entries(&mut c);
        let tree = c.finish();
        self.put(member, tree);
    }
    fn write_key(&mut self, key: &str) {
        if let Frame::Map { key: k, .. } = &mut self.frame {
            *k = Some(key.to_owned());
        }
    }
    fn write_bool(&mut self, member: &Member, value: bool) {
        self.put(member, Tree::Bool(value));
    }
    fn write_string(&mut self, member: &Member, value: &str) {
        if self.wants(member) {
            self.put(member, Tree::Str(value.to_owned()));
        }
    }
    // Values no endpoint parameter can take are kept as nulls (list positions matter to
    // nothing here, but a kept member that is not a string must not read as unset later).
    fn write_integer(&mut self, member: &Member, _: i64) {
        self.put(member, Tree::Null);
    }
    fn write_float(&mut self, member: &Member, _: f32) {
        self.put(member, Tree::Null);
    }
    fn write_double(&mut self, member: &Member, _: f64) {
        self.put(member, Tree::Null);
    }
    fn write_big_integer(&mut self, member: &Member, _: &BigInteger) {
        self.put(member, Tree::Null);
    }
    fn write_big_decimal(&mut self, member: &Member, _: &BigDecimal) {
        self.put(member, Tree::Null);
    }
    fn write_blob(&mut self, member: &Member, _: &Blob) {
        self.put(member, Tree::Null);
    }
    fn write_timestamp(&mut self, member: &Member, _: &DateTime) {
        self.put(member, Tree::Null);
    }
    fn write_document(&mut self, member: &Member, _: &Document) {
        self.put(member, Tree::Null);
    }
    fn write_null(&mut self, member: &Member) {
        self.put(member, Tree::Null);
    }
}

/// A `smithy.rules#operationContextParams` path, parsed and type-checked by the generator
/// and embedded in the operation's descriptor as a static tree (the runtime has no parser).
///
/// The variants are the JMESPath subset the Smithy rules engine allows; `Delete.Objects[*].Key`
/// is `Project(&Sub(&Field("Delete"), &Field("Objects")), &Field("Key"))`. Evaluation follows
/// JMESPath: a missing member selects nothing, and a projection leaves out the items its right
/// side selects nothing from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathExpr {
    /// `@`: the current value (the right side of a projection with nothing after it).
    Identity,
    /// `name` (or `"name"`): a structure member or map entry.
    Field(&'static str),
    /// `left.right`: `right` over what `left` selects.
    Sub(&'static PathExpr, &'static PathExpr),
    /// `left[*] right` (and `left[] right`, with a flattened left): `right` over each item of
    /// a list.
    Project(&'static PathExpr, &'static PathExpr),
    /// `left.* right`: `right` over each value of a map or structure.
    ValueProject(&'static PathExpr, &'static PathExpr),
    /// `left[]`: one level of nested lists merged.
    Flatten(&'static PathExpr),
    /// `[a, b]`: a list of what each expression selects.
    MultiList(&'static [PathExpr]),
    /// `keys(map)`: the keys of a map.
    Keys(&'static PathExpr),
}

impl PathExpr {
    /// Adds every identifier the path reads.
    fn identifiers(&self, out: &mut BTreeSet<&'static str>) {
        match *self {
            PathExpr::Identity => {}
            PathExpr::Field(name) => {
                out.insert(name);
            }
            PathExpr::Sub(a, b) | PathExpr::Project(a, b) | PathExpr::ValueProject(a, b) => {
                a.identifiers(out);
                b.identifiers(out);
            }
            PathExpr::Flatten(a) | PathExpr::Keys(a) => a.identifiers(out),
            PathExpr::MultiList(items) => items.iter().for_each(|i| i.identifiers(out)),
        }
    }

    fn eval(&self, v: &Tree) -> Tree {
        match *self {
            PathExpr::Identity => v.clone(),
            PathExpr::Field(name) => v.field(name).cloned().unwrap_or(Tree::Null),
            PathExpr::Sub(a, b) => match a.eval(v) {
                Tree::Null => Tree::Null,
                left => b.eval(&left),
            },
            PathExpr::Project(a, rhs) => match a.eval(v) {
                Tree::List(items) => Tree::List(project(items.iter(), rhs)),
                _ => Tree::Null,
            },
            PathExpr::ValueProject(a, rhs) => match a.eval(v) {
                Tree::Object(entries) => Tree::List(project(entries.iter().map(|(_, v)| v), rhs)),
                _ => Tree::Null,
            },
            PathExpr::Flatten(a) => match a.eval(v) {
                Tree::List(items) => Tree::List(flatten(items)),
                _ => Tree::Null,
            },
            PathExpr::MultiList(items) => match v {
                Tree::Null => Tree::Null,
                _ => Tree::List(items.iter().map(|e| e.eval(v)).collect()),
            },
            PathExpr::Keys(a) => match a.eval(v) {
                Tree::Object(entries) => {
                    Tree::List(entries.into_iter().map(|(k, _)| Tree::Str(k)).collect())
                }
                _ => Tree::Null,
            },
        }
    }
}

/// `rhs` over each item, nulls left out (JMESPath projection).
fn project<'t>(items: impl Iterator<Item = &'t Tree>, rhs: &PathExpr) -> Vec<Tree> {
    items
        .map(|item| rhs.eval(item))
        .filter(|t| *t != Tree::Null)
        .collect()
}

/// The items, each list among them replaced by its own items.
fn flatten(items: Vec<Tree>) -> Vec<Tree> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Tree::List(inner) => out.extend(inner),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Tree {
        Tree::Str(v.to_owned())
    }

    fn obj(entries: &[(&str, Tree)]) -> Tree {
        Tree::Object(
            entries
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    use PathExpr::{Field, Flatten, Identity, Keys, MultiList, Project, Sub, ValueProject};

    /// `D.Objects[*].Key`, as the generator parses it (and so for the other paths).
    const OBJECT_KEYS: PathExpr = Sub(&Field("D"), &Project(&Field("Objects"), &Field("Key")));
    /// `Items[*].[Put.T, Delete.T]`
    const PUT_AND_DELETE: PathExpr = Project(
        &Field("Items"),
        &MultiList(&[
            Sub(&Field("Put"), &Field("T")),
            Sub(&Field("Delete"), &Field("T")),
        ]),
    );

    #[test]
    fn fields_projections_keys_and_flattening() {
        let items = Tree::List(vec![
            obj(&[("Put", obj(&[("T", s("a"))]))]),
            obj(&[("Delete", obj(&[("T", s("b"))]))]),
            obj(&[("Other", s("x"))]),
        ]);
        let root = obj(&[
            ("Items", items),
            ("Map", obj(&[("k1", Tree::Null), ("k2", s("v"))])),
            (
                "D",
                obj(&[(
                    "Objects",
                    Tree::List(vec![obj(&[("Key", s("x"))]), obj(&[])]),
                )]),
            ),
        ]);
        assert_eq!(OBJECT_KEYS.eval(&root), Tree::List(vec![s("x")]));
        assert_eq!(
            Keys(&Field("Map")).eval(&root),
            Tree::List(vec![s("k1"), s("k2")])
        );
        // `Map.*`
        assert_eq!(
            ValueProject(&Field("Map"), &Identity).eval(&root),
            Tree::List(vec![s("v")])
        );
        // `Items[*].[Put.T, Delete.T][]`
        assert_eq!(
            Project(&Flatten(&PUT_AND_DELETE), &Identity).eval(&root),
            Tree::List(vec![s("a"), s("b")])
        );
        assert_eq!(
            PUT_AND_DELETE.eval(&root),
            Tree::List(vec![
                Tree::List(vec![s("a"), Tree::Null]),
                Tree::List(vec![Tree::Null, s("b")]),
                Tree::List(vec![Tree::Null, Tree::Null]),
            ])
        );
        // `Items[*].Put.T`
        assert_eq!(
            Project(&Field("Items"), &Sub(&Field("Put"), &Field("T"))).eval(&root),
            Tree::List(vec![s("a")])
        );
        // `"D".Objects[].Key`
        assert_eq!(
            Project(
                &Flatten(&Sub(&Field("D"), &Field("Objects"))),
                &Field("Key")
            )
            .eval(&root),
            Tree::List(vec![s("x")])
        );
        // `Missing.Key`, `D[*]`
        assert_eq!(
            Sub(&Field("Missing"), &Field("Key")).eval(&root),
            Tree::Null
        );
        assert_eq!(Project(&Field("D"), &Identity).eval(&root), Tree::Null);
    }

    #[test]
    fn identifiers_are_every_field_a_path_reads() {
        let mut names = BTreeSet::new();
        Project(&Flatten(&PUT_AND_DELETE), &Identity).identifiers(&mut names);
        OBJECT_KEYS.identifiers(&mut names);
        let names: Vec<&str> = names.into_iter().collect();
        assert_eq!(
            names,
            ["D", "Delete", "Items", "Key", "Objects", "Put", "T"]
        );
    }

    #[test]
    fn values_are_strings_booleans_and_lists_of_strings() {
        assert_eq!(to_value(&s("a")), Some(Value::String("a".to_owned())));
        assert_eq!(to_value(&Tree::Bool(true)), Some(Value::Bool(true)));
        assert_eq!(
            to_value(&Tree::List(vec![s("a"), Tree::Null, Tree::Bool(false)])),
            Some(Value::StringArray(vec!["a".to_owned()]))
        );
        assert_eq!(to_value(&Tree::Null), None);
        assert_eq!(to_value(&obj(&[])), None);
    }

    mod binding {
        use std::collections::BTreeMap;

        use super::super::*;
        use crate::codec::SerializeShape;
        use crate::schema::prelude;

        static STRINGS: Schema = Schema::list(
            "t#Strings",
            "Strings",
            &[Member::new("member", 0, &prelude::STRING)],
        );
        static ITEMS: Schema = Schema::map(
            "t#Items",
            "Items",
            &[
                Member::new("key", 0, &prelude::STRING),
                Member::new("value", 1, &STRINGS),
            ],
        );
        static MEMBERS: [Member; 2] = [
            Member::new("TableName", 0, &prelude::STRING).required(),
            Member::new("Items", 1, &ITEMS),
        ];
        static INPUT: Schema = Schema::structure("t#Input", "Input", &MEMBERS);

        struct Input(&'static str, BTreeMap<String, Vec<String>>);

        impl SerializeStruct for Input {
            fn serialize_members(&self, s: &mut dyn ShapeSerializer) {
                s.write_string(&MEMBERS[0], self.0);
                self.1.serialize(s, &MEMBERS[1]);
            }
        }

        /// `keys(Items)` and `Items.*[]`.
        const PARAMS: OperationParams = OperationParams {
            context: &[("Table", "TableName")],
            static_params: &[("Static", StaticParam::Bool(true))],
            operation: &[
                ("Keys", PathExpr::Keys(&PathExpr::Field("Items"))),
                (
                    "Values",
                    PathExpr::Project(
                        &PathExpr::Flatten(&PathExpr::ValueProject(
                            &PathExpr::Field("Items"),
                            &PathExpr::Identity,
                        )),
                        &PathExpr::Identity,
                    ),
                ),
            ],
        };

        fn bind(input: &Input) -> Result<Params, EndpointError> {
            let mut params = Params::new();
            PARAMS.bind(&INPUT, input, &mut params)?;
            Ok(params)
        }

        #[test]
        fn members_paths_and_static_values_are_bound() {
            let items = BTreeMap::from([
                ("k1".to_owned(), vec!["a".to_owned(), "b".to_owned()]),
                ("k2".to_owned(), vec!["c".to_owned()]),
            ]);
            let params = bind(&Input("t1", items)).unwrap();
            let strings =
                |v: &[&str]| Value::StringArray(v.iter().map(|s| (*s).to_owned()).collect());
            assert_eq!(params.get("Table"), Some(&Value::String("t1".to_owned())));
            assert_eq!(params.get("Keys"), Some(&strings(&["k1", "k2"])));
            assert_eq!(params.get("Values"), Some(&strings(&["a", "b", "c"])));
            assert_eq!(params.get("Static"), Some(&Value::Bool(true)));
        }

        #[test]
        fn a_blank_required_member_is_refused() {
            let err = bind(&Input("  ", BTreeMap::new())).unwrap_err();
            assert!(err.message().contains("must not be empty"), "{err:?}");
        }
    }

    #[test]
    fn account_id_endpoint_modes() {
        assert_eq!(
            " Required ".parse::<AccountIdEndpointMode>().unwrap(),
            AccountIdEndpointMode::Required
        );
        assert!("sometimes".parse::<AccountIdEndpointMode>().is_err());
        assert_eq!(AccountIdEndpointMode::default().as_str(), "preferred");
    }
}
