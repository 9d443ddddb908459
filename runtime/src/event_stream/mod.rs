//! The generated event-stream API's runtime side: an operation's output stream is an
//! [`EventReceiver`] of its typed event union, its input stream an [`EventStreamSender`];
//! [`invoke`] sends the request and reads the initial response. Messages are read and
//! written through the client's protocol ([`crate::protocol::Protocol::read_event_body`]
//! and `write_event_body`), so every protocol with event streams shares this code; the
//! framing is [`crate::codec::event_stream`], the per-message signatures [`signing`].

mod de;
mod receiver;
mod sender;
mod ser;
pub mod signing;

pub use receiver::{EventReceiver, RawEvents};
pub use sender::{BoxEvent, EventStreamSender, Events};
pub(crate) use sender::{SignerSlot, body};

use crate::codec::{DeserializeShape, SerializeStruct};
use crate::error::{ConstructionError, ResponseError, SdkError};
use crate::protocol::{Operation, OperationError, read_error, read_output};
use crate::{Handle, http::HttpResponse};

/// Sends `input` as `op`, an operation with an event stream: `events` (the input stream,
/// when it has one) become the request body. Returns the output (its members bound to the
/// response head or, for RPC protocols, sent in an `initial-response` event) and the
/// events of the response, for the generated code to put in the output's stream member.
pub async fn invoke<O: DeserializeShape, E: OperationError>(
    handle: &Handle,
    op: &'static Operation,
    input: &(dyn SerializeStruct + Sync),
    events: Option<Events>,
) -> Result<(O, RawEvents), SdkError<E>> {
    let response = handle
        .call_event_stream(op, input, events)
        .await
        .map_err(crate::error::SendError::widen)?;
    let Some(protocol) = handle.protocol() else {
        return Err(SdkError::Construction(ConstructionError::new(
            "this client has no runtime protocol",
        )));
    };
    if !response.is_success() {
        // An error response: read whole, as every error response is.
        let response = response
            .into_buffered(crate::http::DEFAULT_MAX_RESPONSE_BODY)
            .await
            .map_err(SdkError::Transport)?;
        return Err(read_error(protocol, handle.service(), op, &response));
    }
    let head = HttpResponse {
        status: response.status,
        headers: response.headers,
        body: bytes::Bytes::new(),
    };
    let request_id = crate::error::rest_json::request_id(&head);
    let mut raw = RawEvents::new(response.body, protocol, op, head.status, request_id);
    let output = if protocol.initial_message_events() {
        initial_response(&mut raw, &head).await?
    } else {
        read_output(protocol, op, &head)?
    };
    Ok((output, raw))
}

/// The output of an RPC protocol's event stream, from its first message when that is an
/// `initial-response` event (any other message is put back, and the output read from
/// nothing: all its members are then unset).
async fn initial_response<O: DeserializeShape, E>(
    raw: &mut RawEvents,
    head: &HttpResponse,
) -> Result<O, SdkError<E>> {
    let first = raw
        .next_message()
        .await
        .map_err(crate::error::SendError::widen)?;
    let payload = match first {
        Some(m) if m.event_type() == Some("initial-response") => m.payload,
        Some(m) => {
            raw.push_back(m);
            bytes::Bytes::new()
        }
        None => bytes::Bytes::new(),
    };
    let protocol = raw.protocol();
    let root = crate::schema::Member::root(raw.operation().output);
    let mut out = None;
    protocol
        .read_event_body(&payload, raw.operation().output.name, &mut |d| {
            out = Some(O::deserialize(d, &root)?);
            Ok(())
        })
        .map_err(|e| SdkError::Response(ResponseError::new(head.status, e.to_string())))?;
    out.ok_or_else(|| SdkError::Response(ResponseError::new(head.status, "no output was read")))
}
