//! Reading an active-calls answer in the browser: JSON text → JavaScript value → records → the rows' views, for a
//! page of 1 000 calls (RingCentral's largest page). `bench/read` runs it in headless Chromium and prints the time.
#![cfg(target_arch = "wasm32")]
// A fixed fixture: failing loudly is what a benchmark should do.
#![allow(clippy::expect_used)]

use rc_active_calls::api::json;
use rc_active_calls::api::model::CallLogPage;
use rc_active_calls::format::CallView;
use wasm_bindgen_test::{wasm_bindgen_bench, Criterion};

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// A page like the sandbox's: answered and ringing calls, both parties named, an extension on our side.
fn page(n: usize) -> String {
    let records: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"uri":"https://platform.ringcentral.com/restapi/v1.0/account/400618687001/extension/400618687102/call-log/SBX{i:09}","id":"SBX{i:09}","sessionId":"{s}","telephonySessionId":"s-{s}","startTime":"2026-11-28T15:{m:02}:{sec:02}.000Z","duration":{d},"type":"Voice","direction":"{dir}","action":"Phone Call","result":"{res}","to":{{"phoneNumber":"+16504366666","name":"Ben Baker","extensionNumber":"102","extensionId":"400618687102"}},"from":{{"phoneNumber":"+1415555{p:04}","name":"Caller {i}","location":"San Francisco, CA"}},"extension":{{"uri":"https://platform.ringcentral.com/restapi/v1.0/account/400618687001/extension/400618687102","id":400618687102}},"telephonySessionIdLegs":[]}}"#,
                s = 4_000_000 + i,
                m = i % 60,
                sec = (i * 7) % 60,
                d = i % 300,
                dir = if i % 3 == 0 { "Outbound" } else { "Inbound" },
                res = if i % 4 == 0 { "Ringing" } else { "In Progress" },
                p = i % 10_000,
            )
        })
        .collect();
    format!(
        r#"{{"uri":"https://platform.ringcentral.com/restapi/v1.0/account/~/extension/~/active-calls?view=Simple&page=1&perPage=1000","records":[{}],"paging":{{"page":1,"totalPages":1,"perPage":1000,"totalElements":{n},"pageStart":0,"pageEnd":{e}}},"navigation":{{"firstPage":{{"uri":"x"}},"lastPage":{{"uri":"x"}}}}}}"#,
        records.join(","),
        e = n.saturating_sub(1)
    )
}

fn read(text: &str) -> usize {
    let js = json::parse(text).expect("the page is JSON");
    let page = CallLogPage::read(&js).expect("the page reads");
    page.records
        .into_iter()
        .filter_map(CallView::from_record)
        .count()
}

#[wasm_bindgen_bench]
fn read_1000_records(c: &mut Criterion) {
    let text = page(1000);
    assert_eq!(read(&text), 1000);
    c.bench_function("read 1 000 records (JSON text to rows' views)", |b| {
        b.iter(|| read(&text))
    });
}
