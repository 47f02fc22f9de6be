use paginated::Paginated;
use serde::Deserialize;

// The fields of `T` are not visible to the derive: `cursor_item_field` is
// written bare and read through `ItemCursor`.
#[derive(Deserialize, Paginated)]
#[paginate(style = "cursor", cursor_item_field = "id", cursor_param = "starting_after", has_more = "has_more")]
struct List<T> {
    #[paginate(items)]
    data: Vec<T>,
    has_more: bool,
}

fn main() {}
