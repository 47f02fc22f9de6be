use paginated::Paginated;
use serde::Deserialize;

#[derive(Deserialize, Paginated)]
#[paginate(style = "link", page_size_header = "Sforce-Query-Options", page_size_format = "batchSize=N")]
struct Soql {
    #[paginate(items)]
    records: Vec<u32>,
}

fn main() {}
