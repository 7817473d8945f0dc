//! Phone numbers as people read them at a glance: E.164 grouped by its country code, then the North American plan's
//! `NXX-NXX-XXXX`, or elsewhere an area group and the rest (`+49 30 123456`). Small on purpose: no numbering-plan
//! library in the wasm. Anything that is not E.164 (an extension, "anonymous", a national form) is shown as it came.

/// ITU-T E.164 country codes of two digits; `1` and `7` are the one-digit ones, every other code has three.
const TWO_DIGIT_CODES: &[u8] = &[
    20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56,
    57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
];

/// The number itself when it is E.164 (`+` and 8 to 15 digits): what a `tel:` link dials.
pub fn e164(number: &str) -> Option<&str> {
    let n = number.trim();
    let digits = n.strip_prefix('+')?;
    let ok = (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    ok.then_some(n)
}

/// `+16505550901` → `+1 650-555-0901`, `+4930123456` → `+49 30 123456`, `+442079460958` → `+44 207 946 0958`.
pub fn grouped(number: &str) -> String {
    let Some(n) = e164(number) else {
        return number.trim().to_string();
    };
    let digits = &n[1..];
    let cc_len = match digits.as_bytes()[0] {
        b'1' | b'7' => 1,
        _ => match digits[..2].parse::<u8>() {
            Ok(two) if TWO_DIGIT_CODES.contains(&two) => 2,
            _ => 3,
        },
    };
    let (cc, rest) = digits.split_at(cc_len);
    if cc == "1" && rest.len() == 10 {
        return format!("+1 {}-{}-{}", &rest[..3], &rest[3..6], &rest[6..]);
    }
    if rest.len() <= 6 {
        return format!("+{cc} {rest}");
    }
    let (area, local) = rest.split_at(if rest.len() <= 8 { 2 } else { 3 });
    if local.len() <= 6 {
        format!("+{cc} {area} {local}")
    } else {
        format!("+{cc} {area} {} {}", &local[..3], &local[3..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_as_people_read_them() {
        for (raw, shown) in [
            ("+16505550901", "+1 650-555-0901"),
            ("+4930123456", "+49 30 123456"),
            ("+442079460958", "+44 207 946 0958"),
            ("+33142685300", "+33 142 685300"),
            ("+74951234567", "+7 495 123 4567"),
            ("+35312345678", "+353 12 345678"),
            ("+8613812345678", "+86 138 123 45678"),
            ("+16505550", "+1 65 05550"),
        ] {
            assert_eq!(grouped(raw), shown, "{raw}");
        }
    }

    #[test]
    fn anything_else_is_shown_as_it_came() {
        for raw in [
            "101",
            "anonymous",
            "(866)123-4567",
            "+0123456789",
            "+1234567",
            "+1650555090a",
            "",
            "+",
        ] {
            assert_eq!(grouped(raw), raw.trim(), "{raw}");
            assert_eq!(e164(raw), None, "{raw}");
        }
        assert_eq!(e164(" +16505550901 "), Some("+16505550901"));
    }
}
