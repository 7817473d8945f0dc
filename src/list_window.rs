//! Which rows of a long list are in the DOM. Past `VIRTUAL_FROM` calls only the rows in view (plus `OVERSCAN` on
//! each side) are rendered, between spacers standing for the rest; a row that holds keyboard focus is kept too, so
//! focus is never lost to scrolling. Pure, so native tests cover it.

use std::ops::Range;

/// From this many calls the list is virtualised (below it every row is in the DOM, and the page scrolls it).
pub const VIRTUAL_FROM: usize = 200;
/// Rows rendered beyond each edge of the view, so a fast scroll does not show blank space.
pub const OVERSCAN: usize = 12;
/// The window moves in steps of this many rows: scrolling by one row does not render anything.
pub const STEP: usize = 4;

/// The rows in view: the first one (by the scroll offset) and how many fit, both rounded to whole rows.
pub fn in_view(scroll_top: f64, viewport_h: f64, row_h: f64) -> (usize, usize) {
    if row_h.is_nan() || row_h <= 0.0 {
        return (0, 1);
    }
    let first = (scroll_top.max(0.0) / row_h).floor() as usize;
    let fit = (viewport_h.max(0.0) / row_h).ceil() as usize + 1;
    (first, fit)
}

/// Whether a new first row moves the window (it moves by `STEP`s, or to either end).
pub fn moved(current: usize, first: usize, total: usize, fit: usize) -> bool {
    current.abs_diff(first) >= STEP || (first != current && (first == 0 || first + fit >= total))
}

/// The rows to render for `first` and `fit` out of `total`.
pub fn window(first: usize, fit: usize, total: usize) -> Range<usize> {
    let start = first.saturating_sub(OVERSCAN).min(total);
    let end = (first + fit + OVERSCAN).min(total);
    start..end.max(start)
}

/// Whether the rows in view (`first`, `fit`) are all among those rendered: then a scroll needs no render before
/// its frame is painted, and the window can follow in a task after it.
pub fn covers(rendered: &Range<usize>, first: usize, fit: usize, total: usize) -> bool {
    let end = (first + fit).min(total);
    first >= end || (rendered.start <= first && end <= rendered.end)
}

/// What the body holds, top to bottom.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// This many rows stand here unrendered.
    Gap(usize),
    Rows(Range<usize>),
}

/// The window plus the kept row (when outside it), with gaps for the rest.
pub fn parts(total: usize, window: Range<usize>, keep: Option<usize>) -> Vec<Part> {
    let mut shown = vec![window];
    if let Some(k) = keep.filter(|k| *k < total) {
        if !shown[0].contains(&k) {
            shown.push(k..k + 1);
            shown.sort_by_key(|r| r.start);
        }
    }
    let mut out = vec![];
    let mut at = 0;
    for r in shown.into_iter().filter(|r| !r.is_empty()) {
        if r.start > at {
            out.push(Part::Gap(r.start - at));
        }
        at = r.end;
        out.push(Part::Rows(r));
    }
    if total > at {
        out.push(Part::Gap(total - at));
    }
    out
}

/// The rows' pitch from what is rendered, top to bottom: `Some((top, height))` for a call's row, `None` for a
/// spacer or a note box, which end a run of rows. Taken over the longest run, from the top of its first row to the
/// top of its last: a row's own box differs from the pitch by a fraction of a pixel (collapsed borders), which
/// thousands of rows turn into a scroll offset off by screens. A lone row gives its height.
pub fn pitch(rows: &[Option<(f64, f64)>]) -> Option<f64> {
    let mut best: Option<(usize, f64)> = None;
    for run in rows.split(Option::is_none).filter(|r| !r.is_empty()) {
        let (first, last) = (run[0]?, run[run.len() - 1]?);
        let p = match run.len() {
            1 => first.1,
            n => (last.0 - first.0) / (n - 1) as f64,
        };
        if best.is_none_or(|(n, _)| run.len() > n) {
            best = Some((run.len(), p));
        }
    }
    best.map(|(_, p)| p).filter(|p| *p > 0.0)
}

/// The scroll offset that brings row `i` into view, or `None` when it is in view already.
pub fn reveal(i: usize, scroll_top: f64, viewport_h: f64, row_h: f64) -> Option<f64> {
    let top = i as f64 * row_h;
    if top < scroll_top {
        Some(top)
    } else if top + row_h > scroll_top + viewport_h {
        Some((top + row_h - viewport_h).max(0.0))
    } else {
        None
    }
}

/// The row a navigation key moves to from `i`, out of `total` (`page`: rows in view).
pub fn step(key: &str, i: usize, total: usize, page: usize) -> Option<usize> {
    let last = total.checked_sub(1)?;
    let to = match key {
        "ArrowDown" => (i + 1).min(last),
        "ArrowUp" => i.saturating_sub(1),
        "PageDown" => (i + page.max(1)).min(last),
        "PageUp" => i.saturating_sub(page.max(1)),
        "Home" => 0,
        "End" => last,
        _ => return None,
    };
    Some(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_is_whole_rows() {
        assert_eq!(in_view(0.0, 400.0, 50.0), (0, 9));
        assert_eq!(in_view(1049.0, 400.0, 50.0), (20, 9));
        assert_eq!(in_view(-20.0, 400.0, 50.0), (0, 9));
        // A row height not measured yet cannot divide by zero.
        assert_eq!(in_view(100.0, 400.0, 0.0), (0, 1));
        assert_eq!(in_view(100.0, 400.0, f64::NAN), (0, 1));
    }

    #[test]
    fn the_window_moves_in_steps_and_reaches_both_ends() {
        assert!(!moved(100, 101, 5000, 9));
        assert!(!moved(100, 97, 5000, 9));
        assert!(moved(100, 104, 5000, 9));
        assert!(moved(2, 0, 5000, 9));
        assert!(moved(4989, 4991, 5000, 9));
        assert!(!moved(0, 0, 5000, 9));
    }

    #[test]
    fn the_window_has_overscan_within_bounds() {
        assert_eq!(window(0, 9, 5000), 0..21);
        assert_eq!(window(100, 9, 5000), 88..121);
        assert_eq!(window(4995, 9, 5000), 4983..5000);
        assert_eq!(window(6000, 9, 5000), 5000..5000);
        assert_eq!(window(0, 9, 0), 0..0);
    }

    #[test]
    fn rows_in_view_are_covered_by_the_window_until_they_pass_its_overscan() {
        let rendered = window(100, 9, 5000);
        assert!(covers(&rendered, 100, 9, 5000));
        assert!(covers(&rendered, 112, 9, 5000));
        assert!(!covers(&rendered, 113, 9, 5000));
        assert!(covers(&rendered, 88, 9, 5000));
        assert!(!covers(&rendered, 87, 9, 5000));
        // The last rows: the view reaches past the list's end.
        assert!(covers(&window(4995, 9, 5000), 4996, 9, 5000));
        // Nothing in view (an empty list) is covered by anything.
        assert!(covers(&(0..0), 0, 9, 0));
    }

    #[test]
    fn gaps_stand_for_the_unrendered_rows() {
        assert_eq!(
            parts(5000, 88..121, None),
            vec![Part::Gap(88), Part::Rows(88..121), Part::Gap(4879)]
        );
        assert_eq!(
            parts(300, 0..21, None),
            vec![Part::Rows(0..21), Part::Gap(279)]
        );
        assert_eq!(parts(21, 0..21, None), vec![Part::Rows(0..21)]);
    }

    #[test]
    fn a_focused_row_outside_the_window_stays_in_place() {
        assert_eq!(
            parts(5000, 88..121, Some(3)),
            vec![
                Part::Gap(3),
                Part::Rows(3..4),
                Part::Gap(84),
                Part::Rows(88..121),
                Part::Gap(4879)
            ]
        );
        assert_eq!(
            parts(5000, 0..21, Some(4999)),
            vec![Part::Rows(0..21), Part::Gap(4978), Part::Rows(4999..5000)]
        );
        // Inside the window, or gone from the list: nothing extra.
        assert_eq!(parts(300, 0..21, Some(5)), parts(300, 0..21, None));
        assert_eq!(parts(300, 0..21, Some(300)), parts(300, 0..21, None));
        // Right after the window: no empty gap between.
        assert_eq!(
            parts(300, 0..21, Some(21)),
            vec![Part::Rows(0..21), Part::Rows(21..22), Part::Gap(278)]
        );
    }

    #[test]
    fn the_pitch_comes_from_the_longest_run() {
        let row = |top: f64| Some((top, 40.0));
        // Rows 42 apart (40 high and a border): the kept row alone, a spacer, then the window.
        assert_eq!(
            pitch(&[row(0.0), None, row(5000.0), row(5042.0), row(5084.0)]),
            Some(42.0)
        );
        assert_eq!(pitch(&[row(10.0)]), Some(40.0));
        assert_eq!(pitch(&[None, None]), None);
        assert_eq!(pitch(&[]), None);
    }

    #[test]
    fn reveal_scrolls_only_as_far_as_needed() {
        assert_eq!(reveal(10, 0.0, 400.0, 50.0), Some(150.0));
        assert_eq!(reveal(2, 500.0, 400.0, 50.0), Some(100.0));
        assert_eq!(reveal(12, 500.0, 400.0, 50.0), None);
    }

    #[test]
    fn keys_move_within_the_list() {
        assert_eq!(step("ArrowDown", 0, 5000, 8), Some(1));
        assert_eq!(step("ArrowDown", 4999, 5000, 8), Some(4999));
        assert_eq!(step("ArrowUp", 0, 5000, 8), Some(0));
        assert_eq!(step("PageDown", 4995, 5000, 8), Some(4999));
        assert_eq!(step("PageUp", 5, 5000, 8), Some(0));
        assert_eq!(step("End", 5, 5000, 8), Some(4999));
        assert_eq!(step("Home", 5, 5000, 8), Some(0));
        assert_eq!(step("Enter", 5, 5000, 8), None);
        assert_eq!(step("ArrowDown", 0, 0, 8), None);
    }
}
