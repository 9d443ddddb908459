//! Paginators for `@paginated` operations: a [`Stream`] of pages, and of the items in them.
//!
//! A generated fluent builder's `into_paginator()` hands the paginator a function that sends
//! the request with a given page token, and one that reads the next token from an output. A
//! token is usually a string, but may be any [`PageToken`]: DynamoDB's `Query` and `Scan` page
//! with a map (`LastEvaluatedKey` → `ExclusiveStartKey`). The stream ends after a page without
//! a next token, with an empty one (`""`, an empty map), or whose token repeats the previous
//! one (a service bug that would otherwise loop forever), as the AWS SDKs do. Errors end the
//! stream after being yielded.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use futures_core::Stream;

use crate::BoxFuture;
use crate::error::SdkError;

type Page<O, E> = Result<O, SdkError<E>>;
type Fetch<O, E, T> = Box<dyn FnMut(Option<T>) -> BoxFuture<'static, Page<O, E>> + Send>;

/// A page token: what a paginated operation's output hands back for the next request.
///
/// Implemented for strings and for the collections a Smithy token may be (maps, such as
/// DynamoDB's `LastEvaluatedKey`; lists). Tokens are compared to the previous one, and an
/// empty token ends the stream as an absent one does.
pub trait PageToken: Clone + PartialEq + Send + 'static {
    /// Whether this token is empty (`""`, `{}`), which means there are no more pages.
    fn is_empty_token(&self) -> bool;
}

impl PageToken for String {
    fn is_empty_token(&self) -> bool {
        self.is_empty()
    }
}

impl<K, V> PageToken for BTreeMap<K, V>
where
    K: Clone + PartialEq + Send + 'static,
    V: Clone + PartialEq + Send + 'static,
{
    fn is_empty_token(&self) -> bool {
        self.is_empty()
    }
}

impl<K, V, S> PageToken for HashMap<K, V, S>
where
    K: Clone + Eq + std::hash::Hash + Send + 'static,
    V: Clone + PartialEq + Send + 'static,
    S: Clone + std::hash::BuildHasher + Send + 'static,
{
    fn is_empty_token(&self) -> bool {
        self.is_empty()
    }
}

impl<T: Clone + PartialEq + Send + 'static> PageToken for Vec<T> {
    fn is_empty_token(&self) -> bool {
        self.is_empty()
    }
}

/// A stream of pages (outputs) of a paginated operation whose page token is a `T`.
pub struct Paginator<O, E, T = String> {
    fetch: Fetch<O, E, T>,
    next_token: fn(&O) -> Option<T>,
    pending: Option<BoxFuture<'static, Page<O, E>>>,
    token: Option<T>,
    done: bool,
}

impl<O, E, T> fmt::Debug for Paginator<O, E, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("in_flight", &self.pending.is_some())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<O: Send + 'static, E: Send + 'static, T: PageToken> Paginator<O, E, T> {
    /// A paginator that calls `fetch(token)` for each page (`None` for the first) and reads
    /// the following page's token with `next_token`.
    pub fn new(
        fetch: impl FnMut(Option<T>) -> BoxFuture<'static, Page<O, E>> + Send + 'static,
        next_token: fn(&O) -> Option<T>,
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
    pub fn items<I>(self, items: fn(O) -> Vec<I>) -> Items<I, O, E, T> {
        Items {
            pages: self,
            items,
            buffered: VecDeque::new(),
        }
    }
}

impl<O, E, T> Unpin for Paginator<O, E, T> {}

impl<O: Send + 'static, E: Send + 'static, T: PageToken> Stream for Paginator<O, E, T> {
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
                        let next = (self.next_token)(output).filter(|t| !t.is_empty_token());
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

/// A stream of the items (`I`) of every page of a paginated operation whose page token is a `T`.
pub struct Items<I, O, E, T = String> {
    pages: Paginator<O, E, T>,
    items: fn(O) -> Vec<I>,
    buffered: VecDeque<I>,
}

impl<I, O, E, T> fmt::Debug for Items<I, O, E, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.buffered.len())
            .finish()
    }
}

impl<I, O, E, T> Unpin for Items<I, O, E, T> {}

impl<I, O: Send + 'static, E: Send + 'static, T: PageToken> Items<I, O, E, T> {
    /// The next item, or `None` when there are no more.
    pub async fn next_item(&mut self) -> Option<Result<I, SdkError<E>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl<I, O: Send + 'static, E: Send + 'static, T: PageToken> Stream for Items<I, O, E, T> {
    type Item = Result<I, SdkError<E>>;

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

    #[tokio::test]
    async fn an_empty_string_token_ends_the_stream() {
        let mut p: Paginator<Out, ()> = Paginator::new(
            |_| {
                Box::pin(async {
                    Ok(Out {
                        items: vec![],
                        next: Some(String::new()),
                    })
                })
            },
            |o: &Out| o.next.clone(),
        );
        assert!(p.next_page().await.is_some());
        assert!(p.next_page().await.is_none(), "\"\" means no more pages");
    }

    type Key = BTreeMap<String, u32>;

    #[derive(Debug)]
    struct KeyOut {
        items: Vec<u32>,
        last: Option<Key>,
    }

    fn key(n: u32) -> Key {
        BTreeMap::from([("pk".to_string(), n)])
    }

    /// Map-token pages (DynamoDB's `ExclusiveStartKey`/`LastEvaluatedKey`): the key of the
    /// last item is the next token; the third page's empty map, or the fourth's absent one,
    /// ends the stream (`empty_last` picks which).
    fn key_pages(
        asked: Arc<Mutex<Vec<Option<Key>>>>,
        empty_last: bool,
    ) -> Paginator<KeyOut, (), Key> {
        Paginator::new(
            move |token: Option<Key>| {
                asked.lock().unwrap().push(token.clone());
                let start = token.map_or(0, |k| k["pk"]);
                let out = match start {
                    0 | 2 => KeyOut {
                        items: vec![start + 1, start + 2],
                        last: Some(key(start + 2)),
                    },
                    _ => KeyOut {
                        items: vec![start + 1],
                        last: empty_last.then(Key::new),
                    },
                };
                Box::pin(async move { Ok(out) })
            },
            |o: &KeyOut| o.last.clone(),
        )
    }

    #[tokio::test]
    async fn map_tokens_are_followed_until_empty_or_absent() {
        for empty_last in [true, false] {
            let asked = Arc::new(Mutex::new(Vec::new()));
            let mut items = key_pages(asked.clone(), empty_last).items(|o| o.items);
            let mut all = Vec::new();
            while let Some(i) = items.next_item().await {
                all.push(i.unwrap());
            }
            assert_eq!(all, [1, 2, 3, 4, 5], "empty_last: {empty_last}");
            assert_eq!(*asked.lock().unwrap(), [None, Some(key(2)), Some(key(4))]);
        }
    }

    #[tokio::test]
    async fn a_repeated_map_token_ends_the_stream() {
        let mut p: Paginator<KeyOut, (), Key> = Paginator::new(
            |_| {
                Box::pin(async {
                    Ok(KeyOut {
                        items: vec![],
                        last: Some(key(7)),
                    })
                })
            },
            |o: &KeyOut| o.last.clone(),
        );
        let mut n = 0;
        while p.next_page().await.is_some() {
            n += 1;
        }
        assert_eq!(n, 2, "first page, then the page that repeats the key");
    }
}
