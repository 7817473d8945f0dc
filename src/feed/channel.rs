//! Messages between the tabs of one browser, over a BroadcastChannel per sharing key:
//! `{ v, from, message: { heartbeat: { term, hidden } } }` (serde's own enum shape: see `api::js_de`).
//! Versioned: a tab ignores a message of another version (a tab still running an older or newer build), as it
//! ignores a kind it does not know or a message with a field of the wrong type. Only tabs of this site (the same
//! storage partition) hear them.

use crate::api::json::Source;
use crate::api::lenient;
use crate::feed::protocol::Needs;
use crate::feed::snapshot::Snapshot;
use serde::{Deserialize, Serialize};

/// The version of this message set. Bump it when a message changes meaning.
pub const VERSION: u32 = 1;

/// What a follower asks of the leader.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TabCommand {
    Refresh,
    SignOut,
}

/// The session's tokens, as the leader hands them to the tabs that may lead next (and a tab that signed in hands
/// them to the leader). Never sent anywhere but this browser's tabs of this site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenSet {
    pub access: String,
    /// ms since the epoch.
    pub access_expires_at: f64,
    pub refresh: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Message {
    /// A widget started (or its page was shown again): what it shows. The leader answers with the tokens and a
    /// snapshot.
    Hello { needs: Needs },
    /// What a widget shows changed, or it says it again (every 15 s, and to a new leader).
    Needs { needs: Needs },
    /// A widget went away.
    Bye,
    /// The leader is alive; `term` grows with every new leader, so an old leader's word is told apart.
    Heartbeat { term: u64, hidden: bool },
    /// A follower asks the leader to act.
    Command { command: TabCommand },
    /// A hidden leader asks the shown widget `to` to take the lock.
    HandOver { term: u64, to: String },
    /// From the leader: the session's tokens (`None`: signed out, forget them). From any other tab: it just signed
    /// in, and these are the new session's.
    Tokens { tokens: Option<TokenSet> },
    /// What the leader knows (the records travel beside it, `Channel::post_with`).
    Snapshot { snapshot: Snapshot },
}

/// A message as it travels: the version, the sending tab, and the message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub v: u32,
    pub from: String,
    pub message: Message,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Head {
    #[serde(deserialize_with = "lenient::number")]
    v: Option<f64>,
}

impl Envelope {
    pub fn new(from: &str, message: Message) -> Envelope {
        Envelope {
            v: VERSION,
            from: from.to_string(),
            message,
        }
    }

    /// A message of this version, or `None` for anything else (another version, an unknown kind, a field of the
    /// wrong type, not a message at all).
    pub fn read<J: Source>(value: &J) -> Option<Envelope> {
        let head: Head = value.read()?;
        if head.v != Some(VERSION as f64) {
            return None;
        }
        value.read()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Scope;
    use serde_json::{json, Value};

    fn read(v: Value) -> Option<Envelope> {
        Envelope::read(&v)
    }

    #[test]
    fn every_message_goes_and_comes_back() {
        let needs = Needs {
            scope: Scope::Account,
            visible: true,
            poll_seconds: 10,
            page_size: 1000,
        };
        let all = [
            Message::Hello {
                needs: needs.clone(),
            },
            Message::Needs { needs },
            Message::Bye,
            Message::Heartbeat {
                term: 3,
                hidden: true,
            },
            Message::Command {
                command: TabCommand::SignOut,
            },
            Message::HandOver {
                term: 3,
                to: "tab-2".into(),
            },
            Message::Tokens {
                tokens: Some(TokenSet {
                    access: "a".into(),
                    access_expires_at: 1.0,
                    refresh: None,
                }),
            },
            Message::Tokens { tokens: None },
            Message::Snapshot {
                snapshot: Snapshot::signed_out(2, None),
            },
        ];
        for m in all {
            let e = Envelope::new("tab-1", m);
            let wire = serde_json::to_value(&e).unwrap();
            assert_eq!(wire["v"], 1);
            assert_eq!(read(wire), Some(e));
        }
        assert_eq!(
            serde_json::to_value(Envelope::new(
                "t",
                Message::Command {
                    command: TabCommand::Refresh
                }
            ))
            .unwrap(),
            json!({"v": 1, "from": "t", "message": {"command": {"command": "refresh"}}})
        );
    }

    #[test]
    fn other_versions_unknown_kinds_and_bad_fields_are_ignored() {
        for bad in [
            json!({"v": 2, "from": "t", "message": {"heartbeat": {"term": 1, "hidden": false}}}),
            json!({"from": "t", "message": {"heartbeat": {"term": 1, "hidden": false}}}),
            json!({"v": 1, "from": "t", "message": {"snapshotFromTheFuture": {"x": 1}}}),
            json!({"v": 1, "from": "t", "message": {"heartbeat": {"term": "soon", "hidden": false}}}),
            json!({"v": 1, "from": "t", "message": {"needs": {"needs": {"scope": "galaxy", "visible": true, "pollSeconds": 6, "pageSize": 1}}}}),
            json!({"v": 1, "from": "t", "message": {"command": {"command": "eval"}}}),
            json!({"v": 1, "from": "t", "message": {"heartbeat": {"term": 1, "hidden": false}, "bye": null}}),
            json!({"v": 1, "message": "bye"}),
            json!({"v": "1", "from": "t", "message": "bye"}),
            json!([1, 2]),
            json!("hello"),
            json!(null),
        ] {
            assert_eq!(read(bad.clone()), None, "{bad}");
        }
        // A field this version does not know is let be.
        assert_eq!(
            read(
                json!({"v": 1, "from": "t", "leaseUntil": 99, "message": {"heartbeat": {"term": 2, "hidden": false, "x": 1}}})
            ),
            Some(Envelope::new(
                "t",
                Message::Heartbeat {
                    term: 2,
                    hidden: false
                }
            ))
        );
    }
}
