//! Cancelling a streamed exchange. The response body of [`super::HyperClient`]'s
//! `send_streaming` holds a [`CancelOnDrop`]; when it is dropped (or the exchange fails or
//! is dropped before a response), the request body stops reading its source and fails, so
//! hyper resets the HTTP/2 stream (or closes the HTTP/1.1 connection) instead of sending
//! the rest.
//!
//! hyper polls the request body only when the connection can take data, so if the peer's
//! flow-control window is full at that moment the reset goes out when the window next
//! opens (the body's source is not read meanwhile).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Waker};

/// Whether an exchange was cancelled, shared by its request body and its response body.
#[derive(Debug, Default)]
pub(crate) struct Cancel {
    cancelled: AtomicBool,
    /// The task that last polled the request body.
    waker: Mutex<Option<Waker>>,
}

impl Cancel {
    /// A new, not cancelled, flag.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Cancel::default())
    }

    /// Cancels the exchange and wakes the task polling the request body.
    fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        let waker = self.waker.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Whether the exchange was cancelled; if not, `cx`'s task is woken when it is.
    pub(crate) fn poll_cancelled(&self, cx: &mut Context<'_>) -> bool {
        if self.cancelled.load(Ordering::SeqCst) {
            return true;
        }
        {
            let mut slot = self.waker.lock().unwrap_or_else(|e| e.into_inner());
            if !slot.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *slot = Some(cx.waker().clone());
            }
        }
        self.cancelled.load(Ordering::SeqCst)
    }
}

/// Cancels its exchange when dropped.
#[derive(Debug)]
pub(crate) struct CancelOnDrop(Arc<Cancel>);

impl CancelOnDrop {
    /// A guard for `cancel`.
    pub(crate) fn new(cancel: Arc<Cancel>) -> Self {
        CancelOnDrop(cancel)
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Wake;

    struct Count(std::sync::atomic::AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn dropping_the_guard_cancels_and_wakes_the_poller() {
        let count = Arc::new(Count(0.into()));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        let cancel = Cancel::new();
        let guard = CancelOnDrop::new(cancel.clone());
        assert!(!cancel.poll_cancelled(&mut cx));
        assert!(!cancel.poll_cancelled(&mut cx), "registers once");
        drop(guard);
        assert_eq!(count.0.load(Ordering::SeqCst), 1, "woken");
        assert!(cancel.poll_cancelled(&mut cx));
    }
}
