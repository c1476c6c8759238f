//! Writes a [`Document`] as one self-contained HTML page: inline CSS, the chart as inline SVG, no scripts,
//! fonts, images or links to anything outside the file. Every text is escaped.

use std::fmt::Write as _;

use super::{Block, Document};

/// Escapes `&`, `<`, `>`, `"` and `'` for text and attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;\
line-height:1.45;color:#1d2330}table{border-collapse:collapse;margin:.5rem 0 1rem}\
th,td{border:1px solid #c8ccd4;padding:.3rem .6rem;text-align:left;vertical-align:top}\
th{background:#eef0f4}svg{display:block;margin:.5rem 0 1rem}.bar{fill:#3a7bd5}.track{fill:#e4e7ec}\
svg text{font:13px system-ui,sans-serif;fill:#1d2330}";

/// Row height, label column width and bar width of the chart, in pixels.
const ROW: f64 = 24.0;
const LABEL_W: f64 = 150.0;
const BAR_W: f64 = 320.0;

fn chart(s: &mut String, title: &str, bars: &[(String, f64)]) {
    let height = ROW * bars.len() as f64 + 8.0;
    let width = LABEL_W + BAR_W + 60.0;
    let _ = write!(
        s,
        "<svg class=\"chart\" role=\"img\" aria-label=\"{t}\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\"><title>{t}</title>",
        t = escape(title)
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let v = if value.is_finite() { value.clamp(0.0, 1.0) } else { 0.0 };
        let y = 4.0 + ROW * i as f64;
        let _ = write!(
            s,
            "<g class=\"row\"><text x=\"0\" y=\"{ty}\">{l}</text>\
             <rect class=\"track\" x=\"{LABEL_W}\" y=\"{y}\" width=\"{BAR_W}\" height=\"16\"/>\
             <rect class=\"bar\" x=\"{LABEL_W}\" y=\"{y}\" width=\"{w:.1}\" height=\"16\" data-value=\"{v:.3}\"/>\
             <text x=\"{px}\" y=\"{ty}\">{pct:.0}%</text></g>",
            ty = y + 13.0,
            l = escape(label),
            w = v * BAR_W,
            px = LABEL_W + BAR_W + 8.0,
            pct = v * 100.0
        );
    }
    s.push_str("</svg>\n");
}

pub(super) fn render(doc: &Document) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&doc.title)
    );
    for block in &doc.blocks {
        match block {
            Block::Heading(level, text) => {
                let l = (*level).clamp(1, 6);
                let _ = writeln!(s, "<h{l}>{}</h{l}>", escape(text));
            }
            Block::Para(text) => {
                let _ = writeln!(s, "<p>{}</p>", escape(text));
            }
            Block::List(items) => {
                s.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(s, "<li>{}</li>", escape(item));
                }
                s.push_str("</ul>\n");
            }
            Block::Table { head, rows } => {
                s.push_str("<table>\n<thead><tr>");
                for h in head {
                    let _ = write!(s, "<th>{}</th>", escape(h));
                }
                s.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    s.push_str("<tr>");
                    for c in row {
                        let _ = write!(s, "<td>{}</td>", escape(c));
                    }
                    s.push_str("</tr>\n");
                }
                s.push_str("</tbody>\n</table>\n");
            }
            Block::Chart { title, bars } => chart(&mut s, title, bars),
        }
    }
    s.push_str("</body>\n</html>\n");
    s
}
