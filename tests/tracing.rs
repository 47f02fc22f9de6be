//! The `tracing` feature: a span per walk and an event per page. Alone in its
//! file (its own process), because tracing caches callsite interest globally
//! and other tests' walks would race with this test's subscriber.

use std::io::Write;
use std::sync::{Arc, Mutex};

use paginated::testing::MockApi;
use paginated::{PaginateExt, Paginated};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Contact {
    #[allow(dead_code)] // decoded to check the body, not read
    id: String,
}

#[derive(Debug, Deserialize)]
struct Next {
    starting_after: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Pages {
    next: Option<Next>,
}

#[derive(Debug, Deserialize, Paginated)]
#[paginate(
    style = "cursor",
    cursor_field = "pages.next.starting_after",
    cursor_param = "starting_after",
    page_size_param = "per_page",
    page_size = 50
)]
struct Contacts {
    #[paginate(items)]
    data: Vec<Contact>,
    pages: Pages,
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn tracing_has_a_span_per_walk_and_an_event_per_page() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let api = MockApi::builder().records(60).start().await;
    let items =
        reqwest::Client::new().get(api.url("/contacts")).paginate::<Contacts>().collect().await.unwrap();
    assert_eq!(items.len(), 60);
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let pages: Vec<&str> =
        log.lines().filter(|l| l.contains("paginated::walk") && l.contains(" page ")).collect();
    assert_eq!(pages.len(), 2, "{log}");
    assert!(
        pages[0].contains("page=1") && pages[0].contains("status=200") && pages[0].contains("items=50"),
        "{log}"
    );
    assert!(pages[1].contains("page=2") && pages[1].contains("items_so_far=60"), "{log}");
}
