//! [`ByteStream`]: the body of a `@streaming` blob payload, sent or received chunk by chunk
//! and never buffered whole unless asked to ([`ByteStream::collect`]).
//!
//! A stream is either **in memory** (made from bytes: it knows its length, can be hashed for
//! signing and replayed on retry) or **one-shot** (made from a [`futures_core::Stream`], a
//! reader, or a response body: read once, so a request carrying one is never retried).

use bytes::Bytes;
use futures_core::Stream;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

/// A boxed error from a stream's source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

type Chunks = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send + 'static>>;

/// A body of bytes delivered in chunks: the type of `@streaming` blob members.
///
/// Build one from bytes (`Bytes`, `Vec<u8>`, `&'static [u8]`, `String`, `&'static str`,
/// [`crate::Blob`]) or from a stream of chunks ([`ByteStream::from_stream`]); read one with
/// [`next`](ByteStream::next) (it also implements [`futures_core::Stream`]) or
/// [`collect`](ByteStream::collect). `Debug` never shows the contents.
pub struct ByteStream {
    inner: Inner,
}

enum Inner {
    /// In memory; taken (left empty) once yielded.
    Bytes(Option<Bytes>),
    /// One-shot. The `Mutex` only makes the type `Sync` (so `&ByteStream` can be held across
    /// an `.await`); it is never locked: polling has `&mut self` and uses `Mutex::get_mut`.
    Stream {
        chunks: Mutex<Chunks>,
        length: Option<u64>,
        done: bool,
    },
}

/// Reading a [`ByteStream`] failed: its source reported an error (for a response body: the
/// connection failed mid-body), or [`collect_limited`](ByteStream::collect_limited) found
/// the body too large.
#[derive(Debug)]
pub struct ByteStreamError {
    message: String,
    source: Option<BoxError>,
    too_large: bool,
}

impl ByteStreamError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        ByteStreamError {
            message: message.into(),
            source: None,
            too_large: false,
        }
    }

    /// Whether [`collect_limited`](ByteStream::collect_limited) refused a body over its limit.
    pub fn is_too_large(&self) -> bool {
        self.too_large
    }

    /// An error wrapping `source`.
    pub fn from_source(source: impl Into<BoxError>) -> Self {
        let source = source.into();
        ByteStreamError {
            message: source.to_string(),
            source: Some(source),
            too_large: false,
        }
    }
}

impl fmt::Display for ByteStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "reading the byte stream failed: {}", self.message)
    }
}

impl std::error::Error for ByteStreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
    }
}

impl ByteStream {
    /// A stream of these bytes (in memory).
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        ByteStream {
            inner: Inner::Bytes(Some(bytes.into())),
        }
    }

    /// An empty stream.
    pub fn empty() -> Self {
        Self::new(Bytes::new())
    }

    /// A one-shot stream of the chunks `stream` yields. Its length is unknown unless declared
    /// with [`with_content_length`](Self::with_content_length): a request body of unknown
    /// length is sent with `transfer-encoding: chunked` and signed with `UNSIGNED-PAYLOAD`.
    pub fn from_stream<S, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        ByteStream {
            inner: Inner::Stream {
                chunks: Mutex::new(Box::pin(MapErr(Box::pin(stream)))),
                length: None,
                done: false,
            },
        }
    }

    /// A one-shot stream reading `reader` in chunks of up to 64 KiB on tokio's blocking
    /// thread pool (for files: `std::fs::File`; pass the length from its metadata to
    /// [`with_content_length`](Self::with_content_length) to send a `content-length`).
    /// Must be polled inside a tokio runtime.
    pub fn from_reader(reader: impl std::io::Read + Send + 'static) -> Self {
        Self::from_stream(ReaderStream {
            reader: Some(Box::new(reader)),
            pending: None,
        })
    }

    /// A one-shot stream of the file at `path`, with its length from the file's metadata.
    /// Read as [`from_reader`](Self::from_reader) does.
    pub fn from_path(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        Ok(Self::from_reader(file).with_content_length(len))
    }

    /// Declares the total length of a one-shot stream (sent as `content-length`; the stream
    /// must yield exactly that many bytes). No effect on an in-memory stream.
    pub fn with_content_length(mut self, length: u64) -> Self {
        if let Inner::Stream { length: l, .. } = &mut self.inner {
            *l = Some(length);
        }
        self
    }

    /// The number of bytes left, when known: in memory, or declared.
    pub fn content_length(&self) -> Option<u64> {
        match &self.inner {
            Inner::Bytes(b) => Some(b.as_ref().map_or(0, |b| b.len() as u64)),
            Inner::Stream { length, .. } => *length,
        }
    }

    /// The bytes of an in-memory stream not yet read (a cheap, reference-counted copy);
    /// `None` for a one-shot stream.
    pub fn bytes(&self) -> Option<Bytes> {
        match &self.inner {
            Inner::Bytes(b) => Some(b.clone().unwrap_or_default()),
            Inner::Stream { .. } => None,
        }
    }

    /// Whether the stream is in memory (so it can be replayed: a request carrying it can be
    /// retried).
    pub fn is_in_memory(&self) -> bool {
        matches!(self.inner, Inner::Bytes(_))
    }

    /// Takes the bytes of an in-memory stream (leaving it empty); `None` for a one-shot one.
    pub fn take_bytes(&mut self) -> Option<Bytes> {
        match &mut self.inner {
            Inner::Bytes(b) => Some(b.take().unwrap_or_default()),
            Inner::Stream { .. } => None,
        }
    }

    /// The next chunk, `None` at the end.
    pub async fn next(&mut self) -> Option<Result<Bytes, ByteStreamError>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Reads the whole stream into memory.
    pub async fn collect(self) -> Result<Bytes, ByteStreamError> {
        self.collect_limited(usize::MAX).await
    }

    /// Reads the whole stream into memory, failing as soon as it exceeds `limit` bytes.
    pub async fn collect_limited(mut self, limit: usize) -> Result<Bytes, ByteStreamError> {
        let too_large = || ByteStreamError {
            too_large: true,
            ..ByteStreamError::new(format!("the body exceeds {limit} bytes"))
        };
        if let Some(b) = self.take_bytes() {
            return if b.len() > limit {
                Err(too_large())
            } else {
                Ok(b)
            };
        }
        let mut chunks: Vec<Bytes> = Vec::new();
        let mut total = 0usize;
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            total = match total.checked_add(chunk.len()) {
                Some(n) if n <= limit => n,
                _ => return Err(too_large()),
            };
            chunks.push(chunk);
        }
        Ok(concat(chunks, total))
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes, ByteStreamError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match &mut self.get_mut().inner {
            Inner::Bytes(b) => Poll::Ready(b.take().filter(|b| !b.is_empty()).map(Ok)),
            Inner::Stream {
                chunks,
                length,
                done,
            } => {
                if *done {
                    return Poll::Ready(None);
                }
                let chunks = chunks.get_mut().unwrap_or_else(|e| e.into_inner());
                loop {
                    return match chunks.as_mut().poll_next(cx) {
                        Poll::Pending => Poll::Pending,
                        Poll::Ready(None) => {
                            *done = true;
                            Poll::Ready(None)
                        }
                        Poll::Ready(Some(Err(e))) => {
                            *done = true;
                            Poll::Ready(Some(Err(ByteStreamError::from_source(e))))
                        }
                        Poll::Ready(Some(Ok(chunk))) if chunk.is_empty() => continue,
                        Poll::Ready(Some(Ok(chunk))) => {
                            if let Some(l) = length {
                                *l = l.saturating_sub(chunk.len() as u64);
                            }
                            Poll::Ready(Some(Ok(chunk)))
                        }
                    };
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            Inner::Bytes(Some(b)) if !b.is_empty() => (1, Some(1)),
            Inner::Bytes(_) => (0, Some(0)),
            Inner::Stream { done: true, .. } => (0, Some(0)),
            Inner::Stream { .. } => (0, None),
        }
    }
}

impl Default for ByteStream {
    fn default() -> Self {
        Self::empty()
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Bytes(b) => f
                .debug_struct("ByteStream")
                .field("in_memory_len", &b.as_ref().map_or(0, Bytes::len))
                .finish(),
            Inner::Stream { length, .. } => f
                .debug_struct("ByteStream")
                .field("one_shot", &true)
                .field("content_length", length)
                .finish(),
        }
    }
}

impl From<Bytes> for ByteStream {
    fn from(b: Bytes) -> Self {
        Self::new(b)
    }
}

impl From<Vec<u8>> for ByteStream {
    fn from(b: Vec<u8>) -> Self {
        Self::new(b)
    }
}

impl From<&'static [u8]> for ByteStream {
    fn from(b: &'static [u8]) -> Self {
        Self::new(Bytes::from_static(b))
    }
}

impl From<String> for ByteStream {
    fn from(s: String) -> Self {
        Self::new(s)
    }
}

impl From<&'static str> for ByteStream {
    fn from(s: &'static str) -> Self {
        Self::new(Bytes::from_static(s.as_bytes()))
    }
}

impl From<crate::Blob> for ByteStream {
    fn from(b: crate::Blob) -> Self {
        Self::new(b.into_inner())
    }
}

/// Maps a stream's error type to [`BoxError`] (`S` is boxed, so it is `Unpin`).
struct MapErr<S>(S);

impl<S, E> Stream for MapErr<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Into<BoxError>,
{
    type Item = Result<Bytes, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.0)
            .poll_next(cx)
            .map(|o| o.map(|r| r.map_err(Into::into)))
    }
}

/// Reads a `std::io::Read` chunk by chunk on the blocking pool.
struct ReaderStream {
    reader: Option<Box<dyn std::io::Read + Send>>,
    pending: Option<ReadTask>,
}

type ReadTask = tokio::task::JoinHandle<(Box<dyn std::io::Read + Send>, std::io::Result<Vec<u8>>)>;

const READ_CHUNK: usize = 64 * 1024;

impl Stream for ReaderStream {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.pending.is_none() {
            let Some(mut reader) = this.reader.take() else {
                return Poll::Ready(None);
            };
            this.pending = Some(tokio::task::spawn_blocking(move || {
                let mut buf = vec![0u8; READ_CHUNK];
                let r = loop {
                    match reader.read(&mut buf) {
                        Ok(n) => {
                            buf.truncate(n);
                            break Ok(buf);
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => break Err(e),
                    }
                };
                (reader, r)
            }));
        }
        let Some(task) = this.pending.as_mut() else {
            return Poll::Ready(None);
        };
        match Pin::new(task).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(joined) => {
                this.pending = None;
                match joined {
                    Err(e) => Poll::Ready(Some(Err(std::io::Error::other(e)))),
                    Ok((_, Err(e))) => Poll::Ready(Some(Err(e))),
                    Ok((_, Ok(buf))) if buf.is_empty() => Poll::Ready(None),
                    Ok((reader, Ok(buf))) => {
                        this.reader = Some(reader);
                        Poll::Ready(Some(Ok(Bytes::from(buf))))
                    }
                }
            }
        }
    }
}

/// `chunks` (holding `total` bytes) as one buffer, copying only when there are several.
pub(crate) fn concat(mut chunks: Vec<Bytes>, total: usize) -> Bytes {
    match chunks.len() {
        0 => Bytes::new(),
        1 => chunks.pop().unwrap_or_default(),
        _ => {
            let mut all = Vec::with_capacity(total);
            for c in &chunks {
                all.extend_from_slice(c);
            }
            Bytes::from(all)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    /// Yields the given chunks (or errors), one per poll.
    struct Chunked(std::collections::VecDeque<Result<Bytes, std::io::Error>>);

    impl Stream for Chunked {
        type Item = Result<Bytes, std::io::Error>;
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            Poll::Ready(self.0.pop_front())
        }
    }

    fn chunks(parts: &[&'static str]) -> ByteStream {
        ByteStream::from_stream(Chunked(
            parts
                .iter()
                .map(|p| Ok(Bytes::from_static(p.as_bytes())))
                .collect(),
        ))
    }

    #[test]
    fn in_memory_streams_know_their_bytes() {
        let mut s = ByteStream::from("abc");
        assert!(s.is_in_memory());
        assert_eq!(s.content_length(), Some(3));
        assert_eq!(s.bytes().as_deref(), Some(&b"abc"[..]));
        assert_eq!(block_on(s.next()).expect("one chunk").expect("ok"), "abc");
        assert!(block_on(s.next()).is_none());
        assert_eq!(ByteStream::default().content_length(), Some(0));
        assert!(
            block_on(ByteStream::empty().collect())
                .expect("ok")
                .is_empty()
        );
        let v: ByteStream = vec![1u8, 2].into();
        assert_eq!(block_on(v.collect()).expect("ok"), &[1u8, 2][..]);
        let blob: ByteStream = crate::Blob::new(b"xy".to_vec()).into();
        assert_eq!(block_on(blob.collect()).expect("ok"), "xy");
    }

    #[test]
    fn one_shot_streams_yield_chunks_and_collect() {
        let mut s = chunks(&["ab", "", "cd"]);
        assert!(!s.is_in_memory());
        assert_eq!(s.content_length(), None);
        assert!(s.bytes().is_none());
        assert_eq!(block_on(s.next()).expect("chunk").expect("ok"), "ab");
        // Empty chunks are skipped.
        assert_eq!(block_on(s.next()).expect("chunk").expect("ok"), "cd");
        assert!(block_on(s.next()).is_none());
        assert!(block_on(s.next()).is_none(), "stays finished");
        assert_eq!(
            block_on(chunks(&["ab", "cd", "e"]).collect()).expect("ok"),
            "abcde"
        );
        let declared = chunks(&["ab"]).with_content_length(2);
        assert_eq!(declared.content_length(), Some(2));
    }

    #[test]
    fn errors_and_limits() {
        let failing = ByteStream::from_stream(Chunked(
            vec![
                Ok(Bytes::from_static(b"a")),
                Err(std::io::Error::other("boom")),
            ]
            .into(),
        ));
        let err = block_on(failing.collect()).expect_err("source error");
        assert!(err.to_string().contains("boom"), "{err}");
        assert!(!err.is_too_large());
        let err = block_on(chunks(&["abc", "def"]).collect_limited(5)).expect_err("6 > 5");
        assert!(err.is_too_large());
        let err = block_on(ByteStream::from("abcdef").collect_limited(5)).expect_err("6 > 5");
        assert!(err.is_too_large());
        assert_eq!(
            block_on(chunks(&["abc", "de"]).collect_limited(5)).expect("fits"),
            "abcde"
        );
    }

    #[test]
    fn debug_never_shows_contents() {
        let text = format!(
            "{:?} {:?}",
            ByteStream::from("top secret"),
            chunks(&["hidden"])
        );
        assert!(
            !text.contains("secret") && !text.contains("hidden"),
            "{text}"
        );
        assert!(text.contains("in_memory_len: 10"), "{text}");
    }

    #[test]
    fn readers_are_read_in_chunks() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 7) as u8).collect();
        let s = ByteStream::from_reader(std::io::Cursor::new(data.clone()));
        assert_eq!(block_on(s.collect()).expect("ok"), data);
    }
}
