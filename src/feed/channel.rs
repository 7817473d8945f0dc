//! Messages between the tabs of one browser, over a BroadcastChannel per sharing key: `{ v, from, kind, … }`.
//! Versioned: a tab ignores a message of another version (a tab still running an older or newer build), as it
//! ignores a kind it does not know or a message with a field of the wrong type. The leader protocol that uses
//! them (and the snapshot it broadcasts) is the one-session stage's; these are its first words.

use crate::api::json::Source;
use crate::api::lenient;
use serde::{Deserialize, Serialize};

/// The version of this message set. Bump it when a message changes meaning.
pub const VERSION: u32 = 1;

/// What a tab's widgets show, so the leader fetches the union: `extension` and/or `account`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Needs {
    pub scopes: Vec<String>,
}

/// What a follower asks of the leader.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TabCommand {
    Refresh,
    SignOut,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum Message {
    /// A tab opened or woke: who leads? and what it shows.
    Hello { needs: Needs },
    /// What a tab shows changed.
    Needs { needs: Needs },
    /// The leader is alive; `term` grows with every new leader, so an old leader's word is told apart.
    Heartbeat { term: u64 },
    /// A follower asks the leader to act.
    Command { command: TabCommand },
    /// The leader stands down (closing, hidden, or replaced).
    Resign { term: u64 },
}

/// A message as it travels: the version, the sending tab, and the message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub v: u32,
    pub from: String,
    #[serde(flatten)]
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
    use serde_json::{json, Value};

    fn read(v: Value) -> Option<Envelope> {
        Envelope::read(&v)
    }

    #[test]
    fn every_message_goes_and_comes_back() {
        let all = [
            Message::Hello {
                needs: Needs {
                    scopes: vec!["extension".into()],
                },
            },
            Message::Needs {
                needs: Needs {
                    scopes: vec!["extension".into(), "account".into()],
                },
            },
            Message::Heartbeat { term: 3 },
            Message::Command {
                command: TabCommand::SignOut,
            },
            Message::Resign { term: 3 },
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
            json!({"v": 1, "from": "t", "kind": "command", "command": "refresh"})
        );
    }

    #[test]
    fn other_versions_unknown_kinds_and_bad_fields_are_ignored() {
        for bad in [
            json!({"v": 2, "from": "t", "kind": "heartbeat", "term": 1}),
            json!({"from": "t", "kind": "heartbeat", "term": 1}),
            json!({"v": 1, "from": "t", "kind": "snapshot-from-the-future", "x": 1}),
            json!({"v": 1, "from": "t", "kind": "heartbeat", "term": "soon"}),
            json!({"v": 1, "from": "t", "kind": "command", "command": "eval"}),
            json!({"v": 1, "kind": "resign", "term": 1}),
            json!({"v": "1", "from": "t", "kind": "resign", "term": 1}),
            json!([1, 2]),
            json!("hello"),
            json!(null),
        ] {
            assert_eq!(read(bad.clone()), None, "{bad}");
        }
        // A field this version does not know is let be.
        assert_eq!(
            read(json!({"v": 1, "from": "t", "kind": "heartbeat", "term": 2, "leaseUntil": 99})),
            Some(Envelope::new("t", Message::Heartbeat { term: 2 }))
        );
    }
}
