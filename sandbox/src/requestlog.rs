//! The request log (`GET /sandbox/requests`): what reached the sandbox, bounded, oldest first.

use crate::clock::Millis;
use serde::Serialize;
use std::collections::VecDeque;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// Sandbox-clock milliseconds since the epoch.
    pub at: Millis,
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
    /// Whether an `Authorization` header was sent.
    pub auth: bool,
    /// For token requests, the grant type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
    /// For WebSocket frames (`method` "WS"): which connection, which way, and the frame's type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame: Option<FrameLog>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FrameLog {
    pub connection: u64,
    /// `in` (client to server) or `out`.
    pub direction: &'static str,
    /// `ClientRequest`, `ServerNotification`, `Heartbeat`, ... or `malformed`.
    #[serde(rename = "type")]
    pub frame_type: String,
}

/// At most this many entries are kept (the oldest go first).
pub const LOG_CAPACITY: usize = 10_000;

#[derive(Debug, Default)]
pub struct RequestLog(VecDeque<LogEntry>);

impl RequestLog {
    pub fn push(&mut self, entry: LogEntry) {
        if self.0.len() >= LOG_CAPACITY {
            self.0.pop_front();
        }
        self.0.push_back(entry);
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn entries(&self) -> &VecDeque<LogEntry> {
        &self.0
    }
}
