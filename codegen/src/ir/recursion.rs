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

/// How deep generated types may nest before rustc gives up, in rustc's own units: each
/// structure or union costs two (the type and the `Option` around it), each list or map layer
/// one. rustc's drop check overflows its default `recursion_limit` (128) at about 64
/// structures nested in `Option`s, or 45 with two `Vec` layers each; 100 leaves a margin.
pub const MAX_NESTING: usize = 100;

/// A chain of generated types nested too deeply for rustc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooDeep {
    /// The chain's cost in [`MAX_NESTING`] units.
    pub depth: usize,
    /// The types on the chain, outermost first.
    pub chain: Vec<String>,
}

/// The aggregate types a type reference holds, with the list and map layers on the way.
fn nested(ty: &TypeRef, layers: usize, out: &mut Vec<(String, usize)>) {
    match &ty.kind {
        Kind::Struct(n) | Kind::Union(n) => out.push((n.clone(), layers)),
        Kind::List { member, .. } => nested(member, layers + 1, out),
        Kind::Map { value, .. } => nested(value, layers + 1, out),
        _ => {}
    }
}

/// Finds the deepest chain of nested structures and unions (through members, list elements
/// and map values, boxed or not: rustc's drop check walks through `Box` and `Vec` alike) and
/// returns it if it costs more than [`MAX_NESTING`]. Types on a cycle form one group whose
/// cost is the sum of its members (rustc can walk each of them once before it sees a
/// repeat). Iterative, so a hostile model cannot exhaust the stack.
pub fn too_deep(types: &BTreeMap<String, TypeDef>) -> Option<TooDeep> {
    let names: Vec<&String> = types.keys().collect();
    let index: BTreeMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    // Adjacency with edge costs (list/map layers), deduplicated keeping the dearest edge.
    let mut adj: Vec<Vec<(usize, usize)>> = vec![Vec::new(); names.len()];
    for (i, name) in names.iter().enumerate() {
        let mut out = Vec::new();
        match &types[*name] {
            TypeDef::Struct(s) => s.members.iter().for_each(|m| nested(&m.ty, 0, &mut out)),
            TypeDef::Union(u) => u
                .variants
                .iter()
                .filter_map(|v| v.ty.as_ref())
                .for_each(|t| nested(t, 0, &mut out)),
            _ => {}
        }
        let mut best: BTreeMap<usize, usize> = BTreeMap::new();
        for (target, layers) in out {
            if let Some(&j) = index.get(target.as_str()) {
                let e = best.entry(j).or_insert(layers);
                *e = (*e).max(layers);
            }
        }
        adj[i] = best.into_iter().collect();
    }
    let aggregate = |i: usize| matches!(types[names[i]], TypeDef::Struct(_) | TypeDef::Union(_));

    // Tarjan's strongly connected components, iteratively. Components come out in reverse
    // topological order: every component a component reaches is numbered before it.
    const UNSEEN: usize = usize::MAX;
    let n = names.len();
    let mut order = vec![UNSEEN; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut comp = vec![UNSEEN; n];
    let mut comps: Vec<Vec<usize>> = Vec::new();
    let mut next = 0usize;
    for root in 0..n {
        if order[root] != UNSEEN {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        order[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&(v, edge)) = work.last() {
            if let Some(&(w, _)) = adj[v].get(edge) {
                if let Some(top) = work.last_mut() {
                    top.1 += 1;
                }
                if order[w] == UNSEEN {
                    order[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(order[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == order[v] {
                let mut members = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = comps.len();
                    members.push(w);
                    if w == v {
                        break;
                    }
                }
                members.sort_unstable();
                comps.push(members);
            }
        }
    }

    // Longest path over the components, dearest first; ties go to the smaller name.
    let mut cost = vec![0usize; comps.len()];
    let mut via: Vec<Option<usize>> = vec![None; comps.len()];
    for (c, members) in comps.iter().enumerate() {
        let own: usize = members.iter().filter(|&&m| aggregate(m)).count() * 2;
        let mut best = 0usize;
        for &m in members {
            for &(w, layers) in &adj[m] {
                let d = comp[w];
                if d != c {
                    let total = cost[d] + layers;
                    if total > best || (total == best && via[c].is_some_and(|b| d < b)) {
                        best = total;
                        via[c] = Some(d);
                    }
                }
            }
        }
        cost[c] = own + best;
    }
    let (start, &depth) = cost
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))?;
    if depth <= MAX_NESTING {
        return None;
    }
    let mut chain = Vec::new();
    let mut at = Some(start);
    while let Some(c) = at {
        chain.extend(comps[c].iter().map(|&m| names[m].clone()));
        at = via[c];
    }
    Some(TooDeep { depth, chain })
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
                wire: Default::default(),
            },
            required: false,
            default: None,
            boxed: false,
            docs: None,
            idempotency_token: false,
            binding: Binding::Body(field.into()),
            json_name: field.into(),
            media_type: None,
            host_label: false,
            streaming: false,
            requires_length: false,
            event_stream: None,
            event: Default::default(),
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
                xml: Default::default(),
                in_input: true,
                in_output: true,
                serialized: true,
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

    /// `L0 → L1 → … → L{n-1}`, each holding the next through `layers` list layers.
    fn chain(n: usize, layers: usize) -> BTreeMap<String, TypeDef> {
        (0..n)
            .map(|i| {
                let members = if i + 1 < n {
                    let mut m = member("next", &format!("L{}", i + 1));
                    for _ in 0..layers {
                        m.ty = TypeRef {
                            kind: Kind::List {
                                member: Box::new(m.ty.clone()),
                                sparse: false,
                            },
                            ..m.ty.clone()
                        };
                    }
                    vec![m]
                } else {
                    vec![]
                };
                def(&format!("L{i}"), members)
            })
            .collect()
    }

    #[test]
    fn nesting_within_the_limit_passes() {
        assert_eq!(too_deep(&chain(1, 0)), None);
        assert_eq!(too_deep(&chain(MAX_NESTING / 2, 0)), None);
        // Each level costs 2 + 2 list layers.
        assert_eq!(too_deep(&chain(MAX_NESTING / 4, 2)), None);
        assert_eq!(too_deep(&BTreeMap::new()), None);
    }

    #[test]
    fn nesting_beyond_the_limit_names_the_whole_chain() {
        let deep = too_deep(&chain(MAX_NESTING / 2 + 1, 0)).expect("too deep");
        assert_eq!(deep.depth, MAX_NESTING + 2);
        assert_eq!(deep.chain.len(), MAX_NESTING / 2 + 1);
        assert_eq!(deep.chain[0], "L0");
        assert_eq!(deep.chain[1], "L1");
        let deep = too_deep(&chain(MAX_NESTING / 4 + 1, 2)).expect("too deep with lists");
        assert_eq!(deep.chain[0], "L0");
        // Ten thousand levels: no stack overflow.
        assert_eq!(
            too_deep(&chain(10_000, 0)).expect("deep").chain.len(),
            10_000
        );
    }

    #[test]
    fn a_cycle_counts_each_of_its_types_once() {
        // A ⇄ B, then B → C: cost 2 + 2 (the cycle) + 2.
        let mut types: BTreeMap<String, TypeDef> = [
            def("A", vec![member("b", "B")]),
            def("B", vec![member("a", "A"), member("c", "C")]),
            def("C", vec![]),
        ]
        .into_iter()
        .collect();
        box_cycles(&mut types);
        assert_eq!(too_deep(&types), None);
        let mut big = chain(MAX_NESTING / 2, 0);
        // Close the chain into one big cycle: still one group costing the sum.
        if let Some(TypeDef::Struct(last)) = big.get_mut(&format!("L{}", MAX_NESTING / 2 - 1)) {
            last.members.push(member("back", "L0"));
        }
        assert_eq!(too_deep(&big), None);
        big.insert("Top".into(), def("Top", vec![member("inner", "L0")]).1);
        let deep = too_deep(&big).expect("cycle plus one");
        assert_eq!(deep.chain.first().map(String::as_str), Some("Top"));
        assert_eq!(deep.depth, MAX_NESTING + 2);
    }
}
