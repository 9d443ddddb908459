//! Model → IR: walks each service's closure and decides names, types and bindings.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Diagnostic;
use crate::model::{Member, Model, Node, NodeValue, Shape, ShapeId, ShapeKind, Traits};
use crate::{docs, naming, pattern};

use super::{
    Binding, Constraints, EnumDef, EnumValueIr, ErrorInfo, ErrorRef, EventBindingIr, EventErrorIr,
    EventStreamIr, HttpChecksumIr, HttpIr, Kind, MemberIr, OperationIr, PaginationIr, PathSegment,
    PatternIr, Protocol, ServiceIr, StructDef, TimestampFormat, TypeDef, TypeRef, UnionDef,
    VariantIr, WaiterIr, WireNames, recursion,
};

const UNIT: (&str, &str) = ("smithy.api", "Unit");

/// Client methods that generated operation methods must not shadow.
const RESERVED_CLIENT_METHODS: &[&str] = &["new", "from_env", "config", "handle", "clone", "fmt"];

/// What to generate: all services and operations unless narrowed (names are shape names, after
/// the service's `rename`, or absolute shape ids).
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Only these services.
    pub services: Option<Vec<String>>,
    /// Only these operations (and the shapes they reach).
    pub operations: Option<Vec<String>>,
}

/// Builds the IR of every service in `model`, restricted to `only_services` when given (by
/// shape name or absolute id). Returns the services and the diagnostics found on the way
/// (name collisions, unusable patterns, unsupported constructs).
pub fn build(model: &Model, selection: &Selection) -> (Vec<ServiceIr>, Vec<Diagnostic>) {
    let only_services = selection.services.as_deref();
    let mut diagnostics = Vec::new();
    let mut services: Vec<ServiceIr> = Vec::new();
    for shape in model.services() {
        if let Some(only) = only_services {
            let id = shape.id.to_string();
            if !only.iter().any(|s| *s == id || s == shape.id.name()) {
                continue;
            }
        }
        let mut builder = ServiceBuilder::new(model, shape, &mut diagnostics);
        builder.only_operations = selection.operations.clone();
        let service = builder.build();
        builder.report_unchecked_patterns();
        if let Some(service) = service {
            services.push(service);
        }
    }
    let mut seen: BTreeMap<String, ShapeId> = BTreeMap::new();
    for service in &services {
        if let Some(other) = seen.insert(service.module.clone(), service.id.clone()) {
            let span = model.shape(&service.id).and_then(|s| s.span.as_ref());
            diagnostics.push(
                Diagnostic::error(format!(
                    "services `{other}` and `{}` would both generate the module `{}`",
                    service.id, service.module
                ))
                .at_opt(span)
                .shape(&service.id)
                .help("give one of them a different `sdkId` in its `aws.api#service` trait"),
            );
        }
    }
    services.sort_by(|a, b| a.module.cmp(&b.module));
    (services, diagnostics)
}

/// A pattern that is not checked, and where it is used.
struct UncheckedPattern {
    reason: String,
    /// The shapes (or members) the pattern is written on, located.
    written_on: BTreeSet<(String, Option<crate::diagnostic::Span>)>,
    /// The members (or shapes) whose values it constrains.
    members: BTreeSet<String>,
}

struct ServiceBuilder<'a> {
    model: &'a Model,
    service: &'a Shape,
    rename: BTreeMap<ShapeId, String>,
    diagnostics: &'a mut Vec<Diagnostic>,
    /// Rust type name of each generated shape.
    names: BTreeMap<ShapeId, String>,
    patterns: BTreeMap<PatternIr, usize>,
    /// Patterns no engine accepts: the reason and every (member, span) using each.
    unchecked_patterns: BTreeMap<String, UncheckedPattern>,
    /// Shapes reachable from operation inputs / outputs+errors.
    input_shapes: BTreeSet<ShapeId>,
    output_shapes: BTreeSet<ShapeId>,
    /// Shapes reachable from the output of an operation with a waiter that reads it (they
    /// get serializers, for the waiter's paths).
    waiter_shapes: BTreeSet<ShapeId>,
    /// Each operation's checked waiters.
    waiters: BTreeMap<ShapeId, Vec<WaiterIr>>,
    /// Waiter names taken so far (lowercased): the name as written and its operation.
    waiter_names: BTreeMap<String, (String, String)>,
    only_operations: Option<Vec<String>>,
}

impl<'a> ServiceBuilder<'a> {
    fn new(model: &'a Model, service: &'a Shape, diagnostics: &'a mut Vec<Diagnostic>) -> Self {
        let rename = match &service.kind {
            ShapeKind::Service(s) => s.rename.clone(),
            _ => BTreeMap::new(),
        };
        ServiceBuilder {
            model,
            service,
            rename,
            diagnostics,
            names: BTreeMap::new(),
            patterns: BTreeMap::new(),
            unchecked_patterns: BTreeMap::new(),
            input_shapes: BTreeSet::new(),
            output_shapes: BTreeSet::new(),
            waiter_shapes: BTreeSet::new(),
            waiters: BTreeMap::new(),
            waiter_names: BTreeMap::new(),
            only_operations: None,
        }
    }

    fn build(&mut self) -> Option<ServiceIr> {
        let ShapeKind::Service(svc) = &self.service.kind else {
            return None;
        };
        let traits = &self.service.traits;
        let aws_service = traits.get("aws.api#service");
        let sdk_id = aws_service
            .and_then(|n| n.get("sdkId"))
            .and_then(Node::as_str)
            .unwrap_or(self.service.id.name())
            .to_string();
        let module = module_for(&sdk_id);
        let signing_name = traits
            .get("aws.auth#sigv4")
            .and_then(|n| n.get("name"))
            .and_then(Node::as_str)
            .map(str::to_string);
        let endpoint_prefix = aws_service
            .and_then(|n| n.get("endpointPrefix"))
            .and_then(Node::as_str)
            .map(str::to_string)
            .or_else(|| signing_name.clone())
            .unwrap_or_else(|| module.clone());
        let env_name = sdk_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        let endpoint_rules = traits.get("smithy.rules#endpointRuleSet").map(node_to_json);

        // The operation closure: direct operations, then those reached through resources.
        let mut operation_ids = BTreeSet::new();
        for op in &svc.operations {
            operation_ids.insert(op.clone());
        }
        let mut resource_stack: Vec<ShapeId> = svc.resources.clone();
        let mut seen_resources = BTreeSet::new();
        while let Some(rid) = resource_stack.pop() {
            if !seen_resources.insert(rid.clone()) {
                continue;
            }
            if let Some(ShapeKind::Resource(r)) = self.model.shape(&rid).map(|s| &s.kind) {
                for (_, op) in &r.lifecycle {
                    operation_ids.insert(op.clone());
                }
                operation_ids.extend(r.operations.iter().cloned());
                operation_ids.extend(r.collection_operations.iter().cloned());
                resource_stack.extend(r.resources.iter().cloned());
            }
        }

        if let Some(only) = self.only_operations.clone() {
            let name_of = |id: &ShapeId| {
                self.rename
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| id.name().to_string())
            };
            for wanted in &only {
                if !operation_ids
                    .iter()
                    .any(|id| name_of(id) == *wanted || id.to_string() == *wanted)
                {
                    let known: Vec<String> = operation_ids.iter().map(&name_of).collect();
                    self.diagnostics.push(
                        Diagnostic::error(format!(
                            "operation `{wanted}` was selected but service `{}` has no such operation",
                            self.service.id
                        ))
                        .at_opt(self.service.span.as_ref())
                        .shape(&self.service.id)
                        .help(format!("the service's operations are: {}", known.join(", "))),
                    );
                }
            }
            operation_ids.retain(|id| {
                only.iter()
                    .any(|w| *w == name_of(id) || *w == id.to_string())
            });
        }

        // Shape closure, split into input-side and output-side reachability.
        for op_id in &operation_ids {
            let Some(ShapeKind::Operation(op)) = self.model.shape(op_id).map(|s| &s.kind) else {
                continue;
            };
            self.reach(&op.input, true);
            self.reach(&op.output, false);
            for e in op.errors.iter().chain(svc.errors.iter()) {
                self.reach(e, false);
            }
            self.find_waiters(op_id, &op.output);
        }
        self.assign_type_names();

        let mut types = BTreeMap::new();
        let all: BTreeSet<ShapeId> = self
            .input_shapes
            .union(&self.output_shapes)
            .cloned()
            .collect();
        for id in &all {
            if let Some(def) = self.type_def(id) {
                types.insert(def.name().to_string(), def);
            }
        }
        self.optional_input_defaults(&operation_ids, &mut types);
        recursion::box_cycles(&mut types);
        if let Some(deep) = recursion::too_deep(&types) {
            self.too_deep(&types, &deep);
        }

        let mut operations = Vec::new();
        for op_id in &operation_ids {
            if let Some(op) = self.operation(op_id, &svc.errors) {
                operations.push(op);
            }
        }
        operations.sort_by(|a, b| a.method.cmp(&b.method));
        receivers_error_types(&operations, &mut types);
        self.check_operation_names(&operations);
        let (protocol, protocols) = protocols_of(traits);
        self.unsupported_operations(&protocol, &mut operations);
        self.sigv4a_input_streams(endpoint_rules.as_deref(), &types, &mut operations);
        for op in &mut operations {
            op.pagination = self.pagination(op, &types);
            if op.http2 {
                let note = "**HTTP/2:** the service takes this operation's event streams over \
                            HTTP/2 only: the default transport needs `anvil-runtime`'s `http2` \
                            cargo feature (without it the call fails before anything is sent).";
                prepend_doc(op, note);
            }
        }

        let mut patterns: Vec<(usize, PatternIr)> =
            self.patterns.iter().map(|(p, i)| (*i, p.clone())).collect();
        patterns.sort_by_key(|(i, _)| *i);

        Some(ServiceIr {
            id: self.service.id.clone(),
            module,
            docs: doc_of(traits),
            sdk_id,
            signing_name,
            endpoint_prefix,
            env_name,
            api_version: svc.version.clone(),
            endpoint_rules,
            protocol,
            protocols,
            shape_name: self.service.id.name().to_string(),
            query_compatible: traits.has("aws.protocols#awsQueryCompatible"),
            client_context_params: super::endpoint_params::client_context_params(
                self.service,
                self.diagnostics,
            ),
            xml_namespace: wire_names(traits).xml_namespace,
            operations,
            types,
            patterns: patterns.into_iter().map(|(_, p)| p).collect(),
        })
    }

    /// Says at build time what the generated client cannot call yet, once per service: every
    /// operation of a service whose protocols are all unsupported. Each such operation's docs
    /// say so too.
    fn unsupported_operations(&mut self, protocol: &Protocol, operations: &mut [OperationIr]) {
        let note = |what: &str| {
            format!("**Not supported yet:** {what}; calling this operation returns an error.")
        };
        if !protocol.in_runtime() {
            let what = match protocol.id() {
                "" => "the service declares no protocol".to_string(),
                id => format!("anvil does not speak the protocol `{id}` yet"),
            };
            for op in operations.iter_mut() {
                prepend_doc(op, &note(&what));
            }
            self.diagnostics.push(
                Diagnostic::warning(format!(
                    "{what}: the {} operations of this client return an error when called",
                    operations.len()
                ))
                .at_opt(self.service.span.as_ref())
                .shape(&self.service.id),
            );
        }
    }

    /// Says at build time that an input event stream cannot be sent where the endpoint rules
    /// choose SigV4a, which has no message-signing form in anvil: such a call returns an error
    /// before anything is sent. One warning per service; each such operation's docs say so.
    fn sigv4a_input_streams(
        &mut self,
        endpoint_rules: Option<&str>,
        types: &BTreeMap<String, TypeDef>,
        operations: &mut [OperationIr],
    ) {
        if !endpoint_rules.is_some_and(|r| r.contains("\"sigv4a\"")) {
            return;
        }
        let mut names = Vec::new();
        for op in operations.iter_mut() {
            let Some(TypeDef::Struct(input)) = op.input.as_ref().and_then(|i| types.get(i)) else {
                continue;
            };
            if !input.members.iter().any(|m| m.event_stream.is_some()) {
                continue;
            }
            let note = "**Not supported yet:** where the endpoint rules choose SigV4a, this \
                        operation's input event stream cannot be signed and the call returns an \
                        error before anything is sent.";
            prepend_doc(op, note);
            names.push(op.name.clone());
        }
        if !names.is_empty() {
            self.diagnostics.push(
                Diagnostic::warning(format!(
                    "the endpoint rules may choose SigV4a, which cannot sign input event streams \
                     yet: {} {} an error at such endpoints",
                    names.join(", "),
                    if names.len() == 1 {
                        "returns"
                    } else {
                        "return"
                    }
                ))
                .at_opt(self.service.span.as_ref())
                .shape(&self.service.id),
            );
        }
    }

    /// Top-level input members with a `@default` become optional: a caller who leaves one unset
    /// sends nothing and the service applies its default, while a value set explicitly (even
    /// the default value) is sent. Only for structures that are nothing but an operation's
    /// input (not nested in another shape, not an output); elsewhere defaults fill values in.
    fn optional_input_defaults(
        &self,
        operation_ids: &BTreeSet<ShapeId>,
        types: &mut BTreeMap<String, TypeDef>,
    ) {
        fn nested<'t>(ty: &'t TypeRef, out: &mut BTreeSet<&'t str>) {
            match &ty.kind {
                Kind::Struct(n) => {
                    out.insert(n);
                }
                Kind::List { member, .. } => nested(member, out),
                Kind::Map { value, .. } => nested(value, out),
                _ => {}
            }
        }
        let mut referenced: BTreeSet<&str> = BTreeSet::new();
        for def in types.values() {
            match def {
                TypeDef::Struct(s) => s
                    .members
                    .iter()
                    .for_each(|m| nested(&m.ty, &mut referenced)),
                TypeDef::Union(u) => u
                    .variants
                    .iter()
                    .filter_map(|v| v.ty.as_ref())
                    .for_each(|t| nested(t, &mut referenced)),
                _ => {}
            }
        }
        let inputs: BTreeSet<String> = operation_ids
            .iter()
            .filter_map(|id| match self.model.shape(id).map(|s| &s.kind) {
                Some(ShapeKind::Operation(op)) => self.names.get(&op.input).cloned(),
                _ => None,
            })
            .filter(|name| !referenced.contains(name.as_str()))
            .collect();
        for name in inputs {
            if let Some(TypeDef::Struct(s)) = types.get_mut(&name) {
                if s.in_output || s.error.is_some() {
                    continue;
                }
                for m in &mut s.members {
                    if !m.required {
                        m.default = None;
                    }
                }
            }
        }
    }

    /// Reports a chain of types nested too deeply for rustc to compile.
    fn too_deep(&mut self, types: &BTreeMap<String, TypeDef>, deep: &recursion::TooDeep) {
        let ids: Vec<&ShapeId> = deep
            .chain
            .iter()
            .filter_map(|n| types.get(n).map(TypeDef::id))
            .collect();
        let Some(head) = ids.first() else { return };
        let shown: Vec<String> = if ids.len() > 6 {
            let mut v: Vec<String> = ids[..3].iter().map(|i| i.to_string()).collect();
            v.push(format!("… {} more …", ids.len() - 6));
            v.extend(ids[ids.len() - 3..].iter().map(|i| i.to_string()));
            v
        } else {
            ids.iter().map(|i| i.to_string()).collect()
        };
        let span = self.model.shape(head).and_then(|s| s.span.as_ref());
        self.diagnostics.push(
            Diagnostic::error(format!(
                "`{head}` nests {} structures and unions inside one another ({}); the generated \
                 Rust types would be too deep for rustc's drop check, which fails with E0320 \
                 beyond about 64 levels",
                ids.len(),
                shown.join(" → ")
            ))
            .at_opt(span)
            .shape(head)
            .help(format!(
                "flatten the model: keep the nesting cost under {} (a structure or union \
                 counts 2, a list or map layer 1; this chain costs {}), or carry the deep \
                 part as a `document`",
                recursion::MAX_NESTING,
                deep.depth
            )),
        );
    }

    /// Marks `id` and everything it reaches as input-side or output-side.
    fn reach(&mut self, id: &ShapeId, input: bool) {
        let set = if input {
            &mut self.input_shapes
        } else {
            &mut self.output_shapes
        };
        reach_into(self.model, set, id);
    }

    /// Waiter names are unique in the service, case-insensitively (the specification's
    /// rule): a later one with a name already taken is reported and left out.
    fn unique_waiter_names(&mut self, op: &Shape, waiters: &mut Vec<WaiterIr>) {
        let taken = &mut self.waiter_names;
        let diagnostics = &mut *self.diagnostics;
        waiters.retain(|w| match taken.get(&w.name.to_ascii_lowercase()) {
            Some((first, owner)) => {
                diagnostics.push(
                    Diagnostic::warning(format!(
                        "waiter `{}` has the name of `{first}` of {owner} (waiter names are \
                         unique in a service, ignoring case); the waiter is not generated",
                        w.name
                    ))
                    .at_opt(op.span.as_ref())
                    .shape(&op.id),
                );
                false
            }
            None => {
                taken.insert(
                    w.name.to_ascii_lowercase(),
                    (w.name.clone(), op.id.to_string()),
                );
                true
            }
        });
    }

    /// Checks the waiters of operation `op_id` (event-stream operations have none) and marks
    /// what their paths read.
    fn find_waiters(&mut self, op_id: &ShapeId, output: &ShapeId) {
        let Some(shape) = self.model.shape(op_id) else {
            return;
        };
        let has_output = *output != ShapeId::new(UNIT.0, UNIT.1);
        let mut waiters = super::waiters::waiters(shape, has_output, self.diagnostics);
        self.unique_waiter_names(shape, &mut waiters);
        if waiters.iter().any(WaiterIr::reads_output) {
            reach_into(self.model, &mut self.waiter_shapes, output);
        }
        if !waiters.is_empty() {
            self.waiters.insert(op_id.clone(), waiters);
        }
    }

    /// Gives every generated shape a Rust type name; collisions are errors.
    fn assign_type_names(&mut self) {
        let ids: BTreeSet<ShapeId> = self
            .input_shapes
            .union(&self.output_shapes)
            .cloned()
            .collect();
        let mut by_key: BTreeMap<String, ShapeId> = BTreeMap::new();
        for id in ids {
            let Some(shape) = self.model.shape(&id) else {
                continue;
            };
            if !matches!(
                shape.kind,
                ShapeKind::Structure(_)
                    | ShapeKind::Union(_)
                    | ShapeKind::Enum(_)
                    | ShapeKind::IntEnum(_)
            ) {
                continue;
            }
            let smithy_name = self
                .rename
                .get(&id)
                .cloned()
                .unwrap_or_else(|| id.name().to_string());
            let name = naming::type_name(&smithy_name);
            let key = naming::collision_key(&name);
            if let Some(other) = by_key.get(&key) {
                self.diagnostics.push(
                    Diagnostic::error(format!(
                        "shapes `{other}` and `{id}` would both be generated as the Rust type `{name}` in service `{}`",
                        self.service.id
                    ))
                    .at_opt(shape.span.as_ref())
                    .shape(&id)
                    .help(format!(
                        "add a `rename` entry for one of them to the service shape `{}`",
                        self.service.id
                    )),
                );
                continue;
            }
            by_key.insert(key, id.clone());
            self.names.insert(id, name);
        }
    }

    fn type_def(&mut self, id: &ShapeId) -> Option<TypeDef> {
        let shape = self.model.shape(id)?;
        let name = self.names.get(id)?.clone();
        let sensitive = shape.traits.has("smithy.api#sensitive");
        let docs = doc_of(&shape.traits);
        let in_input = self.input_shapes.contains(id);
        let in_output = self.output_shapes.contains(id);
        let serialized = in_input || self.waiter_shapes.contains(id);
        Some(match &shape.kind {
            ShapeKind::Structure(members) => {
                let error = error_info(&shape.traits);
                let members = self.members(shape, members);
                TypeDef::Struct(StructDef {
                    id: id.clone(),
                    name,
                    docs,
                    members,
                    sensitive,
                    error,
                    xml: wire_names(&shape.traits),
                    in_input,
                    in_output,
                    serialized,
                })
            }
            ShapeKind::Union(members) => {
                let mut variants = Vec::new();
                let mut event_errors = Vec::new();
                let mut seen = BTreeMap::new();
                let event_stream = shape.traits.has("smithy.api#streaming");
                for m in members {
                    if event_stream && let Some(type_name) = self.event_error(&m.target) {
                        event_errors.push(EventErrorIr {
                            name: m.name.clone(),
                            type_name,
                        });
                        // A client may send an exception event on an input stream: there it
                        // is a variant too (a received one is always the operation's error).
                        if !in_input {
                            continue;
                        }
                    }
                    let variant = naming::variant_name(&m.name);
                    if let Some(prev) = seen.insert(naming::collision_key(&variant), m.name.clone())
                    {
                        self.name_clash(shape, m, &prev, &variant);
                        continue;
                    }
                    let ty = if m.target == ShapeId::new(UNIT.0, UNIT.1) {
                        None
                    } else {
                        Some(self.type_ref(
                            &m.target,
                            &m.traits,
                            &shape.id.with_member(&m.name),
                            0,
                        )?)
                    };
                    variants.push(VariantIr {
                        name: m.name.clone(),
                        variant,
                        ty,
                        boxed: false,
                        docs: doc_of(&m.traits),
                        json_name: json_name(m),
                    });
                }
                TypeDef::Union(UnionDef {
                    id: id.clone(),
                    name,
                    docs,
                    variants,
                    sensitive,
                    in_input,
                    in_output,
                    serialized,
                    event_errors,
                })
            }
            ShapeKind::Enum(members) | ShapeKind::IntEnum(members) => {
                let int = matches!(shape.kind, ShapeKind::IntEnum(_));
                let mut values = Vec::new();
                let mut seen: BTreeMap<String, String> = BTreeMap::new();
                for m in members {
                    let mut variant = if int {
                        naming::const_name(&m.name)
                    } else {
                        naming::variant_name(&m.name)
                    };
                    let key = naming::collision_key(&variant);
                    if let Some(prev) = seen.get(&key) {
                        // Deliberate, deterministic rename: suffix the model position.
                        let renamed = format!("{variant}{}", values.len() + 1);
                        self.diagnostics.push(
                            Diagnostic::warning(format!(
                                "enum members `{prev}` and `{}` both give the Rust name `{variant}`; the second is generated as `{renamed}`",
                                m.name
                            ))
                            .at(&m.span)
                            .shape(id.with_member(&m.name))
                            .help("rename one of the enum members to silence this warning"),
                        );
                        variant = renamed;
                    }
                    seen.insert(naming::collision_key(&variant), m.name.clone());
                    let value_node = m.traits.get("smithy.api#enumValue");
                    values.push(EnumValueIr {
                        variant,
                        value: value_node
                            .and_then(Node::as_str)
                            .unwrap_or(&m.name)
                            .to_string(),
                        int_value: value_node
                            .and_then(Node::as_number)
                            .and_then(|n| n.as_i64())
                            .unwrap_or(0),
                        docs: doc_of(&m.traits),
                    });
                }
                let def = EnumDef {
                    id: id.clone(),
                    name,
                    docs,
                    values,
                    sensitive,
                };
                if int {
                    TypeDef::IntEnum(def)
                } else {
                    TypeDef::Enum(def)
                }
            }
            _ => return None,
        })
    }

    fn name_clash(&mut self, shape: &Shape, m: &Member, prev: &str, rust: &str) {
        self.diagnostics.push(
            Diagnostic::error(format!(
                "members `{prev}` and `{}` would both be generated as `{rust}`",
                m.name
            ))
            .at(&m.span)
            .shape(shape.id.with_member(&m.name))
            .help(
                "rename one of the members so their names differ by more than case or separators",
            ),
        );
    }

    fn members(&mut self, shape: &Shape, members: &[Member]) -> Vec<MemberIr> {
        let mut out = Vec::new();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        // Builder methods generated per member: `f`, `set_f`, `get_f`; plus `build`.
        let mut methods: BTreeSet<String> = ["build".to_string()].into_iter().collect();
        for m in members {
            let mut field = naming::field_name(&m.name);
            if let Some(prev) = seen.insert(naming::collision_key(&field), m.name.clone()) {
                self.name_clash(shape, m, &prev, &field);
                continue;
            }
            let original = field.clone();
            while accessor_names(&field).iter().any(|n| methods.contains(n)) {
                field.push_str("_value");
            }
            if field != original {
                self.diagnostics.push(
                    Diagnostic::warning(format!(
                        "member `{}` would be generated as `{original}`, whose builder methods collide with another member's; it is generated as `{field}`",
                        m.name
                    ))
                    .at(&m.span)
                    .shape(shape.id.with_member(&m.name))
                    .help("rename the member to silence this warning"),
                );
            }
            methods.extend(accessor_names(&field));
            let Some(mut ty) =
                self.type_ref(&m.target, &m.traits, &shape.id.with_member(&m.name), 0)
            else {
                continue;
            };
            let required =
                m.traits.has("smithy.api#required") && !m.traits.has("smithy.api#clientOptional");
            let default = m
                .traits
                .get("smithy.api#default")
                .filter(|n| !matches!(n.value, NodeValue::Null))
                .filter(|_| !m.traits.has("smithy.api#clientOptional"))
                .cloned();
            if let Some(node) = &default
                && let Some(problem) = crate::diagnostic::default_problem(&ty.kind, node)
            {
                self.diagnostics.push(
                    Diagnostic::error(format!("`@default` value: {problem}"))
                        .at(&node.span)
                        .shape(shape.id.with_member(&m.name))
                        .help("give a default of the member's type and within its range"),
                );
            }
            let binding = binding_of(m);
            let target = self.model.shape(&m.target);
            let streaming = binding == Binding::Payload
                && target.is_some_and(|t| {
                    matches!(t.kind, ShapeKind::Blob) && t.traits.has("smithy.api#streaming")
                });
            let requires_length =
                streaming && target.is_some_and(|t| t.traits.has("smithy.api#requiresLength"));
            let event_stream = target
                .filter(|t| {
                    matches!(t.kind, ShapeKind::Union(_)) && t.traits.has("smithy.api#streaming")
                })
                .and_then(|_| self.names.get(&m.target).cloned())
                .map(|union| EventStreamIr {
                    union,
                    output_error: None,
                });
            let streaming = streaming || event_stream.is_some();
            if streaming {
                // A stream's length is not known before it is sent: nothing to check.
                ty.constraints = Constraints::default();
            }
            let event = if m.traits.has("smithy.api#eventHeader") {
                EventBindingIr::Header
            } else if m.traits.has("smithy.api#eventPayload") {
                EventBindingIr::Payload
            } else {
                EventBindingIr::Body
            };
            out.push(MemberIr {
                streaming,
                requires_length,
                event_stream,
                event,
                name: m.name.clone(),
                field,
                ty,
                required,
                default,
                boxed: false,
                docs: doc_of(&m.traits),
                idempotency_token: m.traits.has("smithy.api#idempotencyToken"),
                binding,
                json_name: json_name(m),
                media_type: self
                    .model
                    .shape(&m.target)
                    .and_then(|t| t.traits.get("smithy.api#mediaType"))
                    .and_then(Node::as_str)
                    .map(str::to_string),
                host_label: m.traits.has("smithy.api#hostLabel"),
            });
        }
        out
    }

    /// Resolves a use of `target` with the use site's `traits` (member traits win).
    /// The type of a member (`owner`, holding `traits`) that targets `target`.
    fn type_ref(
        &mut self,
        target: &ShapeId,
        traits: &Traits,
        owner: &ShapeId,
        depth: u32,
    ) -> Option<TypeRef> {
        let shape = self.model.shape(target)?;
        if depth > 64 {
            self.diagnostics.push(
                Diagnostic::error("collections nest more than 64 levels deep")
                    .at_opt(shape.span.as_ref())
                    .shape(target)
                    .help("recursion must pass through a structure or union member"),
            );
            return None;
        }
        let named = || self.names.get(target).cloned();
        let kind = match &shape.kind {
            ShapeKind::Blob => Kind::Blob,
            ShapeKind::Boolean => Kind::Bool,
            ShapeKind::String => Kind::String,
            ShapeKind::Byte => Kind::Byte,
            ShapeKind::Short => Kind::Short,
            ShapeKind::Integer => Kind::Integer,
            ShapeKind::Long => Kind::Long,
            ShapeKind::Float => Kind::Float,
            ShapeKind::Double => Kind::Double,
            ShapeKind::BigInteger => Kind::BigInteger,
            ShapeKind::BigDecimal => Kind::BigDecimal,
            ShapeKind::Timestamp => Kind::Timestamp,
            ShapeKind::Document => Kind::Document,
            ShapeKind::Enum(_) => Kind::Enum(named()?),
            ShapeKind::IntEnum(_) => Kind::IntEnum(named()?),
            ShapeKind::Structure(_) => Kind::Struct(named()?),
            ShapeKind::Union(_) => Kind::Union(named()?),
            ShapeKind::List(m) => Kind::List {
                member: Box::new(self.type_ref(
                    &m.target,
                    &m.traits,
                    &target.with_member("member"),
                    depth + 1,
                )?),
                sparse: shape.traits.has("smithy.api#sparse"),
            },
            ShapeKind::Map(k, v) => Kind::Map {
                key: Box::new(self.type_ref(
                    &k.target,
                    &k.traits,
                    &target.with_member("key"),
                    depth + 1,
                )?),
                value: Box::new(self.type_ref(
                    &v.target,
                    &v.traits,
                    &target.with_member("value"),
                    depth + 1,
                )?),
                sparse: shape.traits.has("smithy.api#sparse"),
            },
            ShapeKind::Service(_) | ShapeKind::Operation(_) | ShapeKind::Resource(_) => {
                return None;
            }
        };
        let get = |id: &str| traits.get(id).or_else(|| shape.traits.get(id));
        let mut constraints = Constraints::default();
        if let Some(len) = get("smithy.api#length") {
            let bound = |k| {
                len.get(k)
                    .and_then(Node::as_number)
                    .and_then(|n| n.as_i64())
                    .and_then(|n| u64::try_from(n).ok())
            };
            constraints.length = Some((bound("min"), bound("max")));
        }
        if let Some(range) = get("smithy.api#range") {
            let bound = |k| {
                range
                    .get(k)
                    .and_then(Node::as_number)
                    .map(|n| n.as_text().to_string())
            };
            constraints.range = Some((bound("min"), bound("max")));
        }
        if let Some(p) = get("smithy.api#pattern").and_then(Node::as_str) {
            // Name and locate the shape the pattern is written on: the member, or its target.
            let (at, on) = match traits.get("smithy.api#pattern") {
                Some(n) => (Some(n.span.clone()), owner),
                None => (
                    shape
                        .traits
                        .get("smithy.api#pattern")
                        .map(|n| n.span.clone()),
                    target,
                ),
            };
            constraints.pattern = self.pattern(p, on, at.as_ref(), owner);
        }
        constraints.unique_items = get("smithy.api#uniqueItems").is_some();
        let timestamp_format = match get("smithy.api#timestampFormat").and_then(Node::as_str) {
            Some("date-time") => Some(TimestampFormat::DateTime),
            Some("epoch-seconds") => Some(TimestampFormat::EpochSeconds),
            Some("http-date") => Some(TimestampFormat::HttpDate),
            _ => None,
        };
        Some(TypeRef {
            target: target.clone(),
            kind,
            constraints,
            sensitive: get("smithy.api#sensitive").is_some(),
            timestamp_format,
            wire: wire_names(traits),
        })
    }

    fn pattern(
        &mut self,
        source: &str,
        shape: &ShapeId,
        span: Option<&crate::diagnostic::Span>,
        user: &ShapeId,
    ) -> Option<usize> {
        match pattern::prepare(source) {
            Ok(prepared) => {
                let ir = PatternIr {
                    source: prepared.source,
                    unicode: prepared.unicode,
                    original: source.to_string(),
                };
                let next = self.patterns.len();
                Some(*self.patterns.entry(ir).or_insert(next))
            }
            Err(reason) => {
                let entry = self
                    .unchecked_patterns
                    .entry(source.to_string())
                    .or_insert_with(|| UncheckedPattern {
                        reason,
                        written_on: BTreeSet::new(),
                        members: BTreeSet::new(),
                    });
                entry.written_on.insert((shape.to_string(), span.cloned()));
                entry.members.insert(user.to_string());
                None
            }
        }
    }

    /// One warning per pattern that is not checked, naming every member it constrains
    /// (sorted), located where it is first written.
    fn report_unchecked_patterns(&mut self) {
        for (source, unchecked) in std::mem::take(&mut self.unchecked_patterns) {
            let names: Vec<&str> = unchecked.members.iter().map(String::as_str).collect();
            let Some((shape, span)) = unchecked.written_on.iter().next() else {
                continue;
            };
            self.diagnostics.push(
                Diagnostic::warning(format!(
                    "pattern `{source}` is not accepted by the ECMA-262 engine ({}); it will not be checked on {} ({})",
                    unchecked.reason,
                    if names.len() == 1 { "1 member".to_string() } else { format!("{} members", names.len()) },
                    names.join(", ")
                ))
                .at_opt(span.as_ref())
                .shape(shape)
                .help("write the pattern in ECMA-262 syntax as the Smithy specification requires"),
            );
        }
    }

    /// The Rust name of `target` when it is an `@error` structure (an exception event).
    fn event_error(&self, target: &ShapeId) -> Option<String> {
        self.model
            .shape(target)
            .filter(|t| t.traits.has("smithy.api#error"))
            .and_then(|_| self.names.get(target).cloned())
    }

    /// The exception events of the event streams of `io` (an operation's input and output):
    /// they become errors of the operation, in model order.
    fn stream_errors(&self, io: &[&ShapeId]) -> Vec<ShapeId> {
        let mut out = Vec::new();
        for id in io {
            let Some(shape) = self.model.shape(id) else {
                continue;
            };
            for m in shape.kind.members() {
                let Some(t) = self.model.shape(&m.target) else {
                    continue;
                };
                let ShapeKind::Union(events) = &t.kind else {
                    continue;
                };
                if !t.traits.has("smithy.api#streaming") {
                    continue;
                }
                out.extend(
                    events
                        .iter()
                        .filter(|e| self.event_error(&e.target).is_some())
                        .map(|e| e.target.clone()),
                );
            }
        }
        out
    }

    /// Whether the service's protocol trait allows event streams over HTTP/2 only
    /// (`eventStreamHttp: ["h2"]`).
    fn event_streams_need_http2(&self) -> bool {
        let (protocol, _) = protocols_of(&self.service.traits);
        let versions: Vec<&str> = self
            .service
            .traits
            .get(protocol.id())
            .and_then(|t| t.get("eventStreamHttp"))
            .and_then(Node::as_array)
            .map(|v| v.iter().filter_map(Node::as_str).collect())
            .unwrap_or_default();
        versions.contains(&"h2") && !versions.contains(&"http/1.1")
    }

    fn operation(&mut self, id: &ShapeId, service_errors: &[ShapeId]) -> Option<OperationIr> {
        let shape = self.model.shape(id)?;
        let ShapeKind::Operation(op) = &shape.kind else {
            return None;
        };
        let name = self
            .rename
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.name().to_string());
        let mut method = naming::field_name(&name);
        if RESERVED_CLIENT_METHODS.contains(&method.as_str()) {
            method.push_str("_operation");
        }
        let builder = naming::type_name(&name);
        let io = |t: &ShapeId| {
            if *t == ShapeId::new(UNIT.0, UNIT.1) {
                None
            } else {
                self.names.get(t).cloned()
            }
        };
        let input = io(&op.input);
        let output = io(&op.output);
        let mut errors = Vec::new();
        let mut seen = BTreeSet::new();
        let stream_errors = self.stream_errors(&[&op.input, &op.output]);
        for e in op.errors.iter().chain(service_errors).chain(&stream_errors) {
            if !seen.insert(e.clone()) {
                continue;
            }
            let Some(type_name) = self.names.get(e).cloned() else {
                continue;
            };
            let Some(info) = self.model.shape(e).and_then(|s| error_info(&s.traits)) else {
                continue;
            };
            errors.push(ErrorRef {
                variant: type_name.clone(),
                type_name,
                code: e.name().to_string(),
                info,
            });
        }
        let http = shape
            .traits
            .get("smithy.api#http")
            .and_then(|h| self.http(h, shape));
        if let Some(endpoint) = shape.traits.get("smithy.api#endpoint")
            && let Some(prefix) = endpoint.get("hostPrefix").and_then(Node::as_str)
        {
            self.check_labels(shape, endpoint, prefix, "smithy.api#hostLabel", "host");
        }
        let event_stream = [&op.input, &op.output].iter().any(|io| {
            self.model.shape(io).is_some_and(|s| {
                s.kind.members().iter().any(|m| {
                    self.model.shape(&m.target).is_some_and(|t| {
                        matches!(t.kind, ShapeKind::Union(_))
                            && t.traits.has("smithy.api#streaming")
                    })
                })
            })
        });
        Some(OperationIr {
            host_prefix: shape
                .traits
                .get("smithy.api#endpoint")
                .and_then(|e| e.get("hostPrefix"))
                .and_then(Node::as_str)
                .map(str::to_string),
            checksum_required: shape.traits.has("smithy.api#httpChecksumRequired"),
            unsigned: shape
                .traits
                .get("smithy.api#auth")
                .and_then(Node::as_array)
                .is_some_and(|schemes| schemes.is_empty()),
            http_checksum: shape
                .traits
                .get("aws.protocols#httpChecksum")
                .map(http_checksum),
            request_compression: shape
                .traits
                .get("smithy.api#requestCompression")
                .and_then(|t| t.get("encodings"))
                .and_then(Node::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(Node::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            pagination: None,
            waiters: if event_stream {
                Vec::new()
            } else {
                self.waiters.remove(id).unwrap_or_default()
            },
            http2: event_stream && self.event_streams_need_http2(),
            event_stream,
            endpoint_params: super::endpoint_params::operation_params(
                self.model,
                &self.service.traits,
                shape,
                &op.input,
                self.diagnostics,
            ),
            id: id.clone(),
            error_enum: format!("{builder}Error"),
            builder,
            method,
            name,
            docs: doc_of(&shape.traits),
            input,
            output,
            errors,
            http,
        })
    }

    /// Every `{label}` of `template` (on operation `shape`, in trait value `node`) must name
    /// an input member carrying the `binding` trait.
    fn check_labels(
        &mut self,
        shape: &Shape,
        node: &Node,
        template: &str,
        binding: &str,
        what: &str,
    ) {
        let ShapeKind::Operation(op) = &shape.kind else {
            return;
        };
        let input = self.model.shape(&op.input);
        let members = input.map(|i| i.kind.members()).unwrap_or_default();
        for label in crate::diagnostic::labels(template) {
            if !members
                .iter()
                .any(|m| m.name == label && m.traits.has(binding))
            {
                let trait_name = binding.trim_start_matches("smithy.api#");
                self.diagnostics.push(
                    Diagnostic::error(format!(
                        "{what} label `{{{label}}}` in `{template}` is not bound to an input member"
                    ))
                    .at(&node.span)
                    .shape(&shape.id)
                    .help(format!(
                        "add a member `{label}` with `@{trait_name}` to the operation input, or remove the label"
                    )),
                );
            }
        }
    }

    fn http(&mut self, node: &Node, shape: &Shape) -> Option<HttpIr> {
        let method = node.get("method")?.as_str()?.to_string();
        let uri = node.get("uri")?.as_str()?;
        let code = node
            .get("code")
            .and_then(Node::as_number)
            .and_then(|n| n.as_i64())
            .and_then(|n| u16::try_from(n).ok())
            .unwrap_or(200);
        let (path, query) = match uri.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (uri, None),
        };
        self.check_labels(shape, node, path, "smithy.api#httpLabel", "URI");
        let mut segments = Vec::new();
        for seg in path.split('/').filter(|s| !s.is_empty()) {
            if let Some(label) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                match label.strip_suffix('+') {
                    Some(greedy) => segments.push(PathSegment::Greedy(greedy.to_string())),
                    None => segments.push(PathSegment::Label(label.to_string())),
                }
            } else if seg.contains(['{', '}']) {
                self.diagnostics.push(
                    Diagnostic::error(format!(
                        "URI segment `{seg}` mixes a label with literal text"
                    ))
                    .at(&node.span)
                    .shape(&shape.id)
                    .help("a label must be a whole path segment, like `/{name}`"),
                );
                return None;
            } else {
                segments.push(PathSegment::Literal(seg.to_string()));
            }
        }
        let query = query
            .map(|q| {
                q.split('&')
                    .filter(|s| !s.is_empty())
                    .map(|kv| match kv.split_once('=') {
                        Some((k, v)) => (k.to_string(), Some(v.to_string())),
                        None => (kv.to_string(), None),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(HttpIr {
            method,
            uri: uri.to_string(),
            path: segments,
            query,
            code,
        })
    }

    /// Resolves `@paginated` (operation trait over the service's defaults) to field paths.
    /// The input and output tokens must have one Rust type that can be a page token: a string,
    /// or a map (DynamoDB's `ExclusiveStartKey`/`LastEvaluatedKey`) or list; anything else is
    /// a warning and no paginator.
    fn pagination(
        &mut self,
        op: &OperationIr,
        types: &BTreeMap<String, TypeDef>,
    ) -> Option<PaginationIr> {
        let shape = self.model.shape(&op.id)?;
        let own = shape.traits.get("smithy.api#paginated")?;
        let defaults = self.service.traits.get("smithy.api#paginated");
        let get = |key: &str| {
            own.get(key)
                .or_else(|| defaults.and_then(|d| d.get(key)))
                .and_then(Node::as_str)
                .map(str::to_string)
        };
        let input_token = get("inputToken")?;
        let output_token = get("outputToken")?;
        let struct_of = |name: &Option<String>| match name.as_ref().and_then(|n| types.get(n)) {
            Some(TypeDef::Struct(s)) => Some(s.clone()),
            _ => None,
        };
        let input = struct_of(&op.input)?;
        let output = struct_of(&op.output)?;
        let warn = |this: &mut Self, what: String| {
            this.diagnostics.push(
                Diagnostic::warning(format!("{what}; no paginator is generated"))
                    .at_opt(shape.span.as_ref())
                    .shape(&op.id)
                    .help(
                        "paginated tokens must name members of the input and output of one \
                         type: a string, map or list",
                    ),
            );
        };
        let Some(input_member) = input.members.iter().find(|m| m.name == input_token) else {
            warn(self, format!("the input has no member `{input_token}`"));
            return None;
        };
        if !is_token_kind(&input_member.ty.kind) {
            warn(
                self,
                format!(
                    "the input token `{input_token}` is {}, not a string, map or list",
                    kind_phrase(&input_member.ty.kind)
                ),
            );
            return None;
        }
        let Some((output_path, token_ty)) = member_path(&output, &output_token, types) else {
            warn(
                self,
                format!("the output has no member path `{output_token}`"),
            );
            return None;
        };
        if !same_rust_type(&input_member.ty.kind, &token_ty.kind) {
            warn(
                self,
                format!(
                    "the output token `{output_token}` ({}) and the input token \
                     `{input_token}` ({}) differ in type",
                    kind_phrase(&token_ty.kind),
                    kind_phrase(&input_member.ty.kind)
                ),
            );
            return None;
        }
        let items = get("items").and_then(|path| {
            let (p, ty) = member_path(&output, &path, types)?;
            match ty.kind {
                Kind::List { member, .. } => Some((p, *member)),
                _ => None,
            }
        });
        Some(PaginationIr {
            input_token: input_member.field.clone(),
            output_token: output_path,
            token: input_member.ty.clone(),
            items,
        })
    }

    fn check_operation_names(&mut self, ops: &[OperationIr]) {
        let mut seen: BTreeMap<String, &ShapeId> = BTreeMap::new();
        for op in ops {
            if let Some(prev) = seen.insert(naming::collision_key(&op.method), &op.id) {
                let span = self.model.shape(&op.id).and_then(|s| s.span.as_ref());
                self.diagnostics.push(
                    Diagnostic::error(format!(
                        "operations `{prev}` and `{}` would both be generated as the client method `{}`",
                        op.id, op.method
                    ))
                    .at_opt(span)
                    .shape(&op.id)
                    .help("add a `rename` entry for one of them to the service shape"),
                );
            }
        }
    }
}

/// Whether a page token can have this type: the runtime's `PageToken` covers strings, maps
/// and lists (what an empty token is, is clear for each).
fn is_token_kind(kind: &Kind) -> bool {
    matches!(kind, Kind::String | Kind::Map { .. } | Kind::List { .. })
}

/// Whether two kinds are generated as the same Rust type (constraints, sensitivity and the
/// target shape aside: `NextToken` and `String` are both `String`).
fn same_rust_type(a: &Kind, b: &Kind) -> bool {
    match (a, b) {
        (
            Kind::List {
                member: a,
                sparse: sa,
            },
            Kind::List {
                member: b,
                sparse: sb,
            },
        ) => sa == sb && same_rust_type(&a.kind, &b.kind),
        (
            Kind::Map {
                key: ka,
                value: va,
                sparse: sa,
            },
            Kind::Map {
                key: kb,
                value: vb,
                sparse: sb,
            },
        ) => sa == sb && same_rust_type(&ka.kind, &kb.kind) && same_rust_type(&va.kind, &vb.kind),
        _ => a == b,
    }
}

/// "a string", "a map", ... for diagnostics about a kind.
fn kind_phrase(kind: &Kind) -> String {
    match kind {
        Kind::String => "a string".into(),
        Kind::Bool => "a boolean".into(),
        Kind::Byte | Kind::Short | Kind::Integer | Kind::Long | Kind::BigInteger => {
            "an integer".into()
        }
        Kind::Float | Kind::Double | Kind::BigDecimal => "a number".into(),
        Kind::Blob => "a blob".into(),
        Kind::Timestamp => "a timestamp".into(),
        Kind::Document => "a document".into(),
        Kind::Enum(n) | Kind::IntEnum(n) => format!("the enum `{n}`"),
        Kind::Struct(n) => format!("the structure `{n}`"),
        Kind::Union(n) => format!("the union `{n}`"),
        Kind::List { .. } => "a list".into(),
        Kind::Map { .. } => "a map".into(),
    }
}

/// Resolves a dotted member path (`a.b`) through structures to field names (each with whether
/// it is an `Option`) and the type at its end.
fn member_path(
    start: &StructDef,
    path: &str,
    types: &BTreeMap<String, TypeDef>,
) -> Option<(Vec<(String, bool)>, TypeRef)> {
    let mut current = start.clone();
    let mut out = Vec::new();
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let m = current.members.iter().find(|m| m.name == *part)?.clone();
        out.push((m.field.clone(), m.is_optional()));
        if i + 1 == parts.len() {
            return Some((out, m.ty));
        }
        current = match &m.ty.kind {
            Kind::Struct(n) => match types.get(n) {
                Some(TypeDef::Struct(s)) => s.clone(),
                _ => return None,
            },
            _ => return None,
        };
    }
    None
}

/// The builder methods generated for a field: `f`, `set_f`, `get_f` (as `emit` names them).
fn accessor_names(field: &str) -> [String; 3] {
    let bare = field.strip_prefix("r#").unwrap_or(field);
    let stem = bare.trim_end_matches('_');
    [
        bare.to_string(),
        format!("set_{stem}"),
        format!("get_{stem}"),
    ]
}

/// Gives each output event stream its operation's error enum (the receiver's error type).
fn receivers_error_types(operations: &[OperationIr], types: &mut BTreeMap<String, TypeDef>) {
    for op in operations.iter().filter(|op| op.event_stream) {
        let Some(TypeDef::Struct(s)) = op.output.as_ref().and_then(|o| types.get_mut(o)) else {
            continue;
        };
        for stream in s.members.iter_mut().filter_map(|m| m.event_stream.as_mut()) {
            stream.output_error = Some(op.error_enum.clone());
        }
    }
}

/// Puts `note` (a limit or requirement of the generated call) first in the operation's docs.
fn prepend_doc(op: &mut OperationIr, note: &str) {
    op.docs = Some(match op.docs.take() {
        Some(d) => format!("{note}\n\n{d}"),
        None => note.to_string(),
    });
}

/// Adds `id` and every shape it reaches to `set`.
fn reach_into(model: &Model, set: &mut BTreeSet<ShapeId>, id: &ShapeId) {
    let mut stack = vec![id.clone()];
    while let Some(id) = stack.pop() {
        if id == ShapeId::new(UNIT.0, UNIT.1) || !set.insert(id.clone()) {
            continue;
        }
        if let Some(shape) = model.shape(&id) {
            for m in shape.kind.members() {
                stack.push(m.target.clone());
            }
        }
    }
}

fn binding_of(m: &Member) -> Binding {
    let t = &m.traits;
    let s = |id: &str| t.get(id).and_then(Node::as_str).map(str::to_string);
    if t.has("smithy.api#httpLabel") {
        Binding::Label
    } else if let Some(q) = s("smithy.api#httpQuery") {
        Binding::Query(q)
    } else if t.has("smithy.api#httpQueryParams") {
        Binding::QueryParams
    } else if let Some(h) = s("smithy.api#httpHeader") {
        Binding::Header(h)
    } else if let Some(p) = s("smithy.api#httpPrefixHeaders") {
        Binding::PrefixHeaders(p)
    } else if t.has("smithy.api#httpPayload") {
        Binding::Payload
    } else if t.has("smithy.api#httpResponseCode") {
        Binding::ResponseCode
    } else {
        Binding::Body(s("smithy.api#jsonName").unwrap_or_else(|| m.name.clone()))
    }
}

fn doc_of(traits: &Traits) -> Option<String> {
    let text = docs::html_to_markdown(traits.documentation()?);
    (!text.trim().is_empty()).then_some(text)
}

/// `WorkSpaces Web` → `workspacesweb`, the module name AWS SDK crates use.
fn module_for(sdk_id: &str) -> String {
    let compact: String = sdk_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    naming::module_name(if compact.is_empty() {
        "service"
    } else {
        &compact
    })
}

/// Compact JSON text of a node (used to embed the endpoint rule set).
pub(crate) fn node_to_json(node: &Node) -> String {
    let mut out = String::new();
    write_json(node, &mut out);
    out
}

fn write_json(node: &Node, out: &mut String) {
    match &node.value {
        NodeValue::Null => out.push_str("null"),
        NodeValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        NodeValue::Number(n) => out.push_str(n.as_text()),
        NodeValue::String(s) => write_json_string(s, out),
        NodeValue::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        NodeValue::Object(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out);
                out.push(':');
                write_json(v, out);
            }
            out.push('}');
        }
    }
}

fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The XML and query wire names in `traits` (a member's, or a shape's).
fn wire_names(traits: &crate::model::Traits) -> WireNames {
    let text = |id: &str| traits.get(id).and_then(Node::as_str).map(str::to_string);
    WireNames {
        xml_name: text("smithy.api#xmlName"),
        xml_attribute: traits.has("smithy.api#xmlAttribute"),
        xml_flattened: traits.has("smithy.api#xmlFlattened"),
        xml_namespace: traits.get("smithy.api#xmlNamespace").and_then(|n| {
            let uri = n.get("uri").and_then(Node::as_str)?.to_string();
            let prefix = n.get("prefix").and_then(Node::as_str).map(str::to_string);
            Some((uri, prefix))
        }),
        ec2_query_name: text("aws.protocols#ec2QueryName"),
    }
}

/// What `aws.protocols#httpChecksum` says.
fn http_checksum(t: &Node) -> HttpChecksumIr {
    let text = |k: &str| t.get(k).and_then(Node::as_str).map(str::to_string);
    HttpChecksumIr {
        request_algorithm_member: text("requestAlgorithmMember"),
        request_required: t
            .get("requestChecksumRequired")
            .and_then(Node::as_bool)
            .unwrap_or(false),
        validation_mode_member: text("requestValidationModeMember"),
        response_algorithms: t
            .get("responseAlgorithms")
            .and_then(Node::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Node::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// What `@error`, `@httpError`, `@retryable` and `awsQueryError` say of a shape (`None`
/// when it is not an `@error` structure).
fn error_info(traits: &crate::model::Traits) -> Option<ErrorInfo> {
    let e = traits.get("smithy.api#error")?;
    let retryable = traits.get("smithy.api#retryable");
    let number = |n: &Node| {
        n.as_number()
            .and_then(|n| n.as_i64())
            .and_then(|n| u16::try_from(n).ok())
    };
    Some(ErrorInfo {
        server_fault: e.as_str() == Some("server"),
        http_status: traits.get("smithy.api#httpError").and_then(number),
        retryable: retryable.is_some(),
        throttling: retryable
            .and_then(|r| r.get("throttling"))
            .and_then(Node::as_bool)
            .unwrap_or(false),
        query_error: traits.get("aws.protocols#awsQueryError").and_then(|q| {
            let code = q.get("code").and_then(Node::as_str)?.to_string();
            Some((code, q.get("httpResponseCode").and_then(number)))
        }),
    })
}

/// The member's JSON key: its `@jsonName`, else its name.
fn json_name(m: &Member) -> String {
    m.traits
        .get("smithy.api#jsonName")
        .and_then(Node::as_str)
        .unwrap_or(&m.name)
        .to_string()
}

/// The service's protocols (sorted, see [`ServiceIr::protocol`]) and the default: the first
/// supported one, else the first declared, else `Unsupported("")`.
fn protocols_of(traits: &crate::model::Traits) -> (Protocol, Vec<Protocol>) {
    let mut protocols: Vec<Protocol> = traits
        .iter()
        .filter_map(|(id, _)| {
            let text = id.to_string();
            Protocol::from_id(&text).or_else(|| {
                (id.namespace() == "aws.protocols" && text != "aws.protocols#awsQueryCompatible")
                    .then_some(Protocol::Unsupported(text))
            })
        })
        .collect();
    protocols.sort();
    protocols.dedup();
    let default = protocols
        .iter()
        .find(|p| p.in_runtime())
        .or(protocols.first())
        .cloned()
        .unwrap_or(Protocol::Unsupported(String::new()));
    (default, protocols)
}
