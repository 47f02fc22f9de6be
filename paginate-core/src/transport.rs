//! How a walk sends its requests: the [`Transport`] trait, implemented for
//! `reqwest::Client` and for any async function, so another client (such as
//! `reqwest-middleware`'s) can carry a walk without touching the derive.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// A boxed error from a transport.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// The future a [`Transport`] returns.
pub type TransportFuture = Pin<Box<dyn Future<Output = Result<reqwest::Response, BoxError>> + Send>>;

/// Sends one HTTP request of a walk and returns its response, whose body the
/// walk then reads (under its size cap) and decodes.
///
/// `reqwest::Client` is the default transport. Any other client plugs in
/// through [`transport_fn`]; errors that are `reqwest::Error`s keep their
/// retry classification, other errors are treated as network failures and
/// retried.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request`.
    fn execute(&self, request: reqwest::Request) -> TransportFuture;
}

impl Transport for reqwest::Client {
    fn execute(&self, request: reqwest::Request) -> TransportFuture {
        let response = reqwest::Client::execute(self, request);
        Box::pin(async move { response.await.map_err(BoxError::from) })
    }
}

/// A [`Transport`] made of an async function; see [`transport_fn`].
#[derive(Clone)]
pub struct TransportFn<F>(F);

impl<F> fmt::Debug for TransportFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TransportFn(<fn>)")
    }
}

/// Makes a [`Transport`] of an async function, to walk with another client.
///
/// ```
/// use paginated::{PaginateExt, transport_fn};
///
/// // Any client that can send a `reqwest::Request`; here a plain one stands in
/// // for e.g. `reqwest_middleware::ClientWithMiddleware`.
/// let client = reqwest::Client::new();
/// let transport = transport_fn(move |request| {
///     let client = client.clone();
///     async move { client.execute(request).await }
/// });
/// # let _ = transport;
/// ```
pub fn transport_fn<F, Fut, E>(send: F) -> TransportFn<F>
where
    F: Fn(reqwest::Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<reqwest::Response, E>> + Send + 'static,
    E: Into<BoxError>,
{
    TransportFn(send)
}

impl<F, Fut, E> Transport for TransportFn<F>
where
    F: Fn(reqwest::Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<reqwest::Response, E>> + Send + 'static,
    E: Into<BoxError>,
{
    fn execute(&self, request: reqwest::Request) -> TransportFuture {
        let response = (self.0)(request);
        Box::pin(async move { response.await.map_err(Into::into) })
    }
}

/// Whether a transport error may go away on a second attempt: everything but
/// a request reqwest could not build or a redirect policy refusal.
pub(crate) fn is_retryable(error: &(dyn StdError + Send + Sync + 'static)) -> bool {
    match error.downcast_ref::<reqwest::Error>() {
        Some(e) => !(e.is_builder() || e.is_redirect()),
        None => true,
    }
}
