//! Input validators: every constraint of every member, collected with its path, never printing
//! a value; plus `@default` value expressions and the compiled-once pattern statics.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{Ctx, ident};
use crate::ir::{Kind, ServiceIr, StructDef, TypeDef, TypeRef, UnionDef};
use crate::model::{Node, NodeValue};
use crate::pattern::{FastMatcher, FastStep};

/// Which generated types have anything to validate (directly or through members).
pub(crate) struct Validation {
    needs: BTreeSet<String>,
    /// Patterns some validator checks (patterns of output-only shapes are not emitted).
    used_patterns: BTreeSet<usize>,
}

impl Validation {
    /// Fixpoint over the types reachable from inputs.
    pub fn compute(svc: &ServiceIr) -> Self {
        let mut needs: BTreeSet<String> = BTreeSet::new();
        loop {
            let before = needs.len();
            for (name, def) in &svc.types {
                if needs.contains(name) {
                    continue;
                }
                let any = match def {
                    TypeDef::Struct(s) if s.in_input => {
                        s.members.iter().any(|m| type_needs(&m.ty, &needs))
                    }
                    TypeDef::Union(u) if u.in_input => u
                        .variants
                        .iter()
                        .any(|v| v.ty.as_ref().is_some_and(|t| type_needs(t, &needs))),
                    _ => false,
                };
                if any {
                    needs.insert(name.clone());
                }
            }
            if needs.len() == before {
                break;
            }
        }
        let mut used_patterns = BTreeSet::new();
        for def in svc.types.values() {
            match def {
                TypeDef::Struct(s) if s.in_input => {
                    for m in &s.members {
                        collect_patterns(&m.ty, &mut used_patterns);
                    }
                }
                TypeDef::Union(u) if u.in_input => {
                    for t in u.variants.iter().filter_map(|v| v.ty.as_ref()) {
                        collect_patterns(t, &mut used_patterns);
                    }
                }
                _ => {}
            }
        }
        Validation {
            needs,
            used_patterns,
        }
    }

    /// True when the named type has a non-empty validator.
    pub fn needs(&self, name: &str) -> bool {
        self.needs.contains(name)
    }
}

fn collect_patterns(ty: &TypeRef, out: &mut BTreeSet<usize>) {
    if let (Some(i), Kind::String) = (ty.constraints.pattern, &ty.kind) {
        out.insert(i);
    }
    match &ty.kind {
        Kind::List { member, .. } => collect_patterns(member, out),
        Kind::Map { key, value, .. } => {
            collect_patterns(key, out);
            collect_patterns(value, out);
        }
        _ => {}
    }
}

fn type_needs(ty: &TypeRef, needs: &BTreeSet<String>) -> bool {
    !ty.constraints.is_empty()
        || match &ty.kind {
            Kind::Enum(_) | Kind::IntEnum(_) => true,
            Kind::Struct(n) | Kind::Union(n) => needs.contains(n),
            Kind::List { member, .. } => type_needs(member, needs),
            Kind::Map { key, value, .. } => type_needs(key, needs) || type_needs(value, needs),
            _ => false,
        }
}

/// `mod patterns { pub(super) static PATTERN_0: Pattern = ...; }`
pub(super) fn patterns_module(ctx: &Ctx<'_>) -> TokenStream {
    if ctx.validation.used_patterns.is_empty() {
        return TokenStream::new();
    }
    let rt = &ctx.rt;
    let used = &ctx.validation.used_patterns;
    let statics = ctx
        .svc
        .patterns
        .iter()
        .enumerate()
        .filter(|(i, _)| used.contains(i))
        .map(|(i, p)| {
            let name = format_ident!("PATTERN_{}", i);
            let source = &p.source;
            let unicode = p.unicode;
            let doc = super::doc_lines(&format!("`{}`", p.original.replace('`', "'")));
            let init = match crate::pattern::fast_matcher(source, unicode) {
                Some(fast) => {
                    let fast = fast_tokens(rt, &fast);
                    quote!(#rt::pattern::Pattern::with_fast(#source, #unicode, #fast))
                }
                None => quote!(#rt::pattern::Pattern::new(#source, #unicode)),
            };
            quote! {
                #doc
                pub(super) static #name: #rt::pattern::Pattern = #init;
            }
        });
    quote! {
        /// Validation patterns, each compiled once on first use.
        mod patterns {
            #(#statics)*
        }
    }
}

/// The runtime's `Fast` value for a fast matcher the generator proved equivalent.
fn fast_tokens(rt: &TokenStream, fast: &FastMatcher) -> TokenStream {
    match fast {
        FastMatcher::Any => quote!(#rt::pattern::Fast::Any),
        FastMatcher::Ascii(steps) => {
            let steps = steps_tokens(rt, steps);
            quote!(#rt::pattern::Fast::Ascii(#steps))
        }
    }
}

/// `&[Step::run(..), Step::repeat(&[..], ..)]`
fn steps_tokens(rt: &TokenStream, steps: &[FastStep]) -> TokenStream {
    let count = |n: u32| {
        if n == u32::MAX {
            quote!(u32::MAX)
        } else {
            let n = Literal::u32_unsuffixed(n);
            quote!(#n)
        }
    };
    let steps = steps.iter().map(|step| match step {
        FastStep::Run { bits, min, max } => {
            let bits = Literal::u128_unsuffixed(*bits);
            let (min, max) = (count(*min), count(*max));
            quote!(#rt::pattern::Step::run(&#rt::pattern::AsciiSet::from_bits(#bits), #min, #max))
        }
        FastStep::Repeat { block, min, max } => {
            let block = steps_tokens(rt, block);
            let (min, max) = (count(*min), count(*max));
            quote!(#rt::pattern::Step::repeat(#block, #min, #max))
        }
    });
    quote!(&[#(#steps),*])
}

/// `impl S { pub fn validate(&self) ...; pub fn validate_into(&self, v) ... }` for input types.
pub(super) fn struct_validate(ctx: &Ctx<'_>, s: &StructDef) -> TokenStream {
    if !s.in_input {
        return TokenStream::new();
    }
    let name = ident(&s.name);
    let body: Vec<TokenStream> = if ctx.validation.needs(&s.name) {
        s.members
            .iter()
            // An event stream's events are sent as they come, unchecked.
            .filter(|m| m.event_stream.is_none())
            .filter_map(|m| {
                let f = ident(&m.field);
                let label = &m.name;
                let checks = checks(ctx, &m.ty, &quote!(value), 0)?;
                let access = if m.is_optional() {
                    quote! {
                        if let ::std::option::Option::Some(value) = &self.#f {
                            v.enter_field(#label);
                            #checks
                            v.exit();
                        }
                    }
                } else {
                    quote! {
                        {
                            let value = &self.#f;
                            v.enter_field(#label);
                            #checks
                            v.exit();
                        }
                    }
                };
                Some(access)
            })
            .collect()
    } else {
        Vec::new()
    };
    validate_impl(ctx, &name, body)
}

/// Validators for unions: the set variant's value; an `Unknown` variant cannot be sent.
pub(super) fn union_validate(ctx: &Ctx<'_>, u: &UnionDef) -> TokenStream {
    if !u.in_input {
        return TokenStream::new();
    }
    let name = ident(&u.name);
    let arms: Vec<TokenStream> = u
        .variants
        .iter()
        .filter_map(|var| {
            let ty = var.ty.as_ref()?;
            let checks = checks(ctx, ty, &quote!(value), 0)?;
            let vi = ident(&var.variant);
            let label = &var.name;
            Some(quote! {
                #name::#vi(value) => {
                    v.enter_field(#label);
                    #checks
                    v.exit();
                }
            })
        })
        .collect();
    let rest = if arms.len() < u.variants.len() {
        quote!(_ => {})
    } else {
        TokenStream::new()
    };
    let body = if arms.is_empty() {
        vec![quote! {
            if matches!(self, #name::Unknown) {
                v.unknown_variant();
            }
        }]
    } else {
        vec![quote! {
            match self {
                #(#arms)*
                #name::Unknown => v.unknown_variant(),
                #rest
            }
        }]
    };
    validate_impl(ctx, &name, body)
}

fn validate_impl(ctx: &Ctx<'_>, name: &proc_macro2::Ident, body: Vec<TokenStream>) -> TokenStream {
    let rt = &ctx.rt;
    let v = if body.is_empty() {
        quote!(_v)
    } else {
        quote!(v)
    };
    quote! {
        impl #name {
            /// Checks every constraint of the model (lengths, ranges, patterns, enum values,
            /// unique items), reporting all violations with their paths. Values never appear
            /// in the report.
            pub fn validate(&self) -> ::std::result::Result<(), #rt::ValidationError> {
                let mut v = #rt::Validator::new();
                self.validate_into(&mut v);
                v.finish()
            }
            /// Adds this value's violations to `v`, under `v`'s current path.
            #[doc(hidden)]
            pub fn validate_into(&self, #v: &mut #rt::Validator) {
                #(#body)*
            }
        }
    }
}

/// The checks for one value of type `ty`, bound by reference to `value`; `None` when nothing
/// is checked.
fn checks(ctx: &Ctx<'_>, ty: &TypeRef, value: &TokenStream, depth: u32) -> Option<TokenStream> {
    let mut out = Vec::new();
    let c = &ty.constraints;
    if let Some((min, max)) = c.length {
        let min = opt_u64(min);
        let max = opt_u64(max);
        match &ty.kind {
            Kind::String => out.push(quote!(v.length_str(#value, #min, #max);)),
            Kind::Blob => out.push(quote!(v.length_bytes(#value.len(), #min, #max);)),
            Kind::List { .. } | Kind::Map { .. } => {
                out.push(quote!(v.length_items(#value.len(), #min, #max);))
            }
            _ => {}
        }
    }
    if let Some((min, max)) = &c.range {
        out.extend(range_check(ty, value, min.as_deref(), max.as_deref()));
    }
    if let (Some(i), Kind::String) = (c.pattern, &ty.kind) {
        let p = format_ident!("PATTERN_{}", i);
        out.push(quote!(v.pattern(#value, &super::patterns::#p);));
    }
    if c.unique_items
        && let Kind::List { .. } = ty.kind
    {
        out.push(quote! {
                v.unique_items(#value.iter().enumerate().any(|(i, a)| #value.iter().take(i).any(|b| b == a)));
            });
    }
    let item = format_ident!("item{}", depth);
    let key = format_ident!("key{}", depth);
    match &ty.kind {
        Kind::Enum(n) => {
            let n = ident(n);
            out.push(quote!(v.enum_value(#value.is_known(), super::types::#n::VALUES);));
        }
        Kind::IntEnum(n) => {
            let values: Vec<String> = match ctx.svc.types.get(n) {
                Some(TypeDef::IntEnum(e)) => {
                    e.values.iter().map(|v| v.int_value.to_string()).collect()
                }
                _ => Vec::new(),
            };
            out.push(quote!(v.enum_value(#value.is_known(), &[#(#values),*]);));
        }
        Kind::Struct(n) | Kind::Union(n) if ctx.validation.needs(n) => {
            out.push(quote!(#value.validate_into(v);));
        }
        Kind::List { member, sparse } => {
            if let Some(inner) = checks(ctx, member, &quote!(#item), depth + 1) {
                let bind = if *sparse {
                    quote!(if let ::std::option::Option::Some(#item) = #item { #inner })
                } else {
                    inner
                };
                out.push(quote! {
                    for (i, #item) in #value.iter().enumerate() {
                        v.enter_index(i);
                        #bind
                        v.exit();
                    }
                });
            }
        }
        Kind::Map {
            key: k,
            value: val,
            sparse,
        } => {
            let kc = checks(ctx, k, &quote!(#key), depth + 1);
            let vc = checks(ctx, val, &quote!(#item), depth + 1);
            if kc.is_some() || vc.is_some() {
                let sensitive = ty.sensitive || k.sensitive;
                let key_str = match k.kind {
                    Kind::Enum(_) => quote!(#key.as_str()),
                    _ => quote!(#key.as_str()),
                };
                let vc = match (vc, sparse) {
                    (Some(vc), true) => {
                        quote!(if let ::std::option::Option::Some(#item) = #item { #vc })
                    }
                    (Some(vc), false) => vc,
                    (None, _) => TokenStream::new(),
                };
                let kc = kc.unwrap_or_default();
                let item_pat = if vc.is_empty() {
                    quote!(_)
                } else {
                    quote!(#item)
                };
                out.push(quote! {
                    for (#key, #item_pat) in #value.iter() {
                        v.enter_key(#key_str, #sensitive);
                        #kc
                        #vc
                        v.exit();
                    }
                });
            }
        }
        _ => {}
    }
    (!out.is_empty()).then(|| quote!(#(#out)*))
}

fn opt_u64(v: Option<u64>) -> TokenStream {
    match v {
        Some(n) => {
            let n = Literal::u64_unsuffixed(n);
            quote!(::std::option::Option::Some(#n))
        }
        None => quote!(::std::option::Option::None),
    }
}

/// A range check; integer kinds compare as `i64` unless a bound is fractional, floats as `f64`.
fn range_check(
    ty: &TypeRef,
    value: &TokenStream,
    min: Option<&str>,
    max: Option<&str>,
) -> Option<TokenStream> {
    let integer = matches!(
        ty.kind,
        Kind::Byte | Kind::Short | Kind::Integer | Kind::Long
    );
    let float = matches!(ty.kind, Kind::Float | Kind::Double);
    if !integer && !float {
        return None;
    }
    let as_i64 = |s: Option<&str>| -> Option<Option<i64>> {
        match s {
            None => Some(None),
            Some(t) => t.parse::<i64>().ok().map(Some),
        }
    };
    if integer && let (Some(lo), Some(hi)) = (as_i64(min), as_i64(max)) {
        let lo = opt_i64(lo);
        let hi = opt_i64(hi);
        let conv = if matches!(ty.kind, Kind::Long) {
            quote!(*#value)
        } else {
            quote!(i64::from(*#value))
        };
        return Some(quote!(v.range_i64(#conv, #lo, #hi);));
    }
    let as_f64 = |s: Option<&str>| -> TokenStream {
        match s
            .and_then(|t| t.parse::<f64>().ok())
            .filter(|f| f.is_finite())
        {
            Some(f) => {
                let f = Literal::f64_unsuffixed(f);
                quote!(::std::option::Option::Some(#f))
            }
            None => quote!(::std::option::Option::None),
        }
    };
    let lo = as_f64(min);
    let hi = as_f64(max);
    let conv = match ty.kind {
        Kind::Long => quote!((*#value as f64)),
        Kind::Double => quote!(*#value),
        _ => quote!(f64::from(*#value)),
    };
    Some(quote!(v.range_f64(#conv, #lo, #hi);))
}

fn opt_i64(v: Option<i64>) -> TokenStream {
    match v {
        Some(n) => {
            let n = Literal::i64_unsuffixed(n);
            quote!(::std::option::Option::Some(#n))
        }
        None => quote!(::std::option::Option::None),
    }
}

/// `expr.unwrap_or(..)` / `unwrap_or_else(|| ..)` / `unwrap_or_default()` for an `Option`
/// expression and a `@default` value, choosing the form clippy accepts: eager for literals and
/// constructors, lazy for anything that allocates.
pub(crate) fn unwrap_default(
    ctx: &Ctx<'_>,
    ty: &TypeRef,
    node: &Node,
    expr: TokenStream,
    boxed: bool,
) -> TokenStream {
    let value = default_value(ctx, ty, node);
    if boxed {
        return quote!(#expr.unwrap_or_else(|| ::std::boxed::Box::new(#value)));
    }
    let eager = match &ty.kind {
        Kind::Bool
        | Kind::Byte
        | Kind::Short
        | Kind::Integer
        | Kind::Long
        | Kind::Float
        | Kind::Double
        | Kind::IntEnum(_) => true,
        Kind::Document => matches!(
            node.value,
            NodeValue::Null | NodeValue::Bool(_) | NodeValue::Number(_)
        ),
        _ => false,
    };
    match &ty.kind {
        Kind::List { .. } | Kind::Map { .. } => quote!(#expr.unwrap_or_default()),
        _ if eager => quote!(#expr.unwrap_or(#value)),
        _ => quote!(#expr.unwrap_or_else(|| #value)),
    }
}

/// The Rust expression for a `@default` value of type `ty`.
pub(crate) fn default_value(ctx: &Ctx<'_>, ty: &TypeRef, node: &Node) -> TokenStream {
    let rt = &ctx.rt;
    let num_i = |n: &Node| n.as_number().and_then(|n| n.as_i64()).unwrap_or(0);
    let num_f = |n: &Node| n.as_number().and_then(|n| n.as_f64()).unwrap_or(0.0);
    match &ty.kind {
        Kind::String => {
            let s = node.as_str().unwrap_or_default();
            quote!(::std::string::String::from(#s))
        }
        Kind::Bool => {
            let b = node.as_bool().unwrap_or(false);
            quote!(#b)
        }
        Kind::Byte => {
            let v = Literal::i8_suffixed(i8::try_from(num_i(node)).unwrap_or(0));
            quote!(#v)
        }
        Kind::Short => {
            let v = Literal::i16_suffixed(i16::try_from(num_i(node)).unwrap_or(0));
            quote!(#v)
        }
        Kind::Integer => {
            let v = Literal::i32_suffixed(i32::try_from(num_i(node)).unwrap_or(0));
            quote!(#v)
        }
        Kind::Long => {
            let v = Literal::i64_suffixed(num_i(node));
            quote!(#v)
        }
        Kind::Float => {
            let v = Literal::f32_suffixed(num_f(node) as f32);
            quote!(#v)
        }
        Kind::Double => {
            let v = Literal::f64_suffixed(num_f(node));
            quote!(#v)
        }
        Kind::Enum(n) => {
            let n = ident(n);
            let s = node.as_str().unwrap_or_default();
            quote!(super::types::#n::from(#s))
        }
        Kind::IntEnum(n) => {
            let n = ident(n);
            let v = Literal::i32_unsuffixed(i32::try_from(num_i(node)).unwrap_or(0));
            quote!(super::types::#n(#v))
        }
        Kind::List { .. } => quote!(::std::vec::Vec::new()),
        Kind::Map { .. } => quote!(::std::collections::BTreeMap::new()),
        Kind::Blob => {
            let bytes = node.as_str().and_then(decode_base64).unwrap_or_default();
            let bytes = bytes.iter().map(|b| Literal::u8_unsuffixed(*b));
            quote!(#rt::Blob::new(::std::vec![#(#bytes),*]))
        }
        Kind::Timestamp => match &node.value {
            NodeValue::Number(n) => {
                let secs = n.as_f64().unwrap_or(0.0);
                let whole = secs.floor();
                let nanos = ((secs - whole) * 1e9).round().clamp(0.0, 999_999_999.0) as u32;
                let whole = Literal::i64_unsuffixed(whole as i64);
                let nanos = Literal::u32_unsuffixed(nanos);
                quote!(#rt::DateTime::from_secs_and_nanos(#whole, #nanos))
            }
            _ => {
                let s = node.as_str().unwrap_or_default();
                quote!(#rt::DateTime::parse(#rt::TimestampFormat::DateTime, #s).unwrap_or(#rt::DateTime::from_secs(0)))
            }
        },
        Kind::Document => document_value(rt, node),
        Kind::BigInteger | Kind::BigDecimal => {
            let text = match &node.value {
                NodeValue::Number(n) => n.as_text().to_string(),
                NodeValue::String(s) => s.clone(),
                _ => "0".to_string(),
            };
            let t = if matches!(ty.kind, Kind::BigInteger) {
                quote!(#rt::BigInteger)
            } else {
                quote!(#rt::BigDecimal)
            };
            quote!(#text.parse::<#t>().unwrap_or_else(|_| #t::from(0i64)))
        }
        Kind::Struct(_) | Kind::Union(_) => quote!(::std::default::Default::default()),
    }
}

fn document_value(rt: &TokenStream, node: &Node) -> TokenStream {
    match &node.value {
        NodeValue::Null => quote!(#rt::Document::Null),
        NodeValue::Bool(b) => quote!(#rt::Document::Bool(#b)),
        NodeValue::Number(n) => {
            if let Some(i) = n.as_i64() {
                if i >= 0 {
                    let v = Literal::u64_unsuffixed(i as u64);
                    quote!(#rt::Document::Number(#rt::document::Number::PosInt(#v)))
                } else {
                    let v = Literal::i64_unsuffixed(i);
                    quote!(#rt::Document::Number(#rt::document::Number::NegInt(#v)))
                }
            } else {
                let v =
                    Literal::f64_unsuffixed(n.as_f64().filter(|f| f.is_finite()).unwrap_or(0.0));
                quote!(#rt::Document::Number(#rt::document::Number::Float(#v)))
            }
        }
        NodeValue::String(s) => quote!(#rt::Document::String(::std::string::String::from(#s))),
        NodeValue::Array(items) => {
            let items = items.iter().map(|i| document_value(rt, i));
            quote!(#rt::Document::Array(::std::vec![#(#items),*]))
        }
        NodeValue::Object(entries) => {
            let mut sorted: BTreeMap<&str, &Node> = BTreeMap::new();
            for (k, v) in entries {
                sorted.insert(k, v);
            }
            let entries = sorted.iter().map(|(k, v)| {
                let v = document_value(rt, v);
                quote!((::std::string::String::from(#k), #v))
            });
            quote!(#rt::Document::Object(::std::collections::BTreeMap::from([#(#entries),*])))
        }
    }
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0u32;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((buf >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}
