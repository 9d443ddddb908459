//! Input validation reporting: every constraint violation, each with the path of the value.
//!
//! Generated validators walk an input with a [`Validator`], entering fields, list indexes
//! and map keys, and call a check at each constrained value. [`Validator::finish`] returns
//! all violations at once. Messages never include the checked value, which may be
//! sensitive; the path includes map keys unless the key shape is sensitive.

use crate::pattern::Pattern;
use std::fmt::{self, Write as _};

/// Most violations kept; further ones are only counted.
const MAX_VIOLATIONS: usize = 100;
/// Most violations shown by `Display`.
const MAX_DISPLAYED: usize = 20;
/// Map keys longer than this (in characters) are truncated in paths.
const MAX_KEY_CHARS: usize = 64;

#[derive(Clone, Debug)]
enum Segment {
    Field(&'static str),
    Index(usize),
    /// Already rendered (`["key"]` or `[*]`) in `Validator::keys`, from this offset to the
    /// next key's (or the end).
    Key(usize),
}

/// Collects constraint violations while walking an input.
#[derive(Debug, Default)]
pub struct Validator {
    path: Vec<Segment>,
    /// The rendered keys of the `Segment::Key`s in `path`, one after the other (one buffer,
    /// so that entering a key does not allocate).
    keys: String,
    violations: Vec<Violation>,
    omitted: usize,
}

impl Validator {
    /// A validator at the root of the input.
    pub fn new() -> Self {
        Validator::default()
    }

    /// Descends into member `name` of the current structure.
    #[inline]
    pub fn enter_field(&mut self, name: &'static str) {
        self.path.push(Segment::Field(name));
    }

    /// Descends into element `index` of the current list.
    #[inline]
    pub fn enter_index(&mut self, index: usize) {
        self.path.push(Segment::Index(index));
    }

    /// Descends into the value at `key` of the current map. A `sensitive` key shows as `[*]`.
    pub fn enter_key(&mut self, key: &str, sensitive: bool) {
        let start = self.keys.len();
        let s = &mut self.keys;
        if sensitive {
            s.push_str("[*]");
        } else {
            s.push_str("[\"");
            let mut chars = key.chars();
            for c in chars.by_ref().take(MAX_KEY_CHARS) {
                match c {
                    '"' => s.push_str("\\\""),
                    '\\' => s.push_str("\\\\"),
                    c if c.is_control() => {
                        let _ = write!(s, "\\u{{{:x}}}", u32::from(c));
                    }
                    c => s.push(c),
                }
            }
            if chars.next().is_some() {
                s.push('…');
            }
            s.push_str("\"]");
        }
        self.path.push(Segment::Key(start));
    }

    /// Leaves the innermost field, index or key.
    #[inline]
    pub fn exit(&mut self) {
        if let Some(Segment::Key(start)) = self.path.pop() {
            self.keys.truncate(start);
        }
    }

    /// Whether any violation has been recorded.
    pub fn has_violations(&self) -> bool {
        !self.violations.is_empty() || self.omitted > 0
    }

    fn render_path(&self, extra: Option<&'static str>) -> String {
        let mut out = String::new();
        let extra = extra.map(Segment::Field);
        let segments: Vec<&Segment> = self.path.iter().chain(extra.as_ref()).collect();
        for (n, seg) in segments.iter().enumerate() {
            match seg {
                Segment::Field(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                Segment::Index(i) => {
                    let _ = write!(out, "[{i}]");
                }
                Segment::Key(start) => {
                    // This key's text ends where the next key's starts.
                    let end = segments
                        .get(n + 1..)
                        .unwrap_or_default()
                        .iter()
                        .find_map(|s| match s {
                            Segment::Key(next) => Some(*next),
                            _ => None,
                        })
                        .unwrap_or(self.keys.len());
                    out.push_str(self.keys.get(*start..end).unwrap_or_default());
                }
            }
        }
        out
    }

    fn push(&mut self, extra: Option<&'static str>, kind: ViolationKind) {
        if self.violations.len() >= MAX_VIOLATIONS {
            self.omitted = self.omitted.saturating_add(1);
            return;
        }
        let path = self.render_path(extra);
        self.violations.push(Violation { path, kind });
    }

    fn length(&mut self, unit: LengthUnit, actual: usize, min: Option<u64>, max: Option<u64>) {
        let actual = u64::try_from(actual).unwrap_or(u64::MAX);
        let too_short = min.is_some_and(|m| actual < m);
        let too_long = max.is_some_and(|m| actual > m);
        if too_short || too_long {
            self.push(
                None,
                ViolationKind::Length {
                    actual,
                    min,
                    max,
                    unit,
                },
            );
        }
    }

    /// `@length` on string `s`, counting Unicode scalar values only when the byte length
    /// alone cannot decide (`s.len()` bytes are between `s.len() / 4` and `s.len()` chars).
    #[inline]
    pub fn length_str(&mut self, s: &str, min: Option<u64>, max: Option<u64>) {
        let bytes = u64::try_from(s.len()).unwrap_or(u64::MAX);
        let fewest = bytes.div_ceil(4);
        if min.is_none_or(|m| fewest >= m) && max.is_none_or(|m| bytes <= m) {
            return;
        }
        self.length_chars(s.chars().count(), min, max);
    }

    /// `@length` on a string: `actual` counts Unicode scalar values (`s.chars().count()`).
    #[inline]
    pub fn length_chars(&mut self, actual: usize, min: Option<u64>, max: Option<u64>) {
        self.length(LengthUnit::Characters, actual, min, max);
    }

    /// `@length` on a list or map: `actual` counts entries.
    #[inline]
    pub fn length_items(&mut self, actual: usize, min: Option<u64>, max: Option<u64>) {
        self.length(LengthUnit::Entries, actual, min, max);
    }

    /// `@length` on a blob: `actual` counts bytes.
    pub fn length_bytes(&mut self, actual: usize, min: Option<u64>, max: Option<u64>) {
        self.length(LengthUnit::Bytes, actual, min, max);
    }

    /// `@range` on an integer type.
    pub fn range_i64(&mut self, v: i64, min: Option<i64>, max: Option<i64>) {
        if min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m) {
            self.push(
                None,
                ViolationKind::Range {
                    min: min.map(|m| m.to_string()),
                    max: max.map(|m| m.to_string()),
                },
            );
        }
    }

    /// `@range` on a float type. NaN is outside every range.
    pub fn range_f64(&mut self, v: f64, min: Option<f64>, max: Option<f64>) {
        let below = min.is_some_and(|m| v.is_nan() || v < m);
        let above = max.is_some_and(|m| v.is_nan() || v > m);
        if below || above {
            self.push(
                None,
                ViolationKind::Range {
                    min: min.map(format_bound),
                    max: max.map(format_bound),
                },
            );
        }
    }

    /// `@pattern` on a string.
    #[inline]
    pub fn pattern(&mut self, s: &str, p: &Pattern) {
        if !p.is_match(s) {
            self.push(
                None,
                ViolationKind::Pattern {
                    pattern: p.source(),
                },
            );
        }
    }

    /// `@enum`/`enum` shape: `known` is whether the value is one of `allowed`.
    pub fn enum_value(&mut self, known: bool, allowed: &'static [&'static str]) {
        if !known {
            self.push(None, ViolationKind::Enum { allowed });
        }
    }

    /// `@uniqueItems` on a list.
    pub fn unique_items(&mut self, has_duplicates: bool) {
        if has_duplicates {
            self.push(None, ViolationKind::UniqueItems);
        }
    }

    /// A `@required` member `field` of the current structure is missing.
    pub fn required(&mut self, field: &'static str) {
        self.push(Some(field), ViolationKind::Required);
    }

    /// The current value is a union variant this client does not know, which cannot be sent.
    pub fn unknown_variant(&mut self) {
        self.push(None, ViolationKind::UnknownVariant);
    }

    /// Every violation so far as an error (possibly empty), for callers that have already
    /// established that something was violated.
    pub fn into_error(self) -> ValidationError {
        ValidationError {
            violations: self.violations,
            omitted: self.omitted,
        }
    }

    /// `Ok` if nothing was violated, else every violation.
    pub fn finish(self) -> Result<(), ValidationError> {
        if self.violations.is_empty() && self.omitted == 0 {
            Ok(())
        } else {
            Err(ValidationError {
                violations: self.violations,
                omitted: self.omitted,
            })
        }
    }
}

fn format_bound(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// What a length counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LengthUnit {
    /// Unicode scalar values of a string.
    Characters,
    /// Entries of a list or map.
    Entries,
    /// Bytes of a blob.
    Bytes,
}

impl LengthUnit {
    fn word(self, n: u64) -> &'static str {
        match (self, n == 1) {
            (LengthUnit::Characters, true) => "character",
            (LengthUnit::Characters, false) => "characters",
            (LengthUnit::Entries, true) => "entry",
            (LengthUnit::Entries, false) => "entries",
            (LengthUnit::Bytes, true) => "byte",
            (LengthUnit::Bytes, false) => "bytes",
        }
    }
}

/// The constraint a value violated.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ViolationKind {
    /// A required member is missing.
    Required,
    /// A length outside `@length`.
    Length {
        /// The length found.
        actual: u64,
        /// The minimum, if any.
        min: Option<u64>,
        /// The maximum, if any.
        max: Option<u64>,
        /// What the length counts.
        unit: LengthUnit,
    },
    /// A number outside `@range` (the bounds as text; the value is not kept).
    Range {
        /// The minimum, if any.
        min: Option<String>,
        /// The maximum, if any.
        max: Option<String>,
    },
    /// A string not matching `@pattern`.
    Pattern {
        /// The pattern source.
        pattern: &'static str,
    },
    /// A value not among an enum's values.
    Enum {
        /// The allowed values.
        allowed: &'static [&'static str],
    },
    /// A `@uniqueItems` list with duplicates.
    UniqueItems,
    /// A union set to a variant unknown to this client.
    UnknownVariant,
}

impl fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ViolationKind::Required => f.write_str("is required but missing"),
            ViolationKind::Length {
                actual,
                min,
                max,
                unit,
            } => {
                let word = unit.word(*actual);
                match (min, max) {
                    (Some(m), _) if actual < m => {
                        write!(f, "has {actual} {word}, fewer than the minimum {m}")
                    }
                    (_, Some(m)) if actual > m => {
                        write!(f, "has {actual} {word}, more than the maximum {m}")
                    }
                    _ => write!(f, "has {actual} {word}, outside the allowed length"),
                }
            }
            ViolationKind::Range { min, max } => match (min, max) {
                (Some(lo), Some(hi)) => write!(f, "must be between {lo} and {hi}"),
                (Some(lo), None) => write!(f, "must be at least {lo}"),
                (None, Some(hi)) => write!(f, "must be at most {hi}"),
                (None, None) => f.write_str("is out of range"),
            },
            ViolationKind::Pattern { pattern } => {
                write!(f, "does not match the pattern `{pattern}`")
            }
            ViolationKind::Enum { allowed } => {
                f.write_str("is not one of the allowed values")?;
                let mut sep = ": ";
                for v in allowed.iter().take(10) {
                    write!(f, "{sep}`{v}`")?;
                    sep = ", ";
                }
                if allowed.len() > 10 {
                    write!(f, " and {} more", allowed.len() - 10)?;
                }
                Ok(())
            }
            ViolationKind::UniqueItems => f.write_str("has duplicate items"),
            ViolationKind::UnknownVariant => {
                f.write_str("is a union variant this client does not know and cannot send")
            }
        }
    }
}

/// One violated constraint and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    path: String,
    kind: ViolationKind,
}

impl Violation {
    /// A violation at `path` (rendered like `tags[3].Key`).
    pub fn new(path: impl Into<String>, kind: ViolationKind) -> Self {
        Violation {
            path: path.into(),
            kind,
        }
    }

    /// The path of the offending value, e.g. `tags[3].Key`; empty for the input itself.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What was violated.
    pub fn kind(&self) -> &ViolationKind {
        &self.kind
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}: {}", self.path, self.kind)
        }
    }
}

/// The input failed validation; nothing was sent. Holds every violation found.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidationError {
    violations: Vec<Violation>,
    omitted: usize,
}

impl ValidationError {
    /// An error from violations (empty `violations` is allowed but unusual).
    pub fn new(violations: Vec<Violation>) -> Self {
        ValidationError {
            violations,
            omitted: 0,
        }
    }

    /// A single missing required value at `path`.
    pub fn missing_required(path: impl Into<String>) -> Self {
        ValidationError::new(vec![Violation::new(path, ViolationKind::Required)])
    }

    /// The violations kept (at most 100; see [`ValidationError::total`]).
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The number of violations found, including any not kept.
    pub fn total(&self) -> usize {
        self.violations.len().saturating_add(self.omitted)
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.total();
        let noun = if total == 1 { "error" } else { "errors" };
        write!(f, "{total} validation {noun}")?;
        let mut sep = ": ";
        for v in self.violations.iter().take(MAX_DISPLAYED) {
            write!(f, "{sep}{v}")?;
            sep = "; ";
        }
        let shown = self.violations.len().min(MAX_DISPLAYED);
        if total > shown {
            write!(f, "; and {} more", total - shown)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

#[cfg(test)]
mod tests {
    use super::*;

    static ARN: Pattern = Pattern::new("^arn:[a-z]+$", false);

    #[test]
    fn brief_example_message() {
        let mut v = Validator::new();
        v.enter_field("tags");
        v.length_items(201, Some(0), Some(200));
        v.exit();
        v.enter_field("identityProviderName");
        v.length_chars(33, Some(1), Some(32));
        v.exit();
        v.enter_field("portalArn");
        v.pattern("not-an-arn", &ARN);
        v.exit();
        let err = v.finish().unwrap_err();
        assert_eq!(
            err.to_string(),
            "3 validation errors: tags: has 201 entries, more than the maximum 200; \
             identityProviderName: has 33 characters, more than the maximum 32; \
             portalArn: does not match the pattern `^arn:[a-z]+$`"
        );
        assert_eq!(err.violations().len(), 3);
        assert_eq!(err.violations()[2].path(), "portalArn");
    }

    #[test]
    fn paths_render_fields_indexes_and_keys() {
        let mut v = Validator::new();
        v.enter_field("tags");
        v.enter_index(3);
        v.required("Key");
        v.exit();
        v.exit();
        v.enter_field("identityProviderDetails");
        v.enter_key("client_id", false);
        v.length_chars(0, Some(1), None);
        v.exit();
        v.enter_key("secret", true);
        v.length_chars(0, Some(1), None);
        v.exit();
        v.enter_key("a\"b\\c\n", false);
        v.unique_items(true);
        v.exit();
        v.enter_key(&"k".repeat(100), false);
        v.enum_value(false, &["A", "B"]);
        v.exit();
        v.exit();
        v.required("portalArn");
        let err = v.finish().unwrap_err();
        let paths: Vec<&str> = err.violations().iter().map(Violation::path).collect();
        let long_key = format!("identityProviderDetails[\"{}…\"]", "k".repeat(64));
        assert_eq!(
            paths,
            [
                "tags[3].Key",
                "identityProviderDetails[\"client_id\"]",
                "identityProviderDetails[*]",
                "identityProviderDetails[\"a\\\"b\\\\c\\u{a}\"]",
                long_key.as_str(),
                "portalArn",
            ]
        );
        assert_eq!(err.violations()[0].kind(), &ViolationKind::Required);
        assert_eq!(
            err.violations()[1].to_string(),
            "identityProviderDetails[\"client_id\"]: has 0 characters, fewer than the minimum 1"
        );
        assert_eq!(
            err.violations()[4].to_string(),
            format!("{long_key}: is not one of the allowed values: `A`, `B`")
        );
    }

    #[test]
    fn passing_checks_record_nothing() {
        let mut v = Validator::new();
        v.enter_field("x");
        v.length_chars(5, Some(1), Some(5));
        v.length_bytes(0, None, Some(3));
        v.range_i64(10, Some(10), Some(10));
        v.range_f64(0.5, Some(0.0), Some(1.0));
        v.pattern("arn:abc", &ARN);
        v.enum_value(true, &["A"]);
        v.unique_items(false);
        v.exit();
        assert!(!v.has_violations());
        assert_eq!(v.finish(), Ok(()));
    }

    #[test]
    fn range_messages_never_show_the_value() {
        let mut v = Validator::new();
        v.enter_field("count");
        v.range_i64(987_654, Some(1), Some(100));
        v.range_i64(-987_654, Some(1), None);
        v.range_f64(987.654, None, Some(1.5));
        v.range_f64(f64::NAN, Some(0.0), None);
        v.exit();
        let err = v.finish().unwrap_err();
        let text = err.to_string();
        assert!(!text.contains("987"), "{text}");
        assert_eq!(
            text,
            "4 validation errors: count: must be between 1 and 100; count: must be at least 1; \
             count: must be at most 1.5; count: must be at least 0"
        );
    }

    #[test]
    fn length_str_counts_characters_when_needed() {
        for (text, min, max) in [
            ("abcd", Some(4), Some(4)),
            ("abcd", Some(5), None),
            ("ééé", Some(1), Some(3)),
            ("ééé", None, Some(5)),
            ("ééé", Some(4), None),
            ("😀😀", Some(2), Some(2)),
            ("😀😀", Some(3), None),
            ("", Some(0), Some(0)),
            ("", Some(1), None),
            ("x", None, None),
        ] {
            let mut fast = Validator::new();
            fast.length_str(text, min, max);
            let mut slow = Validator::new();
            slow.length_chars(text.chars().count(), min, max);
            assert_eq!(fast.finish(), slow.finish(), "{text:?} {min:?} {max:?}");
        }
    }

    #[test]
    fn nested_keys_render_and_unwind() {
        let mut v = Validator::new();
        v.enter_field("m");
        v.enter_key("outer", false);
        v.enter_key("inner", false);
        v.required("a");
        v.exit();
        v.enter_key("secret", true);
        v.required("b");
        v.exit();
        v.required("c");
        v.exit();
        v.enter_key("x", false);
        v.required("d");
        v.exit();
        v.exit();
        let err = v.finish().unwrap_err();
        let paths: Vec<&str> = err.violations().iter().map(Violation::path).collect();
        assert_eq!(
            paths,
            [
                "m[\"outer\"][\"inner\"].a",
                "m[\"outer\"][*].b",
                "m[\"outer\"].c",
                "m[\"x\"].d",
            ]
        );
    }

    #[test]
    fn singular_units_and_minimums() {
        let mut v = Validator::new();
        v.enter_field("b");
        v.length_bytes(1, Some(2), None);
        v.exit();
        let err = v.finish().unwrap_err();
        assert_eq!(
            err.to_string(),
            "1 validation error: b: has 1 byte, fewer than the minimum 2"
        );
    }

    #[test]
    fn many_violations_are_capped() {
        let mut v = Validator::new();
        v.enter_field("items");
        for i in 0..250 {
            v.enter_index(i);
            v.required("Name");
            v.exit();
        }
        v.exit();
        let err = v.finish().unwrap_err();
        assert_eq!(err.total(), 250);
        assert_eq!(err.violations().len(), MAX_VIOLATIONS);
        let text = err.to_string();
        assert!(text.starts_with("250 validation errors: items[0].Name: is required but missing;"));
        assert!(text.ends_with("; and 230 more"), "{text}");
        assert_eq!(
            ValidationError::missing_required("a.b").to_string(),
            "1 validation error: a.b: is required but missing"
        );
    }
}
