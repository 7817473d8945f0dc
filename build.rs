//! Minifies the widget's stylesheet into OUT_DIR: the wasm carries it into each widget's shadow root, so every
//! byte of comment and indentation would ship.

fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    // Comments out.
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
    }
    out.push_str(rest);
    // Runs of whitespace to one space, then no space next to punctuation that does not need it. A space before
    // `:` stays: in `.a :focus` it is the descendant combinator.
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut min = String::with_capacity(collapsed.len());
    let chars: Vec<char> = collapsed.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = if i > 0 { chars[i - 1] } else { ' ' };
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            if "{};,>".contains(prev) || "{};,>".contains(next) || prev == ':' {
                continue;
            }
        }
        min.push(c);
    }
    min.replace(";}", "}")
}

fn main() {
    println!("cargo:rerun-if-changed=styles/widget.css");
    let css = std::fs::read_to_string("styles/widget.css").unwrap_or_default();
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    let _ = std::fs::write(format!("{out}/widget.min.css"), minify(&css));
}
