//! Contact matching: the host maps phone numbers to its own records. Answers are cached, like RingCentral
//! Embeddable's third-party service (a match for 2 h, no match for 5 min: ringcentral-api.md 5.1); a resolver that
//! fails or times out is asked again a minute later, and meanwhile RingCentral's own names show.

use crate::api::json::Source;
use crate::api::lenient;
use serde::Deserialize;

pub const MATCH_TTL_MS: f64 = 2.0 * 3600.0 * 1000.0;
pub const NO_MATCH_TTL_MS: f64 = 5.0 * 60.0 * 1000.0;
pub const RETRY_MS: f64 = 60.0 * 1000.0;
/// Numbers asked in one call to the resolver.
pub const MAX_ASK: usize = 50;
/// An entry this long past its freshness is forgotten: a number still on screen has been asked again by then (the
/// list is checked every minute), so only numbers of calls long gone go, and a tab open all day keeps what the last
/// two hours or so showed, not every number of the day.
pub const FORGET_AFTER_MS: f64 = 10.0 * 60.0 * 1000.0;

#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub name: String,
    /// Only http(s) links: a `javascript:` URL from the host's data must never become a link.
    pub url: Option<String>,
}

/// A contact as the host answered it, `{name, url?}`, before it is checked.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct ContactIn {
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub url: Option<String>,
}

impl Contact {
    /// `{name, url?}`. A relative `url` ("/contacts/42") is resolved against `base` (the host page's origin).
    pub fn read<J: Source>(j: &J, base: &str) -> Option<Contact> {
        Contact::checked(j.read()?, base)
    }

    fn checked(c: ContactIn, base: &str) -> Option<Contact> {
        let name = crate::api::model::capped(
            c.name?.trim().to_string(),
            crate::api::model::MAX_NAME_CHARS,
        );
        if !crate::format::visible(&name) {
            return None;
        }
        let url = c.url.and_then(|u| {
            let u = u.trim();
            if crate::url::origin(u).is_some() {
                Some(u.to_string())
            } else if u.starts_with('/') && !u.starts_with("//") && !u.starts_with("/\\") {
                crate::url::origin(base).map(|o| format!("{o}{u}"))
            } else {
                None
            }
        });
        Some(Contact { name, url })
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    number: String,
    contact: Option<Contact>,
    /// Ask again after this (ms since the epoch).
    fresh_until: f64,
}

/// What is known about each number, and which numbers are being asked about.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Contacts {
    /// Sorted by number: an admin's thousands of calls look up every number on each answer.
    entries: Vec<Entry>,
    asking: Vec<String>,
}

impl Contacts {
    fn find(&self, number: &str) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|e| e.number.as_str().cmp(number))
    }

    /// The match for a number; an expired match still shows until a new answer replaces it.
    pub fn get(&self, number: &str) -> Option<&Contact> {
        self.entries[self.find(number).ok()?].contact.as_ref()
    }

    /// The numbers to ask about now: not asked already, and unknown or expired.
    pub fn wanted<'a>(&self, numbers: impl Iterator<Item = &'a str>, now: f64) -> Vec<String> {
        let mut out: Vec<String> = vec![];
        for n in numbers {
            let n = n.trim();
            let known = self
                .find(n)
                .is_ok_and(|i| self.entries[i].fresh_until > now);
            if !n.is_empty()
                && !known
                && !self.asking.iter().any(|a| a == n)
                && !out.iter().any(|o| o == n)
                && out.len() < MAX_ASK
            {
                out.push(n.to_string());
            }
        }
        out
    }

    pub fn asked(&mut self, numbers: &[String]) {
        self.asking.extend(numbers.iter().cloned());
    }

    /// The entry for a number (made if new), which is no longer being asked about.
    fn settle(&mut self, number: &str) -> &mut Entry {
        self.asking.retain(|a| a != number);
        let i = match self.find(number) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(
                    i,
                    Entry {
                        number: number.to_string(),
                        contact: None,
                        fresh_until: 0.0,
                    },
                );
                i
            }
        };
        &mut self.entries[i]
    }

    /// The resolver answered: `found` holds the numbers it matched; the rest of `asked` have no match (an old
    /// match is forgotten, and asked about again sooner).
    pub fn answered(&mut self, asked: &[String], found: Vec<(String, Contact)>, now: f64) {
        for n in asked {
            let hit = found.iter().find(|(f, _)| f == n).map(|(_, c)| c.clone());
            let ttl = if hit.is_some() {
                MATCH_TTL_MS
            } else {
                NO_MATCH_TTL_MS
            };
            let e = self.settle(n);
            e.contact = hit;
            e.fresh_until = now + ttl;
        }
        self.forget(now);
    }

    /// Entries are only ever made by an answer or a failure, so forgetting there keeps the list bounded.
    fn forget(&mut self, now: f64) {
        self.entries
            .retain(|e| e.fresh_until + FORGET_AFTER_MS > now);
    }

    /// The resolver failed or timed out: RingCentral's names stay, and these numbers are asked again later.
    pub fn failed(&mut self, asked: &[String], now: f64) {
        for n in asked {
            self.settle(n).fresh_until = now + RETRY_MS;
        }
        self.forget(now);
    }
}

/// Reads a resolver's answer, `{ "+14155550100": {name, url?}, … }`, for the numbers asked.
pub fn read_answer<J: Source>(answer: &J, asked: &[String], base: &str) -> Vec<(String, Contact)> {
    asked
        .iter()
        .filter_map(|n| Some((n.clone(), Contact::read(&answer.field(n)?, base)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BASE: &str = "https://crm.example/app/page";

    fn ada() -> Contact {
        Contact {
            name: "Ada".into(),
            url: None,
        }
    }

    #[test]
    fn urls_are_http_or_resolved_paths_only() {
        let read = |j| Contact::read(&j, BASE);
        let url = |u: &str| read(json!({"name": "A", "url": u})).unwrap().url;
        assert_eq!(
            url("https://crm.example/c/1"),
            Some("https://crm.example/c/1".into())
        );
        assert_eq!(url("/c/1"), Some("https://crm.example/c/1".into()));
        assert_eq!(url("javascript:alert(1)"), None);
        assert_eq!(url("//evil.example/x"), None);
        assert_eq!(url("data:text/html,x"), None);
        assert_eq!(read(json!({"name": "  "})), None);
        assert_eq!(read(json!({"name": 5})), None);
        assert_eq!(read(json!("Ada")), None);
    }

    #[test]
    fn asks_once_caches_with_ttls_and_retries_failures() {
        let mut c = Contacts::default();
        let nums = ["+1", "+2", "+1", ""];
        let want = c.wanted(nums.iter().copied(), 0.0);
        assert_eq!(want, ["+1", "+2"]);
        c.asked(&want);
        assert!(c.wanted(nums.iter().copied(), 0.0).is_empty(), "in flight");
        c.answered(&want, vec![("+1".into(), ada())], 0.0);
        assert_eq!(c.get("+1"), Some(&ada()));
        assert_eq!(c.get("+2"), None);
        assert!(c
            .wanted(nums.iter().copied(), NO_MATCH_TTL_MS - 1.0)
            .is_empty());
        assert_eq!(
            c.wanted(nums.iter().copied(), NO_MATCH_TTL_MS + 1.0),
            ["+2"]
        );
        assert_eq!(
            c.wanted(nums.iter().copied(), MATCH_TTL_MS + 1.0),
            ["+1", "+2"]
        );

        // A failure keeps the old match and asks again a minute later.
        let later = MATCH_TTL_MS + 1.0;
        c.asked(&["+1".to_string()]);
        c.failed(&["+1".to_string()], later);
        assert_eq!(c.get("+1"), Some(&ada()));
        assert!(c
            .wanted(["+1"].into_iter(), later + RETRY_MS - 1.0)
            .is_empty());
        assert_eq!(c.wanted(["+1"].into_iter(), later + RETRY_MS + 1.0), ["+1"]);
    }

    #[test]
    fn a_day_of_new_numbers_keeps_only_the_recent_ones() {
        let mut c = Contacts::default();
        let minute = 60_000.0;
        // A new caller every minute for a day, every other one matched; "+0" stays on screen all day and is asked
        // again whenever its match expires.
        for i in 0..24 * 60 {
            let now = f64::from(i) * minute;
            let n = format!("+{}", i + 1);
            let want = c.wanted(["+0", n.as_str()].into_iter(), now);
            c.asked(&want);
            let found = want
                .iter()
                .filter(|w| *w == "+0" || i % 2 == 0)
                .map(|w| (w.clone(), ada()))
                .collect();
            c.answered(&want, found, now);
            assert!(
                c.entries.len() <= 140,
                "{} entries at minute {i}",
                c.entries.len()
            );
            assert_eq!(c.get("+0"), Some(&ada()), "at minute {i}");
        }
        let last = format!("+{}", 24 * 60 - 1);
        assert_eq!(c.get(&last), Some(&ada()));
        assert_eq!(c.get("+1"), None, "a morning caller is forgotten");
    }

    #[test]
    fn reads_only_the_numbers_asked() {
        let a =
            json!({"+1": {"name": "Ada", "url": "/c/1"}, "+9": {"name": "Not asked"}, "+2": null});
        let asked = vec!["+1".to_string(), "+2".to_string()];
        let found = read_answer(&a, &asked, BASE);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1.url.as_deref(), Some("https://crm.example/c/1"));
        assert!(read_answer(&json!([1, 2]), &asked, BASE).is_empty());
    }
}
