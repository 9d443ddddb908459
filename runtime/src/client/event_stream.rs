//! `Handle::call_event_stream`: the request of an event-stream operation, its input events
//! (if any) as a body of frames signed with the request's signature, sent over the HTTP
//! version the operation needs, exempt from stalled-stream protection.

use std::sync::{Arc, Mutex};

use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};

use super::{CallContext, Handle};
use crate::codec::SerializeStruct;
use crate::codec::event_stream::{HeaderValue as EventHeader, Message};
use crate::error::{ConstructionError, SdkError, SendError};
use crate::event_stream::Events;
use crate::http::StreamingResponse;
use crate::protocol::Operation;

/// The content type of an event-stream body.
const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";
/// The payload hash a request with a signed event-stream body is signed with.
const STREAMING_EVENTS: &str = "STREAMING-AWS4-HMAC-SHA256-EVENTS";

impl Handle {
    /// Sends `input` as `op`, an event-stream operation, with `events` (its input stream) as
    /// the body, and returns the response with its body unread. Never retried once the
    /// body has started: an input stream is read once.
    pub(crate) async fn call_event_stream(
        &self,
        op: &'static Operation,
        input: &(dyn SerializeStruct + Sync),
        events: Option<Events>,
    ) -> Result<StreamingResponse, SendError> {
        let (mut request, prefix) = self.serialize(op, input)?;
        request.event_stream = true;
        request.require_http2 = op.http2;
        let params = self.operation_params(op, input)?;
        let mut ctx = CallContext::new(op, params);
        let body = match events {
            None => None,
            Some(events) => {
                let protocol = self.protocol().ok_or_else(|| {
                    SdkError::Construction(ConstructionError::new(
                        "this client has no runtime protocol",
                    ))
                })?;
                // RPC protocols send the other input members in an `initial-request` event,
                // as the body they would have had.
                let initial = protocol
                    .initial_message_events()
                    .then(|| initial_request(&mut request));
                // The events are the body (an HTTP-binding protocol's is empty, or `{}`).
                request.body = bytes::Bytes::new();
                request
                    .headers
                    .insert(CONTENT_TYPE, HeaderValue::from_static(EVENT_STREAM));
                if self.inner.config.credentials.is_some() && !op.meta.unsigned {
                    request.headers.insert(
                        HeaderName::from_static("x-amz-content-sha256"),
                        HeaderValue::from_static(STREAMING_EVENTS),
                    );
                }
                let slot = Arc::new(Mutex::new(None));
                ctx.event_signer = Some(slot.clone());
                Some(crate::event_stream::body(initial, events, protocol, slot))
            }
        };
        self.dispatch_streaming_with(&op.meta, request, body, &prefix, ctx)
            .await
    }
}

/// The `initial-request` event of an RPC protocol: the body the protocol serialized (the
/// input's members but the stream), taken out of the request.
fn initial_request(request: &mut crate::http::HttpRequest) -> Message {
    let content_type = request
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| "application/json".to_owned(), str::to_owned);
    let body = std::mem::take(&mut request.body);
    Message::new(body)
        .with_header(":message-type", EventHeader::String("event".into()))
        .with_header(":event-type", EventHeader::String("initial-request".into()))
        .with_header(":content-type", EventHeader::String(content_type))
}
