//! The cookie lines that keep a session in a cross-site frame, built and read in plain Rust (tested natively).
//!
//! Why a cookie: where the user allows storage access (`storage_access`), every browser grants the frame its
//! cookies, while Web Storage through the access handle may still fail (it does in Chromium with third-party
//! storage blocked). A cookie travels with requests to its path on the widget's host: that host already serves the
//! code that holds the tokens, so it learns nothing it could not take, but the cookie is kept to the page's folder
//! and to the refresh token's own lifetime.

use crate::url::{decode, encode};

/// RingCentral's refresh tokens last a week (`refresh_token_expires_in: 604800`).
pub const WEEK_SECS: u32 = 604_800;

/// The cookie's name for a storage key: `rcac.t.` (this tab's session) or `rcac.b.` (the browser's), then the key,
/// encoded so any key is a valid name.
pub fn name(per_browser: bool, key: &str) -> String {
    format!(
        "rcac.{}.{}",
        if per_browser { "b" } else { "t" },
        encode(key)
    )
}

/// The `document.cookie` line that sets it: cross-site (`SameSite=None; Secure`), for `max_age` seconds, or until
/// the browser closes (`None`).
pub fn set_line(name: &str, value: &str, path: &str, max_age: Option<u32>) -> String {
    let age = max_age.map_or(String::new(), |s| format!("; Max-Age={s}"));
    format!(
        "{name}={}; Path={path}; SameSite=None; Secure{age}",
        encode(value)
    )
}

/// The line that removes it.
pub fn remove_line(name: &str, path: &str) -> String {
    set_line(name, "", path, Some(0))
}

/// The value of `name` in `document.cookie` (`a=1; b=2`).
pub fn find(all: &str, name: &str) -> Option<String> {
    all.split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| decode(v))
        .filter(|v| !v.is_empty())
}

/// The folder of a page's path (`/crm/widget.html` → `/crm/`), the narrowest path the page can still read.
pub fn folder(pathname: &str) -> &str {
    match pathname.rfind('/') {
        Some(i) => &pathname[..=i],
        None => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_set_is_found_again() {
        let n = name(false, "rc-active-calls:refresh:demo@https://x#k");
        assert!(n.starts_with("rcac.t."));
        assert!(!n.contains([':', '/', '#', '@', ';', '=', ' ']));
        let line = set_line(&n, "a b;c=d", "/", None);
        assert_eq!(
            line,
            format!("{n}=a%20b%3Bc%3Dd; Path=/; SameSite=None; Secure")
        );
        let stored = line.split(';').next().unwrap_or_default();
        let all = format!("other=1; {stored}; last=2");
        assert_eq!(find(&all, &n).as_deref(), Some("a b;c=d"));
        assert_eq!(find("other=1", &n), None);
        assert_eq!(find(&format!("{n}="), &n), None);
        assert_eq!(find("", &n), None);
    }

    #[test]
    fn per_browser_cookies_last_a_week_and_removal_expires_them() {
        let n = name(true, "k");
        assert_eq!(n, "rcac.b.k");
        assert!(set_line(&n, "v", "/w/", Some(WEEK_SECS))
            .ends_with("; Path=/w/; SameSite=None; Secure; Max-Age=604800"));
        assert_eq!(
            remove_line(&n, "/"),
            "rcac.b.k=; Path=/; SameSite=None; Secure; Max-Age=0"
        );
    }

    #[test]
    fn the_folder_of_a_page() {
        assert_eq!(folder("/"), "/");
        assert_eq!(folder("/index.html"), "/");
        assert_eq!(folder("/crm/widget.html"), "/crm/");
        assert_eq!(folder("/crm/"), "/crm/");
        assert_eq!(folder(""), "/");
    }
}
