//! Seeing a walk: a progress hook called once per delivered page, and (with
//! the `tracing` feature) a span per walk with an event per page.

use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where a walk stands, passed to an [`on_page`](crate::Paginator::on_page)
/// hook after each page is handed to the consumer.
///
/// ```
/// # use paginated::Progress;
/// fn show(p: &Progress) {
///     match p.total {
///         Some(total) => eprintln!("page {}: {}/{} items", p.page, p.items, total),
///         None => eprintln!("page {}: {} items", p.page, p.items),
///     }
/// }
/// # let _ = show;
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Progress {
    /// The 1-based number of the page in the walk (counting pages before a resume).
    pub page: u64,
    /// The HTTP status of the page's response.
    pub status: u16,
    /// Items on this page.
    pub page_items: u64,
    /// Items on every page delivered by this stream so far.
    pub items: u64,
    /// The item total the API reports, if it reports one.
    pub total: Option<u64>,
    /// Retries so far in this walk.
    pub retries: u64,
    /// Time since the walk started.
    pub elapsed: Duration,
}

pub(crate) type ProgressHook = Arc<dyn Fn(&Progress) + Send + Sync>;

/// The per-walk observers: the user's hook and the tracing span.
pub(crate) struct Observer {
    hook: Option<ProgressHook>,
    started: Instant,
    items: u64,
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

impl Observer {
    pub fn new(hook: Option<ProgressHook>, page_type: &'static str, style: &'static str) -> Observer {
        #[cfg(not(feature = "tracing"))]
        let _ = (page_type, style);
        Observer {
            hook,
            started: Instant::now(),
            items: 0,
            #[cfg(feature = "tracing")]
            span: tracing::info_span!("paginated::walk", page_type, style),
        }
    }

    /// One page was delivered.
    pub fn page(&mut self, page: u64, status: u16, page_items: u64, total: Option<u64>, retries: u64) {
        self.items += page_items;
        let elapsed = self.started.elapsed();
        #[cfg(feature = "tracing")]
        tracing::debug!(
            parent: &self.span,
            page,
            status,
            items = page_items,
            items_so_far = self.items,
            total,
            retries,
            elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            "page"
        );
        if let Some(hook) = &self.hook {
            hook(&Progress { page, status, page_items, items: self.items, total, retries, elapsed });
        }
    }

    /// The walk ended with an error.
    pub fn failed(&self, error: &crate::Error) {
        #[cfg(feature = "tracing")]
        tracing::warn!(parent: &self.span, page = error.page(), error = %error, "walk failed");
        #[cfg(not(feature = "tracing"))]
        let _ = error;
    }
}
