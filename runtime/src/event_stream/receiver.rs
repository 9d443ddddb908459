//! [`EventReceiver`]: the output side of an event stream, a `Stream` of the operation's
//! typed event union read from the response body as it arrives.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::de::{EventStruct, EventUnion};
use crate::codec::event_stream::{Message, MessageDecoder, MessageType};
use crate::codec::{DeError, DeserializeShape, ShapeDeserializer};
use crate::error::{ErrorMetadata, ResponseError, SdkError, SendError};
use crate::http::TransportError;
use crate::protocol::{Operation, OperationError, Protocol};
use crate::schema::{Member, Schema, prelude};
use crate::stream::ByteStream;

/// The events of an operation's output stream: each item is an event of the union `T`, or
/// the operation's error `E` (a modeled exception event becomes its typed variant, an
/// unmodeled one `Unhandled` with the error's code and message), or a transport or framing
/// error. After an error the stream ends.
///
/// Read it with [`recv`](Self::recv) or as a [`futures_core::Stream`]. Dropping it closes
/// the response (and, over HTTP/2, cancels the request). `Debug` never shows events.
pub struct EventReceiver<T, E> {
    raw: Option<Box<RawEvents>>,
    _types: PhantomData<fn() -> (T, E)>,
}

impl<T, E> Default for EventReceiver<T, E> {
    /// A receiver with no events.
    fn default() -> Self {
        EventReceiver {
            raw: None,
            _types: PhantomData,
        }
    }
}

impl<T, E> fmt::Debug for EventReceiver<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.raw {
            None => "empty",
            Some(r) if r.done => "ended",
            Some(_) => "open",
        };
        f.debug_struct("EventReceiver")
            .field("state", &state)
            .finish()
    }
}

impl<T: DeserializeShape, E: OperationError> EventReceiver<T, E> {
    /// The receiver of the events in `raw` (what [`super::invoke`] returns).
    pub fn new(raw: RawEvents) -> Self {
        EventReceiver {
            raw: Some(Box::new(raw)),
            _types: PhantomData,
        }
    }

    /// The next event; `Ok(None)` once the stream has ended.
    pub async fn recv(&mut self) -> Result<Option<T>, SdkError<E>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx))
            .await
            .transpose()
    }
}

impl<T: DeserializeShape, E: OperationError> Stream for EventReceiver<T, E> {
    type Item = Result<T, SdkError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let Some(raw) = this.raw.as_mut() else {
            return Poll::Ready(None);
        };
        loop {
            let message = match raw.poll_message(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(None)) => return Poll::Ready(None),
                Poll::Ready(Ok(Some(m))) => m,
                Poll::Ready(Err(e)) => return Poll::Ready(Some(Err(e.widen()))),
            };
            let mut event = None;
            let mut error = None;
            let read = raw.read(
                &message,
                &mut |d, m| {
                    event = Some(T::deserialize(d, m)?);
                    Ok(())
                },
                &mut |index, d| {
                    error = Some(E::modeled(index, d)?);
                    Ok(())
                },
            );
            let item = match (read, event) {
                (Ok(Read::Event), Some(e)) => Ok(e),
                // A message that is no event of the union (`initial-response`): read on.
                (Ok(Read::Event), None) => continue,
                (Ok(Read::Error(meta)), _) => {
                    let err = error.unwrap_or_else(|| E::unhandled(meta.clone()));
                    Err(SdkError::service(err, meta))
                }
                (Err(e), _) => Err(e.widen()),
            };
            return Poll::Ready(Some(item));
        }
    }
}

/// What [`RawEvents::read`] found in a message.
enum Read {
    /// An event (or a message to skip: `read_event` was not called).
    Event,
    /// An exception or error message: the stream is over.
    Error(ErrorMetadata),
}

/// The untyped state of an event stream response: the body, the frame decoder, and what
/// reading an event needs. Built by [`super::invoke`]; wrapped by [`EventReceiver`].
pub struct RawEvents {
    body: ByteStream,
    decoder: MessageDecoder,
    protocol: &'static dyn Protocol,
    op: &'static Operation,
    /// The output's event-stream member (its target is the event union).
    stream: Option<&'static Member>,
    status: u16,
    request_id: Option<String>,
    /// A message read ahead (while looking for an `initial-response`).
    first: Option<Message>,
    body_done: bool,
    done: bool,
}

impl fmt::Debug for RawEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawEvents")
            .field("operation", &self.op.meta.name)
            .field("done", &self.done)
            .finish()
    }
}

impl RawEvents {
    /// The events of `body`, a success response of `op` with `status`.
    pub(crate) fn new(
        body: ByteStream,
        protocol: &'static dyn Protocol,
        op: &'static Operation,
        status: u16,
        request_id: Option<String>,
    ) -> Self {
        RawEvents {
            body,
            decoder: MessageDecoder::new(),
            protocol,
            op,
            stream: op.output.members.iter().find(|m| m.streaming),
            status,
            request_id,
            first: None,
            body_done: false,
            done: false,
        }
    }

    /// The next whole message of the body; `None` at its end.
    pub(crate) fn poll_message(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Message>, SendError>> {
        if let Some(m) = self.first.take() {
            return Poll::Ready(Ok(Some(m)));
        }
        loop {
            if self.done {
                return Poll::Ready(Ok(None));
            }
            match self.decoder.next_message() {
                Ok(Some(m)) => return Poll::Ready(Ok(Some(m))),
                Ok(None) => {}
                Err(e) => return Poll::Ready(Err(self.fail_framing(e))),
            }
            if self.body_done {
                self.done = true;
                return Poll::Ready(match self.decoder.finish() {
                    Ok(()) => Ok(None),
                    Err(e) => Err(self.fail_framing(e)),
                });
            }
            match Pin::new(&mut self.body).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => self.decoder.push(&chunk),
                Poll::Ready(None) => self.body_done = true,
                Poll::Ready(Some(Err(e))) => {
                    self.done = true;
                    let err =
                        TransportError::io(format!("reading the event stream: {e}")).with_source(e);
                    return Poll::Ready(Err(SdkError::Transport(err)));
                }
            }
        }
    }

    /// The next message, awaited.
    pub(crate) async fn next_message(&mut self) -> Result<Option<Message>, SendError> {
        std::future::poll_fn(|cx| self.poll_message(cx)).await
    }

    /// The protocol the messages are read with.
    pub(crate) fn protocol(&self) -> &'static dyn Protocol {
        self.protocol
    }

    /// The operation.
    pub(crate) fn operation(&self) -> &'static Operation {
        self.op
    }

    /// Puts a message back, to be returned first.
    pub(crate) fn push_back(&mut self, message: Message) {
        self.first = Some(message);
    }

    fn fail_framing(&mut self, e: crate::codec::event_stream::EventStreamError) -> SendError {
        self.done = true;
        SdkError::Response(ResponseError::event_stream(self.status, e))
    }

    /// Reads `message`: an event is handed to `read_event` (with the union's root member),
    /// a modeled exception to `read_error` (with its index in the operation's errors).
    fn read(
        &mut self,
        message: &Message,
        read_event: &mut dyn FnMut(&mut dyn ShapeDeserializer, &Member) -> Result<(), DeError>,
        read_error: &mut dyn FnMut(usize, &mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<Read, SendError> {
        let path = self.stream.map_or("", |m| m.name);
        let kind = message.message_type();
        let read = match kind {
            Some(MessageType::Event) => self.read_event(message, path, read_event),
            Some(MessageType::Exception) => self.read_exception(message, path, read_error),
            Some(MessageType::Error) => Ok(Read::Error(self.meta(
                message.error_code().map(str::to_owned),
                message.error_message().map(str::to_owned),
            ))),
            None => Err(DeError::new(
                path,
                "a `:message-type` of event, exception or error",
            )),
        };
        let read = read.map_err(|e| {
            SdkError::Response(ResponseError::new(
                self.status,
                format!("event stream: {e}"),
            ))
        });
        if !matches!(read, Ok(Read::Event)) {
            self.done = true;
        }
        read
    }

    fn read_event(
        &self,
        message: &Message,
        path: &str,
        read_event: &mut dyn FnMut(&mut dyn ShapeDeserializer, &Member) -> Result<(), DeError>,
    ) -> Result<Read, DeError> {
        let Some(stream) = self.stream else {
            return Ok(Read::Event);
        };
        let Some(event_type) = message.event_type() else {
            return Err(DeError::new(path, "an `:event-type` header"));
        };
        if event_type == "initial-response" {
            return Ok(Read::Event);
        }
        let member = stream.target.members.iter().find(|m| m.name == event_type);
        let root = Member::root(stream.target);
        let mut union = EventUnion {
            message,
            member,
            protocol: self.protocol,
            path,
        };
        read_event(&mut union, &root)?;
        Ok(Read::Event)
    }

    fn read_exception(
        &self,
        message: &Message,
        path: &str,
        read_error: &mut dyn FnMut(usize, &mut dyn ShapeDeserializer) -> Result<(), DeError>,
    ) -> Result<Read, DeError> {
        let name = message.exception_type().unwrap_or_default();
        let text = self.exception_message(message, path);
        let schema = self
            .stream
            .and_then(|s| s.target.members.iter().find(|m| m.name == name))
            .map(|m| m.target);
        let index = schema.and_then(|s| self.op.errors.iter().position(|e| e.id == s.id));
        let code = schema.map_or(name, |s| s.name).to_owned();
        if let Some(index) = index {
            let mut d = EventStruct {
                message,
                protocol: self.protocol,
                path: crate::json::join_field(path, name),
            };
            read_error(index, &mut d)?;
        }
        Ok(Read::Error(self.meta(Some(code), text)))
    }

    /// The `message` (or `Message`) member of an exception's payload, when it has one.
    fn exception_message(&self, message: &Message, path: &str) -> Option<String> {
        let mut text = None;
        let mut d = EventStruct {
            message,
            protocol: self.protocol,
            path: path.to_owned(),
        };
        let root = Member::root(&MESSAGE_FIELDS);
        let _ = d.read_struct(&root, &mut |_, d| {
            text = Some(d.read_string(&MESSAGE_FIELDS.members[0])?);
            Ok(())
        });
        text
    }

    fn meta(&self, code: Option<String>, message: Option<String>) -> ErrorMetadata {
        ErrorMetadata::new(self.status, code, message, self.request_id.clone())
    }
}

/// The members an exception's message may be under.
static MESSAGE_FIELDS: Schema = Schema::structure(
    "anvil#ExceptionMessage",
    "ExceptionMessage",
    &[
        Member::new("message", 0, &prelude::STRING),
        Member::new("Message", 1, &prelude::STRING),
    ],
);
