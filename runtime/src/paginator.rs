//! Paginators for `@paginated` operations: a [`Stream`] of pages, and of the items in them.
//!
//! A generated fluent builder's `into_paginator()` hands the paginator a function that sends
//! the request with a given page token, and one that reads the next token from an output. The
//! stream ends after a page without a next token, or whose token repeats the previous one (a
//! service bug that would otherwise loop forever). Errors end the stream after being yielded.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use futures_core::Stream;

use crate::BoxFuture;
use crate::error::SdkError;

type Page<O, E> = Result<O, SdkError<E>>;
type Fetch<O, E> = Box<dyn FnMut(Option<String>) -> BoxFuture<'static, Page<O, E>> + Send>;

/// A stream of pages (outputs) of a paginated operation.
pub struct Paginator<O, E> {
    fetch: Fetch<O, E>,
    next_token: fn(&O) -> Option<String>,
    pending: Option<BoxFuture<'static, Page<O, E>>>,
    token: Option<String>,
    done: bool,
}

impl<O, E> fmt::Debug for Paginator<O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("in_flight", &self.pending.is_some())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<O: Send + 'static, E: Send + 'static> Paginator<O, E> {
    /// A paginator that calls `fetch(token)` for each page (`None` for the first) and reads
    /// the following page's token with `next_token`.
    pub fn new(
        fetch: impl FnMut(Option<String>) -> BoxFuture<'static, Page<O, E>> + Send + 'static,
        next_token: fn(&O) -> Option<String>,
    ) -> Self {
        Paginator {
            fetch: Box::new(fetch),
            next_token,
            pending: None,
            token: None,
            done: false,
        }
    }

    /// The next page, or `None` when there are no more.
    pub async fn next_page(&mut self) -> Option<Page<O, E>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// A stream of the items of every page, taken from each output by `items`.
    pub fn items<T>(self, items: fn(O) -> Vec<T>) -> Items<T, O, E> {
        Items {
            pages: self,
            items,
            buffered: VecDeque::new(),
        }
    }
}

impl<O, E> Unpin for Paginator<O, E> {}

impl<O: Send + 'static, E: Send + 'static> Stream for Paginator<O, E> {
    type Item = Page<O, E>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        if self.pending.is_none() {
            let token = self.token.clone();
            let fut = (self.fetch)(token);
            self.pending = Some(fut);
        }
        let Some(pending) = self.pending.as_mut() else {
            return Poll::Ready(None);
        };
        match pending.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                self.pending = None;
                match &result {
                    Ok(output) => {
                        let next = (self.next_token)(output).filter(|t| !t.is_empty());
                        if next.is_none() || next == self.token {
                            self.done = true;
                        }
                        self.token = next;
                    }
                    Err(_) => self.done = true,
                }
                Poll::Ready(Some(result))
            }
        }
    }
}

/// A stream of the items of every page of a paginated operation.
pub struct Items<T, O, E> {
    pages: Paginator<O, E>,
    items: fn(O) -> Vec<T>,
    buffered: VecDeque<T>,
}

impl<T, O, E> fmt::Debug for Items<T, O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.buffered.len())
            .finish()
    }
}

impl<T, O, E> Unpin for Items<T, O, E> {}

impl<T, O: Send + 'static, E: Send + 'static> Items<T, O, E> {
    /// The next item, or `None` when there are no more.
    pub async fn next_item(&mut self) -> Option<Result<T, SdkError<E>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl<T, O: Send + 'static, E: Send + 'static> Stream for Items<T, O, E> {
    type Item = Result<T, SdkError<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(item) = self.buffered.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut self.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => {
                    let items = (self.items)(page);
                    self.buffered.extend(items);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Debug)]
    struct Out {
        items: Vec<u32>,
        next: Option<String>,
    }

    /// Pages `[1,2] [3] []` with tokens "a", "b", then none; records the tokens asked for.
    fn pages(asked: Arc<Mutex<Vec<Option<String>>>>) -> Paginator<Out, ()> {
        Paginator::new(
            move |token: Option<String>| {
                asked.lock().unwrap().push(token.clone());
                let out = match token.as_deref() {
                    None => Out {
                        items: vec![1, 2],
                        next: Some("a".into()),
                    },
                    Some("a") => Out {
                        items: vec![3],
                        next: Some("b".into()),
                    },
                    _ => Out {
                        items: vec![],
                        next: None,
                    },
                };
                Box::pin(async move { Ok(out) })
            },
            |o: &Out| o.next.clone(),
        )
    }

    #[tokio::test]
    async fn pages_follow_tokens_until_none() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let mut p = pages(asked.clone());
        let mut n = 0;
        while let Some(page) = p.next_page().await {
            page.unwrap();
            n += 1;
        }
        assert_eq!(n, 3);
        assert_eq!(
            *asked.lock().unwrap(),
            [None, Some("a".into()), Some("b".into())]
        );
        assert!(p.next_page().await.is_none(), "stays finished");
    }

    #[tokio::test]
    async fn items_flatten_pages() {
        let mut items = pages(Arc::new(Mutex::new(Vec::new()))).items(|o| o.items);
        let mut all = Vec::new();
        while let Some(i) = items.next_item().await {
            all.push(i.unwrap());
        }
        assert_eq!(all, [1, 2, 3]);
    }

    #[tokio::test]
    async fn a_repeated_token_ends_the_stream() {
        let mut p: Paginator<Out, ()> = Paginator::new(
            |_| {
                Box::pin(async {
                    Ok(Out {
                        items: vec![],
                        next: Some("same".into()),
                    })
                })
            },
            |o: &Out| o.next.clone(),
        );
        let mut n = 0;
        while p.next_page().await.is_some() {
            n += 1;
        }
        assert_eq!(n, 2, "first page, then the page that repeats the token");
    }
}
