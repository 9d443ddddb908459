//! The `authSchemes` property of a resolved endpoint: how its requests are signed.
//!
//! Endpoint rules list the schemes the endpoint accepts, most preferred first, each with its
//! signing name and region (or region set) and whether the path is encoded once only
//! (`disableDoubleEncoding`, S3). [`AuthScheme::select`] picks the first one this runtime can
//! sign: `sigv4`, or `sigv4-s3express`, which is signed as plain SigV4 with the regular
//! credentials (what S3 accepts when session auth is disabled; S3 Express sessions,
//! `CreateSession`, are not implemented). An endpoint that offers only `sigv4a` cannot be
//! signed: [`AuthScheme::unsupported`] names it.

use serde_json::{Map, Value as Json};

/// The signing scheme chosen for an endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthScheme {
    /// The scheme's name as the rules give it (`sigv4`, `sigv4-s3express`).
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
const SUPPORTED: &[&str] = &["sigv4", "sigv4-s3express"];

impl AuthScheme {
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
        assert_eq!(s.name, "sigv4");
        assert_eq!(s.signing_region.as_deref(), Some("us-west-2"));
        assert_eq!(s.disable_double_encoding, Some(true));
        assert_eq!(s.unsupported, None);
        let s = AuthScheme::select(&props(serde_json::json!([
            {"name": "sigv4a", "signingName": "s3", "signingRegionSet": ["*"]}
        ])));
        assert_eq!(s.unsupported.as_deref(), Some("sigv4a"));
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
