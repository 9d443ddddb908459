//! Presigned requests: an operation's request, signed in its query string
//! ([`crate::presign`]) instead of sent, for anyone to send later (a browser, `curl`).

use std::time::SystemTime;

use super::Handle;
use crate::codec::SerializeStruct;
use crate::error::{ConfigError, SdkError, SendError};
use crate::presign::{PresignedRequest, PresigningConfig};
use crate::protocol::Operation;
use crate::schema::HttpBinding;

impl Handle {
    /// The request `op` would send for `input`, presigned for `config`'s lifetime: the
    /// method, the URL (the signature in its query) and the headers it must be sent with.
    ///
    /// The request goes through the same path as a call — the protocol's serializer, the
    /// endpoint (with the operation's own endpoint parameters), the host prefix — and is
    /// signed with the client's credentials, region and the endpoint's auth scheme; nothing
    /// is sent. S3 presigns `UNSIGNED-PAYLOAD` (the body, say of a `PutObject`, is sent by
    /// whoever uses the URL); for other services the body's hash is signed. For awsQuery and
    /// ec2Query the form parameters move into the query string, and the method becomes `GET`,
    /// as presigned query requests are sent.
    pub async fn presign(
        &self,
        op: &'static Operation,
        input: &(dyn SerializeStruct + Sync),
        config: &PresigningConfig,
    ) -> Result<PresignedRequest, SendError> {
        let (mut request, prefix) = self.serialize(op, input)?;
        let params = self.operation_params(op, input)?;
        let endpoint = self.endpoint_for(params).await.map_err(SdkError::Config)?;
        self.prepare(&mut request, &endpoint, &prefix)
            .map_err(SdkError::Config)?;
        form_to_query(&mut request);
        drop_default_content_type(op, input, &mut request);
        // Sent by whoever uses the URL: not signed here.
        request.headers.remove(http::header::CONTENT_LENGTH);
        request.headers.remove(http::header::USER_AGENT);
        let Some(signing) = self
            .signing_context(&endpoint)
            .await
            .map_err(SdkError::Config)?
        else {
            return Err(SdkError::Config(ConfigError::new(
                "presigning needs credentials: the client has none",
            )));
        };
        let time = SystemTime::now();
        let presigned = match &signing.region_set {
            #[cfg(feature = "sigv4a")]
            Some(region_set) => {
                let params = crate::sigv4a::SigningParams {
                    credentials: &signing.credentials,
                    region_set,
                    service: &signing.service,
                    time,
                };
                crate::presign::presign_sigv4a(&request, &params, &signing.settings, config)
            }
            _ => {
                let params = crate::sigv4::SigningParams {
                    credentials: &signing.credentials,
                    region: &signing.region,
                    service: &signing.service,
                    time,
                };
                crate::presign::presign(&request, &params, &signing.settings, config)
            }
        };
        presigned.map_err(|e| SdkError::Config(ConfigError::new(format!("presigning failed: {e}"))))
    }
}

/// A streamed payload's content type, unless the caller set one: the protocol's default
/// (`application/octet-stream`) would be signed, and whoever sends the body would have to
/// send exactly it.
fn drop_default_content_type(
    op: &Operation,
    input: &dyn SerializeStruct,
    request: &mut crate::http::HttpRequest,
) {
    let members = op.input.members;
    if !members.iter().any(|m| m.streaming) {
        return;
    }
    let set = members.iter().any(|m| {
        matches!(m.http, HttpBinding::Header(h) if h.eq_ignore_ascii_case("content-type"))
            && crate::protocol::string_member(input, m.name).is_some()
    });
    if !set {
        request.headers.remove(http::header::CONTENT_TYPE);
    }
}

/// A form body (awsQuery, ec2Query) moved into the query string of a `GET`.
fn form_to_query(request: &mut crate::http::HttpRequest) {
    let form = request
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return;
    }
    let body = String::from_utf8_lossy(&request.body).into_owned();
    if !body.is_empty() {
        request
            .uri
            .push(if request.uri.contains('?') { '&' } else { '?' });
        request.uri.push_str(&body);
    }
    request.body = bytes::Bytes::new();
    request.headers.remove(http::header::CONTENT_TYPE);
    request.method = http::Method::GET;
}
