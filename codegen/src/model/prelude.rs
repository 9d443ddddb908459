//! The `smithy.api` prelude: the simple shapes every model may target, `Unit`, and the names of
//! the prelude traits.
//!
//! Prelude shapes have no span. Their trait values (the `@default` of the `Primitive*` shapes,
//! `@unitType` of `Unit`) carry a span in the pseudo-file `<prelude>` at line 0, column 0.

use std::sync::Arc;

use super::loader::{Body, LShape};
use super::{Node, NodeValue, Number, ShapeId, ShapeKind, Span, Traits};

/// The namespace of the prelude.
pub(crate) const NAMESPACE: &str = "smithy.api";

/// The span given to trait values defined by the prelude itself.
pub(crate) fn prelude_span() -> Span {
    Span::new(Arc::from("<prelude>"), 0, 0)
}

/// Every trait the `smithy.api` namespace defines (Smithy 2.0, plus the 1.0 `box`).
pub(crate) const TRAITS: &[&str] = &[
    "addedDefault",
    "auth",
    "authDefinition",
    "box",
    "clientOptional",
    "cors",
    "default",
    "deprecated",
    "documentation",
    "endpoint",
    "enum",
    "enumDefault",
    "enumValue",
    "error",
    "eventHeader",
    "eventPayload",
    "examples",
    "externalDocumentation",
    "hostLabel",
    "http",
    "httpApiKeyAuth",
    "httpBasicAuth",
    "httpBearerAuth",
    "httpChecksumRequired",
    "httpDigestAuth",
    "httpError",
    "httpHeader",
    "httpLabel",
    "httpPayload",
    "httpPrefixHeaders",
    "httpQuery",
    "httpQueryParams",
    "httpResponseCode",
    "idRef",
    "idempotencyToken",
    "idempotent",
    "input",
    "internal",
    "jsonName",
    "length",
    "mediaType",
    "mixin",
    "nestedProperties",
    "noReplace",
    "notProperty",
    "optionalAuth",
    "output",
    "paginated",
    "pattern",
    "private",
    "property",
    "protocolDefinition",
    "range",
    "readonly",
    "recommended",
    "references",
    "requestCompression",
    "required",
    "requiresLength",
    "resourceIdentifier",
    "retryable",
    "sensitive",
    "since",
    "sparse",
    "streaming",
    "suppress",
    "tags",
    "timestampFormat",
    "title",
    "trait",
    "traitValidators",
    "uniqueItems",
    "unitType",
    "unstable",
    "xmlAttribute",
    "xmlFlattened",
    "xmlName",
    "xmlNamespace",
];

/// True when `name` is a trait of the prelude.
pub(crate) fn is_prelude_trait(name: &str) -> bool {
    TRAITS.binary_search(&name).is_ok()
}

/// The simple prelude shapes by name.
const SIMPLE: &[(&str, ShapeKind)] = &[
    ("String", ShapeKind::String),
    ("Blob", ShapeKind::Blob),
    ("BigInteger", ShapeKind::BigInteger),
    ("BigDecimal", ShapeKind::BigDecimal),
    ("Timestamp", ShapeKind::Timestamp),
    ("Document", ShapeKind::Document),
    ("Boolean", ShapeKind::Boolean),
    ("Byte", ShapeKind::Byte),
    ("Short", ShapeKind::Short),
    ("Integer", ShapeKind::Integer),
    ("Long", ShapeKind::Long),
    ("Float", ShapeKind::Float),
    ("Double", ShapeKind::Double),
];

/// The `Primitive*` shapes with their `@default`.
const PRIMITIVE: &[(&str, ShapeKind)] = &[
    ("PrimitiveBoolean", ShapeKind::Boolean),
    ("PrimitiveByte", ShapeKind::Byte),
    ("PrimitiveShort", ShapeKind::Short),
    ("PrimitiveInteger", ShapeKind::Integer),
    ("PrimitiveLong", ShapeKind::Long),
    ("PrimitiveFloat", ShapeKind::Float),
    ("PrimitiveDouble", ShapeKind::Double),
];

/// The zero default of a boolean or number kind (`false` / `0`), `None` for other kinds.
pub(crate) fn zero_default(kind: &ShapeKind, span: Span) -> Option<Node> {
    let value = match kind {
        ShapeKind::Boolean => NodeValue::Bool(false),
        ShapeKind::Byte
        | ShapeKind::Short
        | ShapeKind::Integer
        | ShapeKind::Long
        | ShapeKind::Float
        | ShapeKind::Double => NodeValue::Number(Number::from_text("0")),
        _ => return None,
    };
    Some(Node { value, span })
}

fn trait_id(name: &str) -> ShapeId {
    ShapeId::new(NAMESPACE, name)
}

fn empty_object() -> Node {
    Node {
        value: NodeValue::Object(Vec::new()),
        span: prelude_span(),
    }
}

/// The prelude shapes, ready to be merged into a model.
pub(crate) fn shapes() -> Vec<LShape> {
    let mut out = Vec::new();
    for (name, kind) in SIMPLE {
        out.push(LShape::prelude(
            ShapeId::new(NAMESPACE, *name),
            Body::Simple(kind.clone()),
            Traits::default(),
        ));
    }
    for (name, kind) in PRIMITIVE {
        let mut traits = Traits::default();
        if let Some(default) = zero_default(kind, prelude_span()) {
            traits.insert(trait_id("default"), default);
        }
        out.push(LShape::prelude(
            ShapeId::new(NAMESPACE, *name),
            Body::Simple(kind.clone()),
            traits,
        ));
    }
    let mut unit_traits = Traits::default();
    unit_traits.insert(trait_id("unitType"), empty_object());
    out.push(LShape::prelude(
        ShapeId::new(NAMESPACE, "Unit"),
        Body::Structure(Vec::new()),
        unit_traits,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trait_list_is_sorted_for_binary_search() {
        assert!(TRAITS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_prelude_trait("required"));
        assert!(is_prelude_trait("box"));
        assert!(!is_prelude_trait("requird"));
    }

    #[test]
    fn prelude_has_primitives_with_defaults_and_unit() {
        let shapes = shapes();
        assert_eq!(shapes.len(), SIMPLE.len() + PRIMITIVE.len() + 1);
        let pint = shapes
            .iter()
            .find(|s| s.id.name() == "PrimitiveInteger")
            .unwrap();
        let d = pint.traits.get("smithy.api#default").unwrap();
        assert_eq!(d.as_number().map(|n| n.as_text()), Some("0"));
        let pbool = shapes
            .iter()
            .find(|s| s.id.name() == "PrimitiveBoolean")
            .unwrap();
        assert_eq!(
            pbool.traits.get("smithy.api#default").unwrap().as_bool(),
            Some(false)
        );
        let unit = shapes.iter().find(|s| s.id.name() == "Unit").unwrap();
        assert!(unit.traits.has("smithy.api#unitType"));
        assert!(shapes.iter().all(|s| s.span.is_none()));
        assert!(
            shapes
                .iter()
                .find(|s| s.id.name() == "String")
                .unwrap()
                .traits
                .is_empty()
        );
    }
}
