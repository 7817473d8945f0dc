//! The gateway's memory: single-use `ws_access_token`s, WebSocket sessions (named by their `wsc` token, each bound
//! to one OAuth session, with its one subscription and the buffer a recovery replays), and the open connections.
//! Lives inside the shared state, so publishing an event happens under the same lock as the call change behind it.
//! Bounded everywhere: buffers, queues, expired sessions, tokens.

use super::filters::Filter;
use super::frames::{self, Recovery};
use crate::clock::{rfc3339, Millis};
use crate::config::WsSettings;
use crate::events::Event;
use crate::requestlog::{FrameLog, LogEntry, RequestLog};
use crate::tokens::random_token;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Frames queued for one connection; a client that lets this many pile up is disconnected (it can recover).
pub const QUEUE: usize = 1024;
/// Expired sessions remembered, so that recovering one answers `Failed` rather than "malformed".
const GONE_CAPACITY: usize = 10_000;
/// Unused `ws_access_token`s kept at most (the oldest go first).
const TOKEN_CAPACITY: usize = 10_000;

/// What a connection's task is told to do.
#[derive(Debug)]
pub enum Out {
    /// Send a frame; `sequence` is its `wsc` sequence (0 for frames that have none).
    Frame { text: Arc<str>, sequence: u64 },
    /// Send an `Error` frame (if any), then close with this code.
    Close {
        frame: Option<String>,
        code: u16,
        reason: String,
    },
}

#[derive(Debug, Clone)]
pub struct WsToken {
    pub oauth_session: String,
    pub user_id: String,
    pub client_id: String,
    pub expires_at: Millis,
}

#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: String,
    pub filters: Vec<Filter>,
    pub created_at: Millis,
}

#[derive(Debug)]
pub struct WsSession {
    pub wsc: String,
    pub oauth_session: String,
    pub user_id: String,
    pub client_id: String,
    /// The last `wsc` sequence given out (ConnectionDetails takes 1).
    pub sequence: u64,
    pub subscription: Option<Subscription>,
    /// The latest notifications, for a recovery to replay.
    buffer: VecDeque<(u64, Arc<str>)>,
    /// The highest sequence written to a socket.
    pub delivered: u64,
    pub connection: Option<u64>,
    pub detached_at: Option<Millis>,
}

impl WsSession {
    /// The session loses `connection` (if that is still its socket) and waits for a recovery from `now`.
    fn detach(&mut self, connection: u64, now: Millis) {
        if self.connection == Some(connection) {
            self.connection = None;
            self.detached_at = Some(now);
        }
    }
}

#[derive(Debug)]
pub struct Connection {
    pub id: u64,
    pub wsc: String,
    pub user_id: String,
    pub opened_at: Millis,
    /// The last frame from the client (heartbeats included): the idle timeout counts from here.
    pub last_in: Millis,
    tx: mpsc::Sender<Out>,
}

/// The control API's switches for the gateway.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Switches {
    /// Answer upgrades with 403, as a proxy that blocks WebSockets does.
    pub refuse_upgrades: bool,
    /// Hold the next `count` notifications for `ms` (later ones overtake them: events out of order).
    pub delay: Option<Delay>,
    /// Fail the next `count` subscription requests with `status`.
    pub failing_subscriptions: Option<Failing>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delay {
    pub ms: u64,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Failing {
    pub count: u32,
    #[serde(default = "server_error")]
    pub status: u16,
}

fn server_error() -> u16 {
    500
}

/// A new connection, ready to go: the first frame, then what a recovery replays.
pub struct Opened {
    pub connection: u64,
    pub wsc: String,
    pub first: String,
    pub replay: Vec<(u64, Arc<str>)>,
}

/// Why a connection cannot be opened: an `Error` frame, then the socket closes.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: &'static str,
}

#[derive(Default)]
pub struct Hub {
    next_connection: u64,
    tokens: HashMap<String, WsToken>,
    token_order: VecDeque<String>,
    sessions: HashMap<String, WsSession>,
    gone: HashSet<String>,
    gone_order: VecDeque<String>,
    connections: HashMap<u64, Connection>,
    pub switches: Switches,
}

impl Hub {
    /// Drops every connection (abruptly) and forgets everything.
    pub fn clear(&mut self) {
        *self = Hub::default();
    }

    pub fn issue_token(&mut self, t: WsToken) -> String {
        let token = random_token(36);
        if self.token_order.len() >= TOKEN_CAPACITY {
            if let Some(old) = self.token_order.pop_front() {
                self.tokens.remove(&old);
            }
        }
        self.token_order.push_back(token.clone());
        self.tokens.insert(token.clone(), t);
        token
    }

    /// Uses a `ws_access_token` up: it is good once, and only until it expires.
    pub fn take_token(&mut self, token: &str, now: Millis) -> Result<WsToken, Refusal> {
        let refused = Refusal {
            status: 401,
            code: "WSG-401",
            message: "Invalid or expired WebSocket access token",
        };
        let t = self.tokens.remove(token).ok_or(refused.clone())?;
        if now >= t.expires_at {
            return Err(refused);
        }
        Ok(t)
    }

    fn forget(&mut self, wsc: &str) {
        if let Some(s) = self.sessions.remove(wsc) {
            if let Some(c) = s.connection {
                self.connections.remove(&c);
            }
            if self.gone_order.len() >= GONE_CAPACITY {
                if let Some(old) = self.gone_order.pop_front() {
                    self.gone.remove(&old);
                }
            }
            self.gone.insert(s.wsc.clone());
            self.gone_order.push_back(s.wsc);
        }
    }

    fn new_session(&mut self, t: &WsToken) -> String {
        let wsc = random_token(34);
        self.sessions.insert(
            wsc.clone(),
            WsSession {
                wsc: wsc.clone(),
                oauth_session: t.oauth_session.clone(),
                user_id: t.user_id.clone(),
                client_id: t.client_id.clone(),
                sequence: 1,
                subscription: None,
                buffer: VecDeque::new(),
                delivered: 1,
                connection: None,
                detached_at: None,
            },
        );
        wsc
    }

    /// Opens a connection with a used-up token, recovering the session named by `wsc` when it can
    /// (tylerlong/rc-ws-recover-test: another OAuth session → WSG-1003, no subscription → WSG-1005, a token that
    /// was never issued → WSG-400 and the socket closes).
    pub fn open(
        &mut self,
        t: &WsToken,
        wsc: Option<&str>,
        now: Millis,
        ws: &WsSettings,
        tx: mpsc::Sender<Out>,
    ) -> Result<Opened, Refusal> {
        let recovery_ms = ws.recovery_timeout_secs as Millis * 1000;
        let (key, recovery) = match wsc {
            None => (self.new_session(t), None),
            Some(w) => match self.sessions.get(w) {
                Some(s) if s.oauth_session != t.oauth_session => {
                    (self.new_session(t), Some(Recovery::Failed("WSG-1003")))
                }
                Some(s)
                    if s.subscription.is_none()
                        || s.detached_at.is_some_and(|d| now >= d + recovery_ms) =>
                {
                    self.forget(w);
                    (self.new_session(t), Some(Recovery::Failed("WSG-1005")))
                }
                Some(_) => (w.to_string(), Some(Recovery::Successful)),
                None if self.gone.contains(w) => {
                    (self.new_session(t), Some(Recovery::Failed("WSG-1005")))
                }
                None => {
                    return Err(Refusal {
                        status: 400,
                        code: "WSG-400",
                        message: "Malformed WebSocket session context token",
                    })
                }
            },
        };
        self.next_connection += 1;
        let id = self.next_connection;
        let Some(s) = self.sessions.get_mut(&key) else {
            return Err(Refusal {
                status: 500,
                code: "WSG-500",
                message: "Internal error",
            });
        };
        // The same session on a new socket: the old socket, if the server has not noticed it die, goes.
        let old = s.connection.replace(id);
        s.detached_at = None;
        let replay = if recovery == Some(Recovery::Successful) {
            let from = s.delivered;
            s.buffer
                .iter()
                .filter(|(q, _)| *q > from)
                .cloned()
                .collect()
        } else {
            vec![]
        };
        let first = frames::connection_details(&s.wsc, s.sequence, now, ws, recovery.as_ref());
        let user_id = s.user_id.clone();
        if let Some(old) = old {
            self.connections.remove(&old);
        }
        self.connections.insert(
            id,
            Connection {
                id,
                wsc: key.clone(),
                user_id,
                opened_at: now,
                last_in: now,
                tx,
            },
        );
        Ok(Opened {
            connection: id,
            wsc: key,
            first,
            replay,
        })
    }

    /// A connection's task ended, having written up to `delivered`: its session waits for a recovery.
    pub fn finished(&mut self, connection: u64, wsc: &str, delivered: u64, now: Millis) {
        self.connections.remove(&connection);
        if let Some(s) = self.sessions.get_mut(wsc) {
            s.delivered = s.delivered.max(delivered);
            s.detach(connection, now);
        }
    }

    /// The server ends a connection: dropping its only sender ends the task, which drops the socket.
    fn disconnect(&mut self, connection: u64, now: Millis) {
        if let Some(c) = self.connections.remove(&connection) {
            if let Some(s) = self.sessions.get_mut(&c.wsc) {
                s.detach(connection, now);
            }
        }
    }

    pub fn connection(&mut self, id: u64) -> Option<&mut Connection> {
        self.connections.get_mut(&id)
    }

    pub fn session_of(&self, connection: u64) -> Option<&WsSession> {
        let wsc = &self.connections.get(&connection)?.wsc;
        self.sessions.get(wsc)
    }

    /// Replaces the connection's subscription ("only one subscription per server").
    pub fn subscribe(
        &mut self,
        connection: u64,
        filters: Vec<Filter>,
        now: Millis,
    ) -> Option<Subscription> {
        let wsc = self.connections.get(&connection)?.wsc.clone();
        let s = self.sessions.get_mut(&wsc)?;
        let sub = Subscription {
            id: frames::message_id(),
            filters,
            created_at: now,
        };
        s.subscription = Some(sub.clone());
        Some(sub)
    }

    /// Cancels the connection's subscription if it has this id.
    pub fn unsubscribe(&mut self, connection: u64, id: &str) -> bool {
        let Some(wsc) = self.connections.get(&connection).map(|c| c.wsc.clone()) else {
            return false;
        };
        match self.sessions.get_mut(&wsc) {
            Some(s) if s.subscription.as_ref().is_some_and(|x| x.id == id) => {
                s.subscription = None;
                true
            }
            _ => false,
        }
    }

    /// Sends each event to every subscription a filter of which matches it, in one order for everyone.
    pub fn publish(
        &mut self,
        events: &[Event],
        account_id: &str,
        now: Millis,
        buffer_size: usize,
        log: &mut RequestLog,
    ) {
        if events.is_empty() {
            return;
        }
        let mut late: Vec<(mpsc::Sender<Out>, Out, u64)> = vec![];
        let timestamp = rfc3339(now);
        for s in self.sessions.values_mut() {
            let Some(sub) = &s.subscription else {
                continue;
            };
            for e in events {
                let Some((path, detail)) = sub
                    .filters
                    .iter()
                    .find_map(|f| f.event_path(e, account_id).map(|p| (p, f.detail())))
                else {
                    continue;
                };
                let uuid = format!("{}", rand::random::<u64>() >> 1);
                let body = match e {
                    Event::Presence { bodies, .. } => &bodies[detail.index()],
                    Event::Session { body, .. } => body,
                };
                s.sequence += 1;
                let note = json!({
                    "uuid": uuid, "event": path, "timestamp": timestamp,
                    "subscriptionId": sub.id, "ownerId": s.user_id, "body": body,
                });
                let text: Arc<str> = frames::notification(&uuid, &s.wsc, s.sequence, &note).into();
                if s.buffer.len() >= buffer_size.max(1) {
                    s.buffer.pop_front();
                }
                s.buffer.push_back((s.sequence, text.clone()));
                let Some(c) = s.connection.and_then(|c| self.connections.get(&c)) else {
                    continue;
                };
                log.push(frame_log(now, c.id, "out", "ServerNotification"));
                let out = Out::Frame {
                    text,
                    sequence: s.sequence,
                };
                match &mut self.switches.delay {
                    Some(d) if d.count > 0 => {
                        d.count -= 1;
                        late.push((c.tx.clone(), out, d.ms));
                    }
                    _ => {
                        if c.tx.try_send(out).is_err() {
                            // Too slow (or gone): the client can recover what it missed.
                            let id = c.id;
                            self.connections.remove(&id);
                            // Field by field: `sub` still borrows the session here.
                            s.connection = None;
                            s.detached_at = Some(now);
                        }
                    }
                }
            }
        }
        if self.switches.delay.as_ref().is_some_and(|d| d.count == 0) {
            self.switches.delay = None;
        }
        for (tx, out, ms) in late {
            hold(tx, out, ms);
        }
    }

    /// Timeouts, ended OAuth sessions, expired recoveries and tokens. `alive` says whether an OAuth session lives.
    pub fn sweep(&mut self, now: Millis, ws: &WsSettings, alive: impl Fn(&str) -> bool) {
        let idle = ws.idle_timeout_secs as Millis * 1000;
        let absolute = ws.absolute_timeout_secs as Millis * 1000;
        let recovery = ws.recovery_timeout_secs as Millis * 1000;
        let mut closing = vec![];
        for c in self.connections.values() {
            if c.tx.is_closed() {
                closing.push((c.id, None));
            } else if now >= c.opened_at + absolute {
                closing.push((
                    c.id,
                    Some((408, "WSG-903", "Absolute timeout expired", 1000)),
                ));
            } else if now >= c.last_in + idle {
                closing.push((c.id, Some((408, "WSG-902", "Idle timeout expired", 1000))));
            }
        }
        let ended: Vec<String> = self
            .sessions
            .values()
            .filter(|s| !alive(&s.oauth_session))
            .map(|s| s.wsc.clone())
            .collect();
        for wsc in &ended {
            if let Some(c) = self.sessions.get(wsc).and_then(|s| s.connection) {
                closing.push((
                    c,
                    Some((401, "WSG-401", "The OAuth session has ended", 1008)),
                ));
            }
        }
        for (id, why) in closing {
            match why {
                Some((status, code, message, close)) => {
                    self.close(id, status, code, message, close, now)
                }
                None => self.disconnect(id, now),
            }
        }
        for wsc in ended {
            self.forget(&wsc);
        }
        let expired: Vec<String> = self
            .sessions
            .values()
            .filter(|s| s.detached_at.is_some_and(|d| now >= d + recovery))
            .map(|s| s.wsc.clone())
            .collect();
        for wsc in expired {
            self.forget(&wsc);
        }
        self.tokens.retain(|_, t| now < t.expires_at);
        let tokens = &self.tokens;
        self.token_order.retain(|t| tokens.contains_key(t));
    }

    /// An `Error` frame, then a close; the session stays for a recovery unless the caller forgets it.
    pub fn close(
        &mut self,
        id: u64,
        status: u16,
        code: &str,
        message: &str,
        close: u16,
        now: Millis,
    ) {
        if let Some(c) = self.connections.get(&id) {
            let _ = c.tx.try_send(Out::Close {
                frame: Some(frames::error(status, code, message)),
                code: close,
                reason: code.to_string(),
            });
        }
        self.disconnect(id, now);
    }

    /// Drops the connections of `user` (all without one) with no close frame; returns how many.
    pub fn drop_connections(&mut self, user: Option<&str>, now: Millis) -> usize {
        let ids: Vec<u64> = self
            .connections
            .values()
            .filter(|c| user.is_none_or(|u| u == c.user_id))
            .map(|c| c.id)
            .collect();
        for id in &ids {
            self.disconnect(*id, now);
        }
        ids.len()
    }

    /// Sends `text` as it is to the connections of `user` (all without one); returns how many.
    pub fn send_raw(&mut self, user: Option<&str>, text: &str) -> usize {
        let text: Arc<str> = text.into();
        self.connections
            .values()
            .filter(|c| user.is_none_or(|u| u == c.user_id))
            .filter(|c| {
                c.tx.try_send(Out::Frame {
                    text: text.clone(),
                    sequence: 0,
                })
                .is_ok()
            })
            .count()
    }

    /// What `/sandbox/state` shows of the gateway.
    pub fn snapshot(&self) -> Value {
        let mut connections: Vec<&Connection> = self.connections.values().collect();
        connections.sort_by_key(|c| c.id);
        let mut sessions: Vec<&WsSession> = self.sessions.values().collect();
        sessions.sort_by(|a, b| a.wsc.cmp(&b.wsc));
        json!({
            "connections": connections.iter().map(|c| json!({
                "id": c.id, "extensionId": c.user_id, "openedAt": c.opened_at, "lastIn": c.last_in,
                "subscriptionId": self.sessions.get(&c.wsc).and_then(|s| s.subscription.as_ref()).map(|x| &x.id),
            })).collect::<Vec<_>>(),
            "subscriptions": sessions.iter().filter_map(|s| s.subscription.as_ref().map(|x| json!({
                "id": x.id, "extensionId": s.user_id, "clientId": s.client_id,
                "eventFilters": x.filters.iter().map(|f| &f.raw).collect::<Vec<_>>(),
                "connected": s.connection.is_some(), "sequence": s.sequence,
            }))).collect::<Vec<_>>(),
            "sessions": sessions.len(),
            "switches": self.switches,
        })
    }
}

/// A frame the request log records.
pub fn frame_log(now: Millis, connection: u64, direction: &'static str, kind: &str) -> LogEntry {
    LogEntry {
        at: now,
        method: "WS".into(),
        path: "/ws".into(),
        query: String::new(),
        status: 0,
        auth: false,
        detail: None,
        fault: None,
        frame: Some(FrameLog {
            connection,
            direction,
            frame_type: kind.to_string(),
        }),
    }
}

/// Sends `out` after `ms` (the delay switch); later notifications overtake it.
fn hold(tx: mpsc::Sender<Out>, out: Out, ms: u64) {
    match tokio::runtime::Handle::try_current() {
        Ok(h) => {
            h.spawn(async move {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                let _ = tx.send(out).await;
            });
        }
        Err(_) => {
            let _ = tx.try_send(out);
        }
    }
}
