//! Origins: a walk stays on the origin (scheme, host, port) of the user's
//! request, redirects included, unless the user lets it leave.

use reqwest::header::LOCATION;
use reqwest::redirect::{Action, Attempt, Policy};

use crate::error::ErrorKind;
use crate::fetch::NO_URL_HOST;

/// How many redirects [`redirect_policy`] follows in one chain (reqwest's default).
const MAX_REDIRECTS: usize = 10;

/// A redirect policy for the client of a walk: redirects on the origin
/// (scheme, host and port) of the request are followed, up to 10 in a chain;
/// a redirect to another origin is not followed, before anything is sent
/// there.
///
/// A stopped redirect comes back as the `3xx` response itself, which a walk
/// reports as [`ErrorKind::CrossOrigin`] (its page is not delivered).
///
/// Without it, reqwest follows a redirect to another origin itself, before the
/// walk sees the response: it strips only `Authorization`, `Cookie` and
/// `Proxy-Authorization` on the way, so an `X-Api-Key` or any other
/// credential header (and, for a `307` or `308`, the request body) reaches the
/// other origin on the first request. The walk then refuses the page, but the
/// request is already sent.
///
/// The policy also refuses redirects to another origin in walks with
/// [`Paginator::allow_cross_origin`](crate::Paginator::allow_cross_origin):
/// that option lets the walk follow next URLs, from which it removes
/// credentials itself; a redirect is followed by the client, which cannot.
///
/// ```
/// let client = reqwest::Client::builder()
///     .redirect(paginated::redirect_policy())
///     .build()
///     .unwrap();
/// # let _ = client;
/// ```
pub fn redirect_policy() -> Policy {
    Policy::custom(follow_same_origin)
}

/// Follows a redirect on the origin of the chain's first request, stops one
/// to another origin.
fn follow_same_origin(attempt: Attempt<'_>) -> Action {
    // `previous` starts with the URL of the request itself.
    let leaves = attempt.previous().first().is_some_and(|first| first.origin() != attempt.url().origin());
    if leaves {
        attempt.stop()
    } else if attempt.previous().len() > MAX_REDIRECTS {
        attempt.error("too many redirects")
    } else {
        attempt.follow()
    }
}

/// Checks a response against the origin its request was sent to: one that
/// came from another origin (the client followed a redirect), or a redirect to
/// another origin the client did not follow, is [`ErrorKind::CrossOrigin`]
/// unless the walk may leave its origin. A response that does not know its URL
/// (built by a custom transport) is judged by its `Location` alone.
pub(crate) fn check_response(
    sent: &url::Origin,
    response: &reqwest::Response,
    allow_cross_origin: bool,
) -> Result<(), ErrorKind> {
    if allow_cross_origin {
        return Ok(());
    }
    let answered = response.url();
    let known = answered.host_str() != Some(NO_URL_HOST);
    if known && answered.origin() != *sent {
        return Err(ErrorKind::CrossOrigin { url: answered.to_string() });
    }
    if !response.status().is_redirection() {
        return Ok(());
    }
    let Some(location) = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    // A response that does not know its URL came from the request's origin.
    let base = if known { Ok(answered.clone()) } else { reqwest::Url::parse(&sent.ascii_serialization()) };
    match base.and_then(|base| base.join(location)) {
        Ok(target) if target.origin() != *sent => Err(ErrorKind::CrossOrigin { url: target.to_string() }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(url: &str, status: u16, location: Option<&str>) -> reqwest::Response {
        use reqwest::ResponseBuilderExt;
        let mut builder = http::Response::builder().status(status).url(reqwest::Url::parse(url).unwrap());
        if let Some(location) = location {
            builder = builder.header(LOCATION, location);
        }
        reqwest::Response::from(builder.body(Vec::new()).unwrap())
    }

    fn origin(url: &str) -> url::Origin {
        reqwest::Url::parse(url).unwrap().origin()
    }

    #[test]
    fn a_response_from_another_origin_is_refused_unless_allowed() {
        let home = origin("https://api.example.com/v1/x");
        for other in ["https://evil.example/x", "http://api.example.com/x", "https://api.example.com:8443/x"]
        {
            let r = response(other, 200, None);
            assert!(
                matches!(check_response(&home, &r, false), Err(ErrorKind::CrossOrigin { .. })),
                "{other}"
            );
            assert!(check_response(&home, &r, true).is_ok());
        }
        assert!(check_response(&home, &response("https://api.example.com:443/y", 200, None), false).is_ok());
    }

    #[test]
    fn a_stopped_redirect_is_judged_by_its_location() {
        let home = origin("https://api.example.com/v1/x");
        let away = response("https://api.example.com/v1/x", 302, Some("https://evil.example/x"));
        let Err(ErrorKind::CrossOrigin { url }) = check_response(&home, &away, false) else { panic!() };
        assert_eq!(url, "https://evil.example/x");
        let here = response("https://api.example.com/v1/x", 302, Some("/v2/x"));
        assert!(check_response(&home, &here, false).is_ok());
        let unknown = format!("http://{NO_URL_HOST}/");
        assert!(check_response(&home, &response(&unknown, 307, Some("/v2/x")), false).is_ok());
        for away in ["//evil.example/x", "http://evil.example/x"] {
            let r = response(&unknown, 307, Some(away));
            assert!(check_response(&home, &r, false).is_err(), "{away}");
        }
    }
}
