//! The commonest runtime mistake, a bare JSON array declared without
//! `#[serde(transparent)]` (or an object declared with it), gets a hint that
//! says what to write, whatever the first field is.

use paginated::testing::{MockResponse, MockServer};
use paginated::{ErrorKind, PaginateExt, Paginated};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[allow(dead_code)] // decoded, never read
struct Issue {
    number: u64,
}

/// GitHub's issues, declared as if the body were an object.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "link", page_size_param = "per_page", page_size = 100)]
struct Issues {
    #[paginate(items)]
    issues: Vec<Issue>,
}

/// The same mistake with a flag first: serde reads a struct from an array
/// positionally, so the first field meets the first issue.
#[derive(Debug, Deserialize, Paginated)]
#[paginate(style = "link")]
struct Flagged {
    #[allow(dead_code)] // decoded, never read
    incomplete_results: bool,
    #[paginate(items)]
    items: Vec<Issue>,
}

/// An object declared as a bare array.
#[derive(Debug, Deserialize, Paginated)]
#[serde(transparent)]
#[paginate(style = "link")]
struct Transparent {
    #[paginate(items)]
    issues: Vec<Issue>,
}

async fn first_error<P: Paginated + Send + 'static>(body: serde_json::Value) -> paginated::Error {
    let server = MockServer::script(vec![MockResponse::json(body)]).await;
    let result = reqwest::Client::new().get(server.url("/issues")).paginate::<P>().collect().await;
    result.err().expect("the page does not decode")
}

const TRANSPARENT_HINT: &str = "the body is a JSON array, not an object: declare the page as a struct with one \
     `#[paginate(items)]` field and `#[serde(transparent)]`";

#[tokio::test]
async fn a_bare_array_without_transparent() {
    for error in [
        first_error::<Issues>(json!([{"number": 1}, {"number": 2}])).await,
        first_error::<Flagged>(json!([{"number": 1}, {"number": 2}])).await,
        // A one-element array is one element short of the struct's two fields.
        first_error::<Flagged>(json!([{"number": 1}])).await,
    ] {
        assert!(matches!(error.kind(), ErrorKind::Decode { .. }), "{error}");
        assert!(error.to_string().contains(TRANSPARENT_HINT), "{error}");
    }
}

#[tokio::test]
async fn an_object_declared_transparent() {
    let error = first_error::<Transparent>(json!({"total_count": 1, "items": [{"number": 1}]})).await;
    assert!(
        error.to_string().contains("the body is a JSON object, not an array: declare the struct's fields"),
        "{error}"
    );
}

#[tokio::test]
async fn an_item_that_does_not_match_gets_no_such_hint() {
    let error = first_error::<Transparent>(json!([{"number": "one"}])).await;
    assert!(!error.to_string().contains("the body is a JSON"), "{error}");
}
