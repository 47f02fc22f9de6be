//! What the user shows: one response (body and headers) and, optionally, the
//! request that fetched it (URL, body, headers).

use reqwest::Url;
use serde_json::Value;

use super::schema::Json;

/// One sample exchange.
#[derive(Clone, Debug, Default)]
pub struct Sample {
    /// The response body.
    pub body: Value,
    /// The same, with its keys in the order they were written.
    pub document: Json,
    /// The response headers, names lowercased, one entry per header line.
    pub headers: Vec<(String, String)>,
    /// The URL of the request.
    pub url: Option<Url>,
    /// The body of the request, for POST searches.
    pub request_body: Option<RequestBody>,
    /// The request headers, names as given.
    pub request_headers: Vec<(String, String)>,
}

/// The body of the request.
#[derive(Clone, Debug)]
pub enum RequestBody {
    /// A JSON body (a POST search, a GraphQL query).
    Json(Value),
    /// `application/x-www-form-urlencoded` pairs (Slack's POST methods).
    Form(Vec<(String, String)>),
}

impl RequestBody {
    /// JSON if it parses as JSON, else a form.
    pub fn parse(text: &str) -> RequestBody {
        match serde_json::from_str(text) {
            Ok(value) => RequestBody::Json(value),
            Err(_) => RequestBody::Form(url_pairs(text.trim()).into_iter().map(|(k, v, _)| (k, v)).collect()),
        }
    }
}

/// `Name: value` -> (`name`, `value`).
pub fn parse_header(line: &str) -> Option<(String, String)> {
    let (name, value) = line.split_once(':')?;
    let name = name.trim();
    (!name.is_empty()).then(|| (name.to_owned(), value.trim().to_owned()))
}

/// Reads a file of headers, one `Name: value` per line (blank lines and a
/// status line such as `HTTP/1.1 200 OK`, as `curl -D` writes, are skipped).
pub fn parse_header_lines(text: &str) -> Vec<(String, String)> {
    text.lines().filter(|l| !l.starts_with("HTTP/")).filter_map(parse_header).collect()
}

impl Sample {
    /// A sample with this response body and nothing else.
    pub fn new(body: &str) -> serde_json::Result<Sample> {
        Ok(Sample {
            body: serde_json::from_str(body)?,
            document: serde_json::from_str(body)?,
            ..Sample::default()
        })
    }

    /// The values of response header `name`, one per line.
    pub fn header(&self, name: &str) -> impl Iterator<Item = &str> {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The query pairs of the request URL: decoded name, decoded value, raw value.
    pub fn query(&self) -> Query {
        self.url.as_ref().and_then(Url::query).map(url_pairs).unwrap_or_default()
    }

    /// `url` resolved against the request URL (or parsed alone when absolute).
    pub fn resolve(&self, url: &str) -> Option<Url> {
        match &self.url {
            Some(base) => base.join(url).ok(),
            None => Url::parse(url).or_else(|_| Url::parse("http://host.invalid/")?.join(url)).ok(),
        }
    }

    /// The host of the request URL.
    pub fn host(&self) -> Option<&str> {
        self.url.as_ref().and_then(Url::host_str)
    }
}

/// A query parameter: decoded name, decoded value, raw value.
pub type QueryPair = (String, String, String);

/// The parameters of a query string, in order.
pub type Query = Vec<QueryPair>;

/// `a=1&b=x%2By` -> (name, value) decoded, with the raw value kept.
pub fn url_pairs(query: &str) -> Query {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, raw) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(raw), raw.to_owned())
        })
        .collect()
}

fn decode(s: &str) -> String {
    percent_decode(s.replace('+', " ").as_bytes())
}

fn percent_decode(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).expect("two hex digits"));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One entry of a `Link` header: `<url>; rel="next"; results="false"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub url: String,
    pub rels: Vec<String>,
    pub params: Vec<(String, String)>,
}

/// Every entry of every `Link` header line (RFC 8288; commas inside `<...>`
/// and quotes do not split).
pub fn parse_links<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<Link> {
    let mut links = Vec::new();
    for line in lines {
        let mut rest = line.trim();
        while let Some(start) = rest.find('<') {
            let Some(end) = rest[start..].find('>') else { break };
            let url = rest[start + 1..start + end].to_owned();
            rest = &rest[start + end + 1..];
            let mut params = Vec::new();
            // Parameters run to the next comma outside quotes.
            let mut in_quotes = false;
            let stop = rest
                .char_indices()
                .find(|&(_, c)| {
                    if c == '"' {
                        in_quotes = !in_quotes;
                    }
                    c == ',' && !in_quotes
                })
                .map_or(rest.len(), |(i, _)| i);
            for param in rest[..stop].split(';') {
                if let Some((name, value)) = param.split_once('=') {
                    params
                        .push((name.trim().to_ascii_lowercase(), value.trim().trim_matches('"').to_owned()));
                }
            }
            rest = &rest[stop..];
            let rels = params
                .iter()
                .filter(|(n, _)| n == "rel")
                .flat_map(|(_, v)| v.split_whitespace().map(str::to_ascii_lowercase))
                .collect();
            links.push(Link { url, rels, params });
        }
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_queries() {
        let links = parse_links(
            [r#"<https://x/a?c=0:1:0>; rel="previous"; results="false", <https://x/a?b=1,2>; rel="next""#]
                .into_iter(),
        );
        assert_eq!(links.len(), 2);
        assert_eq!(links[1].url, "https://x/a?b=1,2");
        assert_eq!(links[1].rels, ["next"]);
        assert_eq!(links[0].params[1], ("results".into(), "false".into()));
        assert_eq!(url_pairs("page%5Bsize%5D=2&q=a+b")[0].0, "page[size]");
        assert_eq!(url_pairs("page%5Bsize%5D=2&q=a+b")[1].1, "a b");
    }
}
