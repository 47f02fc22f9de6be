//! The `suggest` example (`examples/suggest/`) on a first response of every
//! cookbook API and of the seed APIs of the embedded mock
//! (`tests/suggest/<api>/`: `body.json`, and where the API needs them
//! `url.txt`, `headers.txt`, `request_body.txt`, `request_headers.txt`).
//!
//! - Each suggestion is kept as `tests/suggest/<api>/suggested.rs` and compiled
//!   here, as a module of this one crate: the suggestions compile against the
//!   library, and decode the response they came from with the declared signals
//!   present. Regenerate with `SUGGEST_OVERWRITE=1 cargo test --test suggest`,
//!   review the diff, and run again to compile the new files.
//! - Each `#[paginate]` declaration is compared with the one the cookbook (or,
//!   for the seed APIs, `examples/tour.rs` or the README) gives for that API:
//!   the style, the items, where the position comes from and goes, the page
//!   size's target and the stop signals. The misses are listed with their
//!   reason in `KNOWN_MISSES`; run with `--nocapture` for the table.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use paginated::{Paginated, Style};
use serde_json::Value;

#[path = "../examples/suggest/main.rs"]
#[allow(dead_code)] // `main` and the command line are not used here
mod suggest;

/// One fixture: its directory, the page type of its suggestion, and where the
/// reference declaration is (file, section heading or "", struct name).
struct Fixture {
    name: &'static str,
    reference: (&'static str, &'static str, &'static str),
    decode: fn(&str) -> Result<(), String>,
}

macro_rules! fixtures {
    ($($name:ident => $path:literal, $page:ident, $file:literal, $section:literal, $decl:literal;)*) => {
        // (a) Every suggestion is a module of this crate.
        $(
            #[path = $path]
            #[allow(dead_code)] // the suggestions keep every field of the sample
            mod $name;
        )*

        fn fixtures() -> Vec<Fixture> {
            vec![$(Fixture {
                name: stringify!($name),
                reference: ($file, $section, $decl),
                decode: |body| check_decodes::<$name::$page>(body),
            }),*]
        }
    };
}

fixtures! {
    // Link style
    github => "suggest/github/suggested.rs", IssueList, "docs/cookbook.md", "GitHub REST", "Issues";
    shopify => "suggest/shopify/suggested.rs", ProductList, "docs/cookbook.md", "Shopify REST Admin", "Products";
    sentry => "suggest/sentry/suggested.rs", IssueList, "docs/cookbook.md", "Sentry", "Issues";
    okta => "suggest/okta/suggested.rs", UserList, "docs/cookbook.md", "Okta", "Users";
    microsoft_graph => "suggest/microsoft_graph/suggested.rs", UserList, "docs/cookbook.md", "Microsoft Graph", "Users";
    salesforce => "suggest/salesforce/suggested.rs", RecordList, "docs/cookbook.md", "Salesforce SOQL query", "QueryResult";
    // Cursor style
    hubspot => "suggest/hubspot/suggested.rs", ContactList, "docs/cookbook.md", "HubSpot CRM", "Contacts";
    hubspot_search => "suggest/hubspot_search/suggested.rs", ContactList, "docs/cookbook.md", "HubSpot CRM", "ContactSearch";
    stripe => "suggest/stripe/suggested.rs", CustomerList, "docs/cookbook.md", "Stripe", "CustomerList";
    slack => "suggest/slack/suggested.rs", ChannelList, "docs/cookbook.md", "Slack Web API", "Conversations";
    notion => "suggest/notion/suggested.rs", PageList, "docs/cookbook.md", "Notion", "QueryResults";
    zendesk => "suggest/zendesk/suggested.rs", UserList, "docs/cookbook.md", "Zendesk (cursor pagination)", "Users";
    google => "suggest/google/suggested.rs", FileList, "docs/cookbook.md", "Google APIs (Drive, Gmail, Calendar, ...)", "FileList";
    jira_tokens => "suggest/jira_tokens/suggested.rs", IssueList, "docs/cookbook.md", "Jira Cloud: enhanced JQL search", "SearchResults";
    x_twitter => "suggest/x_twitter/suggested.rs", TweetList, "docs/cookbook.md", "X (Twitter) API v2", "Timeline";
    airtable => "suggest/airtable/suggested.rs", TaskList, "docs/cookbook.md", "Airtable", "Records";
    graphql => "suggest/graphql/suggested.rs", IssueList, "docs/cookbook.md", "GraphQL (GitHub, Shopify Admin, any Relay connection)", "IssuesQuery";
    elasticsearch => "suggest/elasticsearch/suggested.rs", HitList, "docs/cookbook.md", "Elasticsearch / OpenSearch `search_after`", "Search";
    solr => "suggest/solr/suggested.rs", TechproductList, "docs/cookbook.md", "Apache Solr `cursorMark`", "Select";
    close => "suggest/close/suggested.rs", EventList, "docs/cookbook.md", "Close", "Events";
    cosmos_db => "suggest/cosmos_db/suggested.rs", OrderList, "docs/cookbook.md", "Azure Cosmos DB (SQL API query)", "QueryPage";
    gitlab => "suggest/gitlab/suggested.rs", IssueList, "docs/cookbook.md", "GitLab REST (offset pagination)", "Issues";
    // Offset style
    jira_offset => "suggest/jira_offset/suggested.rs", ProjectList, "docs/cookbook.md", "Jira Cloud: paginated lists (`startAt`)", "ProjectPage";
    mailchimp => "suggest/mailchimp/suggested.rs", MemberList, "docs/cookbook.md", "Mailchimp Marketing", "Members";
    pagerduty => "suggest/pagerduty/suggested.rs", IncidentList, "docs/cookbook.md", "PagerDuty REST v2 (classic pagination)", "Incidents";
    // The long tail
    okta_logs => "suggest/okta_logs/suggested.rs", LogList, "docs/cookbook.md", "Okta System Log (polling)", "OktaLogs";
    intercom_scroll => "suggest/intercom_scroll/suggested.rs", CompanyList, "docs/cookbook.md", "Intercom companies scroll", "CompanyScroll";
    slack_form => "suggest/slack_form/suggested.rs", MemberList, "docs/cookbook.md", "Slack (form POST, errors in 200 bodies)", "SlackMembers";
    graphql_errors => "suggest/graphql_errors/suggested.rs", IssueList, "docs/cookbook.md", "GraphQL errors", "IssuesQuery";
    salesforce_batch => "suggest/salesforce_batch/suggested.rs", RecordList, "docs/cookbook.md", "Salesforce batch size header", "Soql";
    canvas => "suggest/canvas/suggested.rs", CourseList, "docs/cookbook.md", "Canvas (access_token in the query)", "CanvasCourses";
    es_scroll => "suggest/es_scroll/suggested.rs", LogList, "docs/cookbook.md", "Elasticsearch scroll (the escape hatch)", "Scroll";
    es_pit => "suggest/es_pit/suggested.rs", HitList, "docs/cookbook.md", "Elasticsearch point-in-time search", "PitSearch";
    // The seed APIs of the embedded mock
    intercom => "suggest/intercom/suggested.rs", ContactList, "examples/tour.rs", "", "IntercomContacts";
    intercom_companies => "suggest/intercom_companies/suggested.rs", CompanyList, "examples/tour.rs", "", "IntercomCompanies";
    intercom_search => "suggest/intercom_search/suggested.rs", ConversationList, "examples/tour.rs", "", "IntercomConversationSearch";
    attio => "suggest/attio/suggested.rs", NoteList, "examples/tour.rs", "", "AttioNotes";
    attio_query => "suggest/attio_query/suggested.rs", PeopleList, "examples/tour.rs", "", "AttioPeopleQuery";
    close_leads => "suggest/close_leads/suggested.rs", LeadList, "README.md", "", "Leads";
}

/// The fixtures whose declaration differs from the reference in a compared
/// key, and why one sample cannot tell.
const KNOWN_MISSES: &[(&str, &str)] = &[
    (
        "hubspot_search",
        "`total`: the cookbook ends HubSpot's search at its `total`; the suggestion keeps the cursor walk's own \
         end and offers `total = \"total\"` as an alternative, because one page cannot show whether a total \
         is exact and fixed during the walk (Elasticsearch's is a lower bound, Solr's moves under writes)",
    ),
    (
        "jira_tokens",
        "`is_last`: the sample's `isLast` is declared as a second, redundant stop signal (any signal ends a \
         walk); the cookbook relies on the missing `nextPageToken` alone",
    ),
];

/// Keys that must equal the reference's.
const COMPARED: &[&str] = &[
    "style",
    "items",
    "cursor_field",
    "cursor_item_field",
    "cursor_header",
    "cursor_param",
    "cursor_body",
    "cursor_form",
    "cursor_request_header",
    "next_url",
    "offset_param",
    "offset_body",
    "page_param",
    "page_body",
    "page_size_param",
    "page_size_body",
    "page_size_form",
    "page_size_header",
    "has_more",
    "is_last",
    "total",
    "total_pages",
    "next_state",
    "next_request",
];

/// Keys reported when they differ, but not counted: what an API documents
/// rather than what a page shows.
const REPORTED: &[&str] = &[
    "first_cursor",
    "first_page",
    "keep_params",
    "cursor_encoded",
    "stop_on_empty_page",
    "stop_on_short_page",
    "api_error",
    "page_size_format",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// The sample of a fixture directory.
fn sample(name: &str) -> suggest::Sample {
    let dir = root().join("tests/suggest").join(name);
    let body = read(&dir.join("body.json")).expect("body.json");
    let mut sample = suggest::Sample::new(&body).expect("body.json is JSON");
    if let Some(url) = read(&dir.join("url.txt")) {
        sample.url = Some(url.trim().parse().expect("url.txt is a URL"));
    }
    if let Some(headers) = read(&dir.join("headers.txt")) {
        sample.headers = suggest::parse_header_lines(&headers)
            .into_iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v))
            .collect();
    }
    if let Some(body) = read(&dir.join("request_body.txt")) {
        sample.request_body = Some(suggest::RequestBody::parse(&body));
    }
    if let Some(headers) = read(&dir.join("request_headers.txt")) {
        sample.request_headers = suggest::parse_header_lines(&headers);
    }
    sample
}

#[test]
fn every_fixture_is_listed() {
    let listed: Vec<&str> = fixtures().iter().map(|f| f.name).collect();
    for entry in std::fs::read_dir(root().join("tests/suggest")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(listed.contains(&name.as_str()), "tests/suggest/{name} is not in `fixtures!`");
    }
}

#[test]
fn suggestions_match_their_files() {
    let overwrite = std::env::var_os("SUGGEST_OVERWRITE").is_some();
    let mut stale = Vec::new();
    for fixture in fixtures() {
        let path = root().join("tests/suggest").join(fixture.name).join("suggested.rs");
        let suggested = suggest::suggest(&sample(fixture.name));
        if read(&path).as_deref() != Some(suggested.as_str()) {
            if overwrite {
                std::fs::write(&path, &suggested).unwrap();
            }
            stale.push(fixture.name);
        }
    }
    assert!(
        overwrite || stale.is_empty(),
        "suggestions changed for {stale:?}: review with SUGGEST_OVERWRITE=1 cargo test --test suggest and `git diff`"
    );
}

/// (a) The suggestion decodes its own sample, and the signal it declares is there.
fn check_decodes<P: Paginated + serde::de::DeserializeOwned>(body: &str) -> Result<(), String> {
    let page: P = serde_json::from_str(body).map_err(|e| format!("does not decode: {e}"))?;
    let signals = page.signals();
    if page.items().is_empty() {
        return Err("no items".into());
    }
    match P::SPEC.style {
        Style::Cursor if P::SPEC.cursor_header.is_none() && signals.cursor.is_none() => {
            return Err("no cursor".into());
        }
        Style::Link if P::SPEC.next_url_field && signals.next_url.is_none() => {
            return Err("no next URL".into());
        }
        Style::Custom if signals.state.is_none() => return Err("no state".into()),
        _ => {}
    }
    if let Some(path) = P::SPEC.items_path {
        let value: Value = serde_json::from_str(body).unwrap();
        let found = path.iter().try_fold(&value, |v, k| v.get(k)).and_then(Value::as_array);
        if found.map(Vec::len) != Some(page.items().len()) {
            return Err(format!("the runtime would not find the items at {path:?}"));
        }
    }
    Ok(())
}

#[test]
fn suggestions_decode_their_samples() {
    let failures: Vec<String> = fixtures()
        .iter()
        .filter_map(|f| {
            let body = read(&root().join("tests/suggest").join(f.name).join("body.json")).unwrap();
            (f.decode)(&body).err().map(|e| format!("{}: {e}", f.name))
        })
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

// ---- (b) the declarations against the cookbook's ----

#[test]
fn declarations_match_the_cookbook() {
    let mut misses = Vec::new();
    let mut table = String::new();
    for fixture in fixtures() {
        let (file, section, name) = fixture.reference;
        let text = read(&root().join(file)).unwrap();
        let text = if section.is_empty() { text.as_str() } else { section_of(&text, section) };
        let expected = declaration(text, name);
        let page = page_struct(&suggest::suggest(&sample(fixture.name)));
        let got = declaration(&page.1, &page.0);
        for (side, keys) in [("reference", &expected), ("suggestion", &got)] {
            assert!(
                keys.contains_key("style") && keys.contains_key("items"),
                "{}: {side} not read: {keys:?}",
                fixture.name
            );
        }
        let differs = |keys: &[&str]| -> Vec<String> {
            keys.iter()
                .filter(|k| expected.get(**k) != got.get(**k))
                .map(|k| format!("{k}: {:?} here, {:?} there", got.get(*k), expected.get(*k)))
                .collect()
        };
        let (compared, reported) = (differs(COMPARED), differs(REPORTED));
        let verdict = if compared.is_empty() { "match" } else { "MISS" };
        let _ = writeln!(table, "{:<20} {verdict:<6} {}", fixture.name, compared.join("; "));
        if !reported.is_empty() {
            let _ = writeln!(table, "{:<27} (not counted) {}", "", reported.join("; "));
        }
        if !compared.is_empty() {
            misses.push(fixture.name);
        }
    }
    let total = fixtures().len();
    println!("{table}\n{} of {total} declarations match their reference", total - misses.len());
    let known: Vec<&str> = KNOWN_MISSES.iter().map(|(name, _)| *name).collect();
    assert_eq!(misses, known, "\n{table}");
}

/// The text of the `### title` section of a Markdown file.
fn section_of<'t>(text: &'t str, title: &str) -> &'t str {
    let heading = format!("### {title}\n");
    let start = text.find(&heading).unwrap_or_else(|| panic!("no section {title:?}"));
    let rest = &text[start + heading.len()..];
    let end = rest.find("\n## ").into_iter().chain(rest.find("\n### ")).min().unwrap_or(rest.len());
    &rest[..end]
}

/// The response struct of a suggestion: its name and the text to read it from.
fn page_struct(suggested: &str) -> (String, String) {
    let at = suggested.find("#[derive(Debug, Deserialize, Paginated)]").expect("a Paginated struct");
    let name = suggested[at..].split("pub struct ").nth(1).unwrap().split_whitespace().next().unwrap();
    (name.to_owned(), suggested.to_owned())
}

/// The `#[paginate(...)]` keys of struct `name`: each key's value (`""` for a
/// flag), `items` as `field <name>` or the path, `transparent` for a bare array.
fn declaration(text: &str, name: &str) -> BTreeMap<String, String> {
    let needle = [format!("struct {name} {{"), format!("struct {name}<")];
    let at = needle.iter().find_map(|n| text.find(n.as_str())).unwrap_or_else(|| panic!("no struct {name}"));
    // The attributes: back to the end of the previous item.
    let mut head_start = text[..at].rfind('\n').unwrap_or(0);
    while let Some(prev) = text[..head_start].rfind('\n') {
        let line = text[prev + 1..head_start].trim();
        if line == "}" || line.ends_with(';') || line.starts_with("```") || line.ends_with('}') {
            break;
        }
        head_start = prev;
    }
    let head = &text[head_start..at];
    let body_end = at + text[at..].find("\n}").unwrap_or(text.len() - at);
    let body = &text[at..body_end];
    let mut keys = BTreeMap::new();
    for attr in head.split("#[paginate(").skip(1) {
        for (k, v) in pairs(attr) {
            keys.insert(k, v);
        }
    }
    let transparent = head.contains("#[serde(transparent)]");
    if let Some(marked) = body.split("#[paginate(items)]").nth(1) {
        let field = marked
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("#[") && !l.starts_with("//"))
            .and_then(|l| l.trim_start_matches("pub ").split(':').next())
            .unwrap()
            .to_owned();
        keys.insert(
            "items".into(),
            if transparent { "transparent".into() } else { format!("field {field}") },
        );
    }
    for (key, value) in &mut keys {
        if key.ends_with("_header") {
            *value = value.to_ascii_lowercase();
        }
    }
    keys
}

/// `style = "cursor", cursor_encoded, page_size = 100)]...` -> the pairs up to
/// the closing parenthesis.
fn pairs(attr: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (mut key, mut value, mut in_string, mut escaped, mut in_value) =
        (String::new(), String::new(), false, false, false);
    for c in attr.chars() {
        if in_string {
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {
                    value.push(c);
                    escaped = false;
                }
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '=' => in_value = true,
            ',' | ')' => {
                if !key.trim().is_empty() {
                    out.push((key.trim().to_owned(), value.trim().to_owned()));
                }
                key.clear();
                value.clear();
                in_value = false;
                if c == ')' {
                    break;
                }
            }
            c if in_value => value.push(c),
            c => key.push(c),
        }
    }
    out
}
