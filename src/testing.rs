//! Test support: values read straight out of RFC 8448 (`testdata/rfc8448.txt`),
//! so a known-answer test names the trace step it checks instead of carrying
//! hand-copied hex.

/// The text of RFC 8448.
const RFC8448: &str = include_str!("../testdata/rfc8448.txt");

/// Returns the `label` field (e.g. `"complete record"`, `"expanded"`) of the
/// `nth` (0-based) step headed `step` (e.g. `{server}  send handshake record:`)
/// in the section whose title starts with `section` (e.g. `"3.  Simple"`).
///
/// The field's octet count is read from its label, and the hex that follows is
/// collected across line and page breaks until that many octets are read.
pub(crate) fn rfc8448(section: &str, step: &str, nth: usize, label: &str) -> Vec<u8> {
    let start = RFC8448
        .find(&format!("\n{section}"))
        .unwrap_or_else(|| panic!("no section {section:?}"));
    let body = &RFC8448[start + 1..];
    // The section ends where the next numbered section title starts.
    let end = body
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .find(|&i| {
            let line = &body[i..];
            line.split_once(".  ")
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        })
        .unwrap_or(body.len());
    let body = &body[..end];
    let mut at = 0;
    for _ in 0..=nth {
        let found = body[at..]
            .find(step)
            .unwrap_or_else(|| panic!("no step {step:?} in {section:?}"));
        at += found + step.len();
    }
    let field = format!("{label} (");
    let found = body[at..]
        .find(&field)
        .unwrap_or_else(|| panic!("no field {label:?} after {step:?}"));
    let rest = &body[at + found + field.len()..];
    let (count, rest) = rest.split_once(" octets):").expect("octet count");
    let count: usize = count.trim().parse().expect("octet count is a number");
    let mut out = Vec::with_capacity(count);
    for line in rest.lines() {
        // Page headers and footers interrupt long fields; they are not hex.
        let tokens: Vec<&str> = line.split_whitespace().collect();
        if tokens.is_empty()
            || !tokens
                .iter()
                .all(|t| t.len() == 2 && t.chars().all(|c| c.is_ascii_hexdigit()))
        {
            continue;
        }
        for t in tokens {
            if out.len() < count {
                out.push(u8::from_str_radix(t, 16).expect("hex"));
            }
        }
        if out.len() == count {
            return out;
        }
    }
    panic!("field {label:?} after {step:?} ended early");
}

/// Section 3, "Simple 1-RTT Handshake".
pub(crate) const SIMPLE: &str = "3.  Simple 1-RTT Handshake";
/// Section 4, "Resumed 0-RTT Handshake".
pub(crate) const RESUMED: &str = "4.  Resumed 0-RTT Handshake";
/// Section 5, "HelloRetryRequest".
pub(crate) const HRR: &str = "5.  HelloRetryRequest";

#[test]
fn the_parser_reads_fields_across_page_breaks() {
    let ch = rfc8448(
        SIMPLE,
        "{client}  construct a ClientHello handshake message:",
        0,
        "ClientHello",
    );
    assert_eq!(ch.len(), 196);
    assert_eq!(&ch[..4], &[0x01, 0x00, 0x00, 0xc0]);
    let flight = rfc8448(
        SIMPLE,
        "{server}  send handshake record:",
        1,
        "complete record",
    );
    assert_eq!(flight.len(), 679);
    assert_eq!(&flight[flight.len() - 2..], &[0x0d, 0x2b]);
}
