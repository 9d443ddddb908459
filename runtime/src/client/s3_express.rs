//! S3 Express One Zone session auth (`sigv4-s3express`): requests to a directory bucket are
//! signed with short-lived session credentials that S3's `CreateSession` hands out for that
//! bucket, with the session token in `x-amz-s3session-token` (not `x-amz-security-token`).
//!
//! The endpoint rules choose the scheme: directory-bucket endpoints offer `sigv4-s3express`,
//! unless `DisableS3ExpressSessionAuth` is set (or the operation is `CreateSession` itself,
//! which sets it statically), in which case they offer plain `sigv4` and nothing here runs.
//! Sessions are cached per bucket endpoint and identity, shared by clones of a client, and
//! renewed a minute before they expire (they last five minutes).

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use http::header::{HeaderValue, USER_AGENT};

use super::{Handle, ResolvedEndpoint};
use crate::credentials::Credentials;
use crate::error::ConfigError;
use crate::http::HttpRequest;

/// The header S3 Express reads the session token from.
pub(crate) const SESSION_TOKEN_HEADER: &str = "x-amz-s3session-token";
/// The auth scheme name in the endpoint's `authSchemes`.
pub(crate) const SCHEME: &str = "sigv4-s3express";
/// A session this close to its expiry is renewed first.
const RENEW_BEFORE: Duration = Duration::from_secs(60);

/// The sessions of one client: by (bucket endpoint, access key id).
#[derive(Default)]
pub(super) struct ExpressSessions {
    sessions: tokio::sync::Mutex<HashMap<(String, String), Credentials>>,
}

impl Handle {
    /// The session credentials for the directory bucket at `endpoint`, from the cache or a
    /// new `CreateSession` signed with `base` (one at a time per client).
    pub(super) async fn express_session(
        &self,
        endpoint: &ResolvedEndpoint,
        base: &Credentials,
        region: &str,
        service: &str,
    ) -> Result<Credentials, ConfigError> {
        let key = (endpoint.base.clone(), base.access_key_id().to_owned());
        let mut sessions = self.inner.express.sessions.lock().await;
        if let Some(session) = sessions.get(&key)
            && session
                .expires_at()
                .is_some_and(|t| t > SystemTime::now() + RENEW_BEFORE)
        {
            return Ok(session.clone());
        }
        let session = self.create_session(endpoint, base, region, service).await?;
        sessions.insert(key, session.clone());
        Ok(session)
    }

    /// `GET <bucket endpoint>/?session`, signed with SigV4 and the base credentials.
    async fn create_session(
        &self,
        endpoint: &ResolvedEndpoint,
        base: &Credentials,
        region: &str,
        service: &str,
    ) -> Result<Credentials, ConfigError> {
        let failed = |why: String| ConfigError::new(format!("S3 Express CreateSession {why}"));
        let client = self
            .inner
            .config
            .http_client
            .clone()
            .ok_or_else(|| ConfigError::new("no HTTP client configured"))?;
        let mut request = HttpRequest::new(http::Method::GET, session_uri(&endpoint.base));
        for (name, value) in &endpoint.headers {
            request.headers.append(name.clone(), value.clone());
        }
        request
            .headers
            .insert(USER_AGENT, self.inner.user_agent.clone());
        request.headers.insert(
            http::header::HeaderName::from_static("x-amz-create-session-mode"),
            HeaderValue::from_static("ReadWrite"),
        );
        let mut settings = crate::sigv4::SigningSettings::for_service(service);
        settings.double_uri_encode = false;
        let params = crate::sigv4::SigningParams {
            credentials: base,
            region,
            service,
            time: SystemTime::now(),
        };
        crate::sigv4::sign_with_settings(&mut request, &params, &settings)
            .map_err(|e| failed(format!("could not be signed: {e}")))?;
        let response = client
            .send(request)
            .await
            .map_err(|e| failed(format!("failed: {e}")))?;
        let protocol = self
            .inner
            .protocol
            .ok_or_else(|| failed("needs the service's protocol".to_owned()))?;
        protocol
            .express_session(&response)
            .unwrap_or_else(|| Err(format!("is not spoken by {}", protocol.id())))
            .map_err(failed)
    }
}

/// The `CreateSession` URL of a bucket endpoint: `https://bucket.host/?session`, or
/// `http://host/bucket?session` for a path-style one.
fn session_uri(base: &str) -> String {
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let has_path = base
        .get(after_scheme..)
        .is_some_and(|rest| rest.contains('/'));
    if has_path {
        format!("{base}?session")
    } else {
        format!("{base}/?session")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_urls_for_virtual_hosted_and_path_style_endpoints() {
        assert_eq!(
            session_uri("https://b--use1-az4--x-s3.s3express-use1-az4.us-east-1.amazonaws.com"),
            "https://b--use1-az4--x-s3.s3express-use1-az4.us-east-1.amazonaws.com/?session"
        );
        assert_eq!(
            session_uri("http://127.0.0.1:9000/b--use1-az4--x-s3"),
            "http://127.0.0.1:9000/b--use1-az4--x-s3?session"
        );
    }
}
