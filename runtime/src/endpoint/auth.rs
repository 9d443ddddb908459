//! The `authSchemes` property of a resolved endpoint: how its requests are signed.
//!
//! Endpoint rules list the schemes the endpoint accepts, most preferred first, each with its
//! signing name and region (or region set) and whether the path is encoded once only
//! (`disableDoubleEncoding`, S3). [`AuthScheme::select`] picks the first one this runtime can
//! sign: `sigv4`; `sigv4a` with the `sigv4a` feature (signed by the `sigv4a` module for the
//! `signingRegionSet`, `*` by default); or `sigv4-s3express`, signed with SigV4 and the
//! directory bucket's S3 Express session credentials (`client/s3_express.rs`: `CreateSession`,
//! cached per bucket). The rules' order is their preference, so
//! with the feature an endpoint listing `sigv4a` before `sigv4` is signed with SigV4a. An
//! endpoint that offers none of these cannot be signed: [`AuthScheme::unsupported`] names its
//! schemes (without the feature, a `sigv4a`-only endpoint is one).

use serde_json::{Map, Value as Json};

/// The signing scheme chosen for an endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthScheme {
    /// The scheme's name as the rules give it (`sigv4`, `sigv4a`, `sigv4-s3express`).
    pub name: String,
    /// `signingName`: overrides the service's signing name.
    pub signing_name: Option<String>,
    /// `signingRegion`: overrides the configured region.
    pub signing_region: Option<String>,
    /// `signingRegionSet` (SigV4a schemes).
    pub signing_region_set: Option<Vec<String>>,
    /// `disableDoubleEncoding`: when true the path is URI-encoded once only.
    pub disable_double_encoding: Option<bool>,
    /// Set when the endpoint offers schemes but none this runtime signs: their names.
    pub unsupported: Option<String>,
}

/// The schemes signed here, in the sense of [`AuthScheme::select`].
#[cfg(feature = "sigv4a")]
const SUPPORTED: &[&str] = &["sigv4", "sigv4a", "sigv4-s3express"];
#[cfg(not(feature = "sigv4a"))]
const SUPPORTED: &[&str] = &["sigv4", "sigv4-s3express"];

impl AuthScheme {
    /// Whether the scheme is SigV4a (`sigv4a`), signed for a region set, not a region.
    pub fn is_sigv4a(&self) -> bool {
        self.name == "sigv4a"
    }

    /// The `x-amz-region-set` a SigV4a signature is made for: the `signingRegionSet`
    /// comma-joined, or `*` (every region) when it is absent or empty.
    pub fn region_set(&self) -> String {
        match self.signing_region_set.as_deref() {
            Some(set) if set.iter().any(|r| !r.is_empty()) => set
                .iter()
                .filter(|r| !r.is_empty())
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(","),
            _ => "*".to_owned(),
        }
    }

    /// Whether the endpoint is refused only for want of the `sigv4a` feature: it offers
    /// `sigv4a` and nothing this build signs.
    pub fn needs_sigv4a_feature(&self) -> bool {
        !cfg!(feature = "sigv4a")
            && self
                .unsupported
                .as_deref()
                .is_some_and(|names| names.split(", ").any(|n| n == "sigv4a"))
    }

    /// The first supported scheme of the endpoint's `authSchemes` (the default scheme, with
    /// no overrides, when the property is absent or empty).
    pub fn select(properties: &Map<String, Json>) -> AuthScheme {
        let schemes = properties
            .get("authSchemes")
            .and_then(Json::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        fn name_of(s: &Json) -> &str {
            s.get("name").and_then(Json::as_str).unwrap_or_default()
        }
        let Some(scheme) = schemes.iter().find(|s| SUPPORTED.contains(&name_of(s))) else {
            let names: Vec<&str> = schemes.iter().map(name_of).collect();
            return AuthScheme {
                unsupported: (!names.is_empty()).then(|| names.join(", ")),
                ..AuthScheme::default()
            };
        };
        let text = |key: &str| scheme.get(key).and_then(Json::as_str).map(str::to_owned);
        AuthScheme {
            name: name_of(scheme).to_owned(),
            signing_name: text("signingName"),
            signing_region: text("signingRegion"),
            signing_region_set: scheme.get("signingRegionSet").and_then(Json::as_array).map(
                |set| {
                    set.iter()
                        .filter_map(Json::as_str)
                        .map(str::to_owned)
                        .collect()
                },
            ),
            disable_double_encoding: scheme.get("disableDoubleEncoding").and_then(Json::as_bool),
            unsupported: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(schemes: Json) -> Map<String, Json> {
        let mut m = Map::new();
        m.insert("authSchemes".into(), schemes);
        m
    }

    #[test]
    fn picks_the_first_supported_scheme() {
        let s = AuthScheme::select(&props(serde_json::json!([
            {"name": "sigv4a", "signingName": "s3", "signingRegionSet": ["*"]},
            {"name": "sigv4", "signingName": "s3", "signingRegion": "us-west-2", "disableDoubleEncoding": true}
        ])));
        if cfg!(feature = "sigv4a") {
            assert_eq!(s.name, "sigv4a");
            assert_eq!(s.signing_region_set, Some(vec!["*".to_owned()]));
        } else {
            assert_eq!(s.name, "sigv4");
            assert_eq!(s.signing_region.as_deref(), Some("us-west-2"));
            assert_eq!(s.disable_double_encoding, Some(true));
        }
        assert_eq!(s.unsupported, None);
        let s = AuthScheme::select(&props(serde_json::json!([
            {"name": "sigv4a", "signingName": "s3", "signingRegionSet": ["*"]}
        ])));
        if cfg!(feature = "sigv4a") {
            assert!(s.is_sigv4a() && s.unsupported.is_none() && !s.needs_sigv4a_feature());
        } else {
            assert_eq!(s.unsupported.as_deref(), Some("sigv4a"));
            assert!(s.needs_sigv4a_feature());
        }
        let s = AuthScheme::select(&props(serde_json::json!([{"name": "custom"}])));
        assert_eq!(s.unsupported.as_deref(), Some("custom"));
        assert!(!s.needs_sigv4a_feature());
        assert_eq!(s.region_set(), "*");
        let set = |v: &[&str]| AuthScheme {
            signing_region_set: Some(v.iter().map(|r| (*r).to_owned()).collect()),
            ..AuthScheme::default()
        };
        assert_eq!(set(&[]).region_set(), "*");
        assert_eq!(
            set(&["us-east-1", "us-west-2"]).region_set(),
            "us-east-1,us-west-2"
        );
        let s = AuthScheme::select(&props(serde_json::json!([
            {"name": "sigv4-s3express", "signingName": "s3express", "signingRegion": "us-east-1"}
        ])));
        assert_eq!(s.signing_name.as_deref(), Some("s3express"));
        assert_eq!(AuthScheme::select(&Map::new()), AuthScheme::default());
        assert_eq!(
            AuthScheme::select(&props(serde_json::json!("junk"))),
            AuthScheme::default()
        );
    }
}
