//! A list's reading: its records, as RingCentral sent them, read into the views a widget shows, with the same reader
//! in every tab. When push asked for the newest calls, a list is its first page fetched again followed by records
//! kept from the list before (`CallLogPage::kept_after`); their views are then taken from that list's reading
//! instead of read again (an admin's 5 000 records took 40 ms in every tab at each push event). Pure.

use crate::api::json::Json;
use crate::api::model::CallRecord;
use crate::format::CallView;

/// Reads records; unreadable ones (not a record, or no usable start time or id) are counted.
pub fn read<J: Json>(items: &[J]) -> (Vec<CallView>, u32) {
    let calls: Vec<CallView> = items.iter().filter_map(read_one).collect();
    let skipped = (items.len() - calls.len()) as u32;
    (calls, skipped)
}

fn read_one<J: Json>(r: &J) -> Option<CallView> {
    CallRecord::read(r).and_then(CallView::from_record)
}

/// A list whose records after the first `fresh` were kept from a list read as `before`: the first read, the rest
/// taken from `before` (`read_kept`).
pub fn read_merged<J: Json>(
    items: &[J],
    fresh: usize,
    before: &[CallView],
) -> (Vec<CallView>, u32) {
    let (page, kept) = items.split_at(fresh.min(items.len()));
    let (mut calls, skipped) = read(page);
    let (mut rest, unreadable) = read_kept(kept, before);
    calls.append(&mut rest);
    (calls, skipped + unreadable)
}

/// Reads `kept`, records copied from a list whose reading is `before`, as `read` would. When no id is twice in
/// either (RingCentral's are unique), a record is the view of `before` with its id and start time: records of one
/// id and start time are kept or dropped together, so that view was read from this very record. Any other record
/// is read, and so is every record when an id is twice.
pub fn read_kept<J: Json>(kept: &[J], before: &[CallView]) -> (Vec<CallView>, u32) {
    let mut known: Vec<&CallView> = before.iter().collect();
    known.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    let ids: Vec<Option<String>> = kept.iter().map(|r| r.str_at("id")).collect();
    let mut kept_ids: Vec<&str> = ids.iter().flatten().map(String::as_str).collect();
    kept_ids.sort_unstable();
    let twice =
        known.windows(2).any(|w| w[0].id == w[1].id) || kept_ids.windows(2).any(|w| w[0] == w[1]);
    let mut calls = Vec::with_capacity(kept.len());
    for (r, id) in kept.iter().zip(&ids) {
        let view = id
            .as_deref()
            .filter(|_| !twice)
            .and_then(|id| {
                let i = known.partition_point(|c| c.id.as_str() < id);
                known.get(i).copied().filter(|c| c.id == id)
            })
            .filter(|v| r.str_at("startTime").as_deref() == Some(v.start_time.as_str()));
        match view {
            Some(v) => calls.push(v.clone()),
            None => calls.extend(read_one(r)),
        }
    }
    let skipped = (kept.len() - calls.len()) as u32;
    (calls, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::CallLogPage;
    use serde_json::{json, Value};

    fn record(id: &str, start: &str, name: &str) -> Value {
        json!({
            "id": id, "startTime": start, "direction": "Inbound", "type": "Voice", "action": "Phone Call",
            "result": "In Progress", "from": {"name": name, "phoneNumber": "+16505550101"},
            "to": {"phoneNumber": "+16505550199"}
        })
    }

    /// Taking views from `before` reads what reading every record reads, whatever the records.
    fn same_as_read(page: &[Value], old: &[Value]) {
        let kept = CallLogPage::kept_after(page, old.to_vec()).unwrap_or_default();
        let merged: Vec<Value> = page.iter().chain(&kept).cloned().collect();
        let (before, _) = read(old);
        assert_eq!(read_merged(&merged, page.len(), &before), read(&merged));
    }

    #[test]
    fn kept_records_are_the_views_read_before() {
        let old = [
            record("c", "2026-11-30T10:03:00Z", "Cy"),
            record("b", "2026-11-30T10:02:00Z", "Bo"),
            record("a", "2026-11-30T10:01:00Z", "Al"),
        ];
        let page = [
            record("d", "2026-11-30T10:04:00Z", "Di"),
            record("c", "2026-11-30T10:03:00Z", "Cy, answered"),
        ];
        same_as_read(&page, &old);
        let kept = [old[1].clone(), old[2].clone()];
        let (before, _) = read(&old);
        let (calls, skipped) = read_kept(&kept, &before);
        assert_eq!(skipped, 0);
        assert_eq!(calls, before[1..].to_vec());
    }

    #[test]
    fn records_that_share_an_id_or_were_not_read_before_are_read() {
        let old = [
            record("c", "2026-11-30T10:03:00Z", "Cy"),
            // Two records of one id, the second unreadable: neither is the view read from the first.
            record("b", "2026-11-30T10:02:00Z", "Bo"),
            json!({"id": "b", "startTime": "2026-11-30T10:02:00Z"}),
            // The same id with another start time: not that view.
            record("a", "2026-11-30T10:01:00Z", "Al"),
            record("a", "not a time", "Al"),
            json!("not a record"),
            json!({"startTime": "2026-11-30T10:00:00Z", "direction": "Inbound"}),
        ];
        let page = [record("c", "2026-11-30T10:03:00Z", "Cy")];
        same_as_read(&page, &old);
        // Kept records the reading before never saw are read.
        let (calls, skipped) = read_kept(&old[1..], &[]);
        assert_eq!((calls.len(), skipped), (2, 4));
        // An id kept once whose view is not the one there (another start time) is read.
        let before = read(&[record("a", "2026-11-30T09:00:00Z", "Old")]).0;
        let (calls, _) = read_kept(&old[3..4], &before);
        assert_eq!(calls, read(&old[3..4]).0);
        // An id twice in the reading before: read.
        let twice = read(&[old[3].clone(), record("a", "2026-11-30T10:01:00Z", "Other")]).0;
        assert_eq!(read_kept(&old[3..4], &twice).0, read(&old[3..4]).0);
    }

    #[test]
    fn a_first_page_longer_than_the_list_reads_the_list() {
        let old = [record("a", "2026-11-30T10:01:00Z", "Al")];
        assert_eq!(read_merged(&old, 5, &[]), read(&old));
    }
}
