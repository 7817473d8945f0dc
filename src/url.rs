//! Query strings and form bodies, in plain Rust so the logic that builds and reads them is tested natively.

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[(b >> 4) as usize]));
            out.push(char::from(b"0123456789ABCDEF"[(b & 15) as usize]));
        }
    }
    out
}

/// `k=v&k=v`, each part encoded.
pub fn to_query(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    parts.join("&")
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Decodes `%XX` and `+`; invalid escapes are kept as they are, invalid UTF-8 is replaced.
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses `?a=1&b=2` or `a=1&b=2` (a leading `?` or `#` is skipped).
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.trim_start_matches(['?', '#'])
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

pub fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The origin (`scheme://host[:port]`) of an absolute http(s) URL.
pub fn origin(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if end == 0 {
        return None;
    }
    Some(&url[..url.len() - rest.len() + end])
}

/// The host of an absolute http(s) URL, without port.
pub fn host(url: &str) -> Option<&str> {
    let o = origin(url)?;
    let h = &o[o.find("://")? + 3..];
    Some(if let Some(stripped) = h.strip_prefix('[') {
        stripped.split(']').next().unwrap_or("")
    } else {
        h.split(':').next().unwrap_or("")
    })
}

/// `url` without the named query parameters (and never with an empty `?`).
pub fn without_params(url: &str, remove: &[&str]) -> String {
    let (base, frag) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let (path, query) = base.split_once('?').unwrap_or((base, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| {
            !p.is_empty() && !remove.contains(&decode(p.split('=').next().unwrap_or("")).as_str())
        })
        .collect();
    let mut out = path.to_string();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(f) = frag {
        out.push('#');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let s = "a b&c=d/é~";
        assert_eq!(encode(s), "a%20b%26c%3Dd%2F%C3%A9~");
        assert_eq!(decode(&encode(s)), s);
        assert_eq!(decode("a+b%2"), "a b%2");
        assert_eq!(decode("%zz%41"), "%zzA");
    }

    #[test]
    fn parses_queries() {
        let q = parse_query("?code=abc&state=x%20y&empty=&flag");
        assert_eq!(get(&q, "code"), Some("abc"));
        assert_eq!(get(&q, "state"), Some("x y"));
        assert_eq!(get(&q, "empty"), Some(""));
        assert_eq!(get(&q, "flag"), Some(""));
        assert_eq!(get(&q, "none"), None);
    }

    #[test]
    fn origins_and_hosts() {
        assert_eq!(
            origin("http://127.0.0.1:8080/x?y"),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            origin("https://platform.ringcentral.com"),
            Some("https://platform.ringcentral.com")
        );
        assert_eq!(origin("ftp://x"), None);
        assert_eq!(origin("https:///x"), None);
        assert_eq!(host("http://localhost:8080/"), Some("localhost"));
        assert_eq!(host("http://[::1]:8080/"), Some("::1"));
    }

    #[test]
    fn removes_params() {
        assert_eq!(
            without_params("http://h/p?clientId=a&code=1&state=2#f", &["code", "state"]),
            "http://h/p?clientId=a#f"
        );
        assert_eq!(
            without_params("http://h/?code=1&state=2", &["code", "state"]),
            "http://h/"
        );
    }
}
