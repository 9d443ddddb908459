//! Breaking recursive cycles with `Box`.
//!
//! A structure or union that contains itself inline (directly or through other structures and
//! unions, not through a `Vec` or map, which already allocate) has no finite size. Every member
//! edge that lies on such a cycle is boxed; boxing all of them, not a chosen one, keeps the
//! result independent of iteration order.

use std::collections::{BTreeMap, BTreeSet};

use super::{Kind, TypeDef, TypeRef};

/// The type a value of `ty` holds inline, if it is a generated aggregate.
fn inline_target(ty: &TypeRef) -> Option<&str> {
    match &ty.kind {
        Kind::Struct(n) | Kind::Union(n) => Some(n),
        _ => None,
    }
}

fn edges(types: &BTreeMap<String, TypeDef>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, def) in types {
        let targets: BTreeSet<String> = match def {
            TypeDef::Struct(s) => s
                .members
                .iter()
                .filter_map(|m| inline_target(&m.ty))
                .map(str::to_string)
                .collect(),
            TypeDef::Union(u) => u
                .variants
                .iter()
                .filter_map(|v| v.ty.as_ref().and_then(inline_target))
                .map(str::to_string)
                .collect(),
            _ => BTreeSet::new(),
        };
        out.insert(name.clone(), targets);
    }
    out
}

fn reaches(edges: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> bool {
    let mut stack = vec![from];
    let mut seen = BTreeSet::new();
    while let Some(n) = stack.pop() {
        if n == to {
            return true;
        }
        if !seen.insert(n) {
            continue;
        }
        if let Some(next) = edges.get(n) {
            stack.extend(next.iter().map(String::as_str));
        }
    }
    false
}

/// Sets `boxed` on every member and variant whose inline target can reach its owner.
pub fn box_cycles(types: &mut BTreeMap<String, TypeDef>) {
    let edges = edges(types);
    for (name, def) in types.iter_mut() {
        match def {
            TypeDef::Struct(s) => {
                for m in &mut s.members {
                    if let Some(t) = inline_target(&m.ty) {
                        m.boxed = reaches(&edges, t, name);
                    }
                }
            }
            TypeDef::Union(u) => {
                for v in &mut u.variants {
                    if let Some(t) = v.ty.as_ref().and_then(inline_target) {
                        v.boxed = reaches(&edges, t, name);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Binding, Constraints, MemberIr, StructDef};
    use crate::model::ShapeId;

    fn member(field: &str, target: &str) -> MemberIr {
        MemberIr {
            name: field.into(),
            field: field.into(),
            ty: TypeRef {
                target: ShapeId::new("ns", target),
                kind: Kind::Struct(target.into()),
                constraints: Constraints::default(),
                sensitive: false,
                timestamp_format: None,
            },
            required: false,
            default: None,
            boxed: false,
            docs: None,
            idempotency_token: false,
            binding: Binding::Body(field.into()),
            json_name: field.into(),
        }
    }

    fn def(name: &str, members: Vec<MemberIr>) -> (String, TypeDef) {
        (
            name.into(),
            TypeDef::Struct(StructDef {
                id: ShapeId::new("ns", name),
                name: name.into(),
                docs: None,
                members,
                sensitive: false,
                error: None,
                in_input: true,
                in_output: true,
            }),
        )
    }

    fn boxed(types: &BTreeMap<String, TypeDef>, name: &str) -> Vec<bool> {
        match &types[name] {
            TypeDef::Struct(s) => s.members.iter().map(|m| m.boxed).collect(),
            _ => vec![],
        }
    }

    #[test]
    fn direct_mutual_and_acyclic() {
        let mut types: BTreeMap<String, TypeDef> = [
            def("Node", vec![member("next", "Node"), member("leaf", "Leaf")]),
            def("A", vec![member("b", "B")]),
            def("B", vec![member("a", "A")]),
            def("Leaf", vec![]),
        ]
        .into_iter()
        .collect();
        box_cycles(&mut types);
        assert_eq!(boxed(&types, "Node"), vec![true, false]);
        assert_eq!(boxed(&types, "A"), vec![true]);
        assert_eq!(boxed(&types, "B"), vec![true]);
    }
}
