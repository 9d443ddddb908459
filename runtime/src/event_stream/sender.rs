//! [`EventStreamSender`]: the input side of an event stream, any `Stream` of the input event
//! union, sent as a request body of event-stream messages, each signed and chained to the
//! previous signature (then an empty, signed end frame) when the request is signed.

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::SystemTime;

use bytes::Bytes;
use futures_core::Stream;

use super::signing::MessageSigner;
use crate::codec::SerializeStruct;
use crate::codec::event_stream::{Message, encode};
use crate::protocol::Protocol;
use crate::stream::{BoxError, ByteStream};

/// An event as the runtime sends it: any value of an input event union.
pub type BoxEvent = Box<dyn SerializeStruct + Send>;

/// The events of an input stream, untyped.
pub type Events = Pin<Box<dyn Stream<Item = BoxEvent> + Send>>;

/// The events of an operation's input stream: any [`Stream`] of the input event union `T`
/// ([`from_stream`](Self::from_stream)), or a list of events (`From<Vec<T>>`). The request
/// body stays open until the stream ends. `Debug` never shows events.
pub struct EventStreamSender<T> {
    /// The `Mutex` only makes the sender `Sync` (inputs are shared while sent); it is
    /// never locked: the events are taken with `into_inner`.
    events: Mutex<Option<Pin<Box<dyn Stream<Item = T> + Send>>>>,
}

impl<T> Default for EventStreamSender<T> {
    /// No events: the request body ends at once (with the end frame when signed).
    fn default() -> Self {
        EventStreamSender {
            events: Mutex::new(None),
        }
    }
}

impl<T> fmt::Debug for EventStreamSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventStreamSender")
    }
}

impl<T: SerializeStruct + Send + 'static> EventStreamSender<T> {
    /// Sends the events `stream` yields, as they come.
    pub fn from_stream(stream: impl Stream<Item = T> + Send + 'static) -> Self {
        EventStreamSender {
            events: Mutex::new(Some(Box::pin(stream))),
        }
    }

    /// The events, untyped (what the generated code hands the runtime).
    pub fn into_events(self) -> Events {
        match self.events.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(events) => Box::pin(Boxed(events)),
            None => Box::pin(Empty(std::marker::PhantomData)),
        }
    }
}

impl<T: SerializeStruct + Send + 'static> From<Vec<T>> for EventStreamSender<T> {
    fn from(events: Vec<T>) -> Self {
        Self::from_stream(Iter(events.into_iter()))
    }
}

/// Boxes each event.
struct Boxed<T>(Pin<Box<dyn Stream<Item = T> + Send>>);

impl<T: SerializeStruct + Send + 'static> Stream for Boxed<T> {
    type Item = BoxEvent;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<BoxEvent>> {
        self.0
            .as_mut()
            .poll_next(cx)
            .map(|e| e.map(|e| Box::new(e) as BoxEvent))
    }
}

/// A stream of nothing.
struct Empty<T>(std::marker::PhantomData<fn() -> T>);

impl<T> Stream for Empty<T> {
    type Item = T;
    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<T>> {
        Poll::Ready(None)
    }
}

/// A stream of a vector's items.
struct Iter<T>(std::vec::IntoIter<T>);

impl<T> Unpin for Iter<T> {}

impl<T> Stream for Iter<T> {
    type Item = T;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<T>> {
        Poll::Ready(self.0.next())
    }
}

/// Where the request's signature reaches the body: set once the request is signed (`None`
/// inside when it is sent unsigned), before the transport polls the body.
pub(crate) type SignerSlot = Arc<Mutex<Option<Option<MessageSigner>>>>;

/// The request body of an input event stream; `initial` (an RPC protocol's
/// `initial-request` event) goes first.
pub(crate) fn body(
    initial: Option<Message>,
    events: Events,
    protocol: &'static dyn Protocol,
    slot: SignerSlot,
) -> ByteStream {
    ByteStream::from_stream(Frames {
        initial,
        events,
        protocol,
        slot,
        signer: None,
        ended: false,
    })
}

/// Turns events into (signed) frames.
struct Frames {
    initial: Option<Message>,
    events: Events,
    protocol: &'static dyn Protocol,
    slot: SignerSlot,
    /// Taken from the slot on the first poll.
    signer: Option<Option<MessageSigner>>,
    ended: bool,
}

impl Frames {
    fn signer(&mut self) -> Result<Option<&mut MessageSigner>, BoxError> {
        if self.signer.is_none() {
            let taken = self.slot.lock().ok().and_then(|mut s| s.take());
            let Some(signer) = taken else {
                return Err("the event stream was read before its request was signed".into());
            };
            self.signer = Some(signer);
        }
        Ok(self.signer.as_mut().and_then(Option::as_mut))
    }

    fn frame(&mut self, event: &BoxEvent) -> Result<Bytes, BoxError> {
        let message = super::ser::event_message(self.protocol, event.as_ref())?;
        self.signed(&message)
    }

    /// `message`, encoded, and wrapped in a signed frame when the request was signed.
    fn signed(&mut self, message: &Message) -> Result<Bytes, BoxError> {
        let encoded = encode(message)?;
        match self.signer()? {
            Some(signer) => Ok(encode(&signer.sign(&encoded, SystemTime::now())?)?),
            None => Ok(encoded),
        }
    }

    fn end_frame(&mut self) -> Result<Option<Bytes>, BoxError> {
        match self.signer()? {
            Some(signer) => {
                let end: Message = signer.sign_end(SystemTime::now())?;
                Ok(Some(encode(&end)?))
            }
            None => Ok(None),
        }
    }
}

impl Stream for Frames {
    type Item = Result<Bytes, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        if let Some(initial) = self.initial.take() {
            let frame = self.signed(&initial);
            self.ended = frame.is_err();
            return Poll::Ready(Some(frame));
        }
        match self.events.as_mut().poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(event)) => {
                let frame = self.frame(&event);
                if frame.is_err() {
                    self.ended = true;
                }
                Poll::Ready(Some(frame))
            }
            Poll::Ready(None) => {
                self.ended = true;
                Poll::Ready(self.end_frame().transpose())
            }
        }
    }
}
