//! Pictures of answers as standalone SVG: a result's subgraph (nodes
//! coloured by label, edges labelled by type, claims with their stance)
//! laid out by a small force-directed layout, and an actor's timeline
//! (claims and events on a time axis).
//!
//! Pure Rust, no browser or outside tool; the files open in any browser.
//! Reads the graph to caption nodes; knows nothing of extraction or of
//! how the result was found.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::store::{EdgeId, Graph, NodeId};

/// The most nodes a subgraph picture draws (a bigger one is unreadable and
/// the layout is quadratic).
pub const MAX_NODES: usize = 400;

/// Label → fill colour, the first label a node has in this order wins.
const PALETTE: [(&str, &str); 8] = [
    ("Claim", "#f1ce63"),
    ("Event", "#59a14f"),
    ("Article", "#b07aa1"),
    ("Country", "#e15759"),
    ("Person", "#4e79a7"),
    ("Organization", "#f28e2b"),
    ("Place", "#76b7b2"),
    ("Actor", "#9c755f"),
];
const OTHER: (&str, &str) = ("other", "#bab0ac");

/// Text escaped for XML content and attributes.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // characters XML 1.0 does not allow
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

struct PNode {
    id: NodeId,
    kind: (&'static str, &'static str),
    caption: String,
    /// the full text, shown on hover
    title: String,
}

fn prop_text(g: &Graph, n: NodeId, key: &str) -> Option<String> {
    let k = g.symbol(key)?;
    let v = g.node(n)?.prop(k)?;
    Some(v.as_str().map_or_else(|| v.to_string(), str::to_string))
}

fn describe(g: &Graph, n: NodeId) -> PNode {
    let labels: Vec<&str> = g
        .node(n)
        .map(|x| x.labels().iter().map(|l| g.name_of(*l)).collect())
        .unwrap_or_default();
    let kind = PALETTE
        .iter()
        .find(|(l, _)| labels.contains(l))
        .copied()
        .unwrap_or(OTHER);
    let main = ["name", "text", "title", "file"]
        .iter()
        .find_map(|k| prop_text(g, n, k))
        .unwrap_or_else(|| format!("#{}", n.0));
    let caption = match kind.0 {
        "Claim" => {
            let stance = prop_text(g, n, "stance").unwrap_or_default();
            format!("[{stance}] {}", short(&main, 44))
        }
        "Event" => {
            let ty = prop_text(g, n, "type").unwrap_or_default();
            let time = prop_text(g, n, "time").unwrap_or_default();
            format!("{ty} {time}").trim().to_string()
        }
        _ => short(&main, 30),
    };
    PNode {
        id: n,
        kind,
        caption,
        title: format!("{main} ({})", labels.join(":")),
    }
}

/// A small deterministic force-directed layout (Fruchterman–Reingold):
/// positions in [0, w] × [0, h].
fn layout(n: usize, links: &[(usize, usize)], w: f64, h: f64) -> Vec<(f64, f64)> {
    if n == 0 {
        return Vec::new();
    }
    let (cx, cy) = (w / 2.0, h / 2.0);
    let r0 = w.min(h) * 0.35;
    let mut pos: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let a = i as f64 * std::f64::consts::TAU / n as f64;
            // a little spiral so that no two start on the same spot
            let r = r0 * (0.6 + 0.4 * ((i * 7919) % 97) as f64 / 97.0);
            (cx + r * a.cos(), cy + r * a.sin())
        })
        .collect();
    if n == 1 {
        return vec![(cx, cy)];
    }
    let k = (w * h / n as f64).sqrt() * 0.5;
    let mut temp = w.min(h) / 8.0;
    let iterations = 300;
    for _ in 0..iterations {
        let mut disp = vec![(0.0f64, 0.0f64); n];
        for i in 0..n {
            for j in (i + 1)..n {
                let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
                let d = (dx * dx + dy * dy).sqrt().max(0.01);
                let f = k * k / d;
                let (fx, fy) = (dx / d * f, dy / d * f);
                disp[i].0 += fx;
                disp[i].1 += fy;
                disp[j].0 -= fx;
                disp[j].1 -= fy;
            }
        }
        for &(a, b) in links {
            if a == b {
                continue;
            }
            let (dx, dy) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            let d = (dx * dx + dy * dy).sqrt().max(0.01);
            let f = d * d / k;
            let (fx, fy) = (dx / d * f, dy / d * f);
            disp[a].0 -= fx;
            disp[a].1 -= fy;
            disp[b].0 += fx;
            disp[b].1 += fy;
        }
        for i in 0..n {
            // a weak pull to the centre keeps separate parts on the page
            disp[i].0 += (cx - pos[i].0) * 0.25;
            disp[i].1 += (cy - pos[i].1) * 0.25;
            let d = (disp[i].0.powi(2) + disp[i].1.powi(2)).sqrt().max(0.01);
            let step = d.min(temp);
            pos[i].0 += disp[i].0 / d * step;
            pos[i].1 += disp[i].1 / d * step;
        }
        temp = (temp * 0.985).max(1.0);
    }
    // fit the drawing to the page, keeping its proportions
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (x, y) in &pos {
        x0 = x0.min(*x);
        y0 = y0.min(*y);
        x1 = x1.max(*x);
        y1 = y1.max(*y);
    }
    let scale = (w / (x1 - x0).max(1.0)).min(h / (y1 - y0).max(1.0));
    let (ox, oy) = ((w - (x1 - x0) * scale) / 2.0, (h - (y1 - y0) * scale) / 2.0);
    pos.into_iter()
        .map(|(x, y)| {
            (
                ((x - x0) * scale + ox).clamp(0.0, w),
                ((y - y0) * scale + oy).clamp(0.0, h),
            )
        })
        .collect()
}

fn header(s: &mut String, w: f64, h: f64, title: &str) {
    let _ = writeln!(
        s,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" \
         font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n\
         <title>{}</title>\n\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">\
         <path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#666\"/></marker></defs>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"12\" y=\"22\" font-size=\"15\" font-weight=\"bold\">{}</text>",
        esc(title),
        esc(title)
    );
}

fn legend(s: &mut String, kinds: &BTreeSet<(&'static str, &'static str)>, x: f64, y: f64) {
    let _ = writeln!(s, "<g class=\"legend\">");
    for (i, (label, colour)) in kinds.iter().enumerate() {
        let yy = y + i as f64 * 18.0;
        let _ = writeln!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"6\" fill=\"{colour}\" stroke=\"#333\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x,
            yy,
            x + 12.0,
            yy + 4.0,
            esc(label)
        );
    }
    let _ = writeln!(s, "</g>");
}

/// The subgraph of `nodes` and `edges` (edges whose ends are not both in
/// `nodes` bring their ends along) as an SVG document.
pub fn subgraph_svg(
    g: &Graph,
    nodes: &BTreeSet<NodeId>,
    edges: &BTreeSet<EdgeId>,
    title: &str,
) -> Result<String, String> {
    let mut all: BTreeSet<NodeId> = nodes
        .iter()
        .copied()
        .filter(|n| g.node(*n).is_some())
        .collect();
    let mut links: Vec<(EdgeId, NodeId, NodeId, String)> = Vec::new();
    for e in edges {
        if let (Some(edge), Some((a, b))) = (g.edge(*e), g.endpoints(*e)) {
            all.insert(a);
            all.insert(b);
            links.push((*e, a, b, g.name_of(edge.rel_type()).to_string()));
        }
    }
    if all.is_empty() {
        return Err("nothing to draw: the last result holds no node or relationship (return nodes, relationships or paths)".into());
    }
    if all.len() > MAX_NODES {
        return Err(format!(
            "too many nodes to draw ({}, the limit is {MAX_NODES}): narrow the query or add LIMIT",
            all.len()
        ));
    }
    let pnodes: Vec<PNode> = all.iter().map(|n| describe(g, *n)).collect();
    let index: BTreeMap<NodeId, usize> =
        pnodes.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let pairs: Vec<(usize, usize)> = links
        .iter()
        .filter_map(|(_, a, b, _)| Some((*index.get(a)?, *index.get(b)?)))
        .collect();
    let n = pnodes.len();
    let side = (260.0 * (n as f64).sqrt()).clamp(500.0, 2400.0);
    let (w, h) = (side * 1.3, side);
    let margin = 90.0;
    let pos: Vec<(f64, f64)> = layout(n, &pairs, w - 2.0 * margin, h - 2.0 * margin - 30.0)
        .into_iter()
        .map(|(x, y)| (x + margin, y + margin + 30.0))
        .collect();
    let mut s = String::new();
    header(&mut s, w, h, title);
    let radius = 9.0;
    let _ = writeln!(s, "<g class=\"edges\">");
    for ((e, _, _, ty), (a, b)) in links.iter().zip(&pairs) {
        let ((x1, y1), (x2, y2)) = (pos[*a], pos[*b]);
        let (dx, dy) = (x2 - x1, y2 - y1);
        let d = (dx * dx + dy * dy).sqrt().max(0.01);
        // stop at the circles' edges so the arrow shows
        let (sx, sy) = (x1 + dx / d * radius, y1 + dy / d * radius);
        let (ex, ey) = (x2 - dx / d * radius, y2 - dy / d * radius);
        let _ = writeln!(
            s,
            "<g class=\"edge\" data-id=\"{}\" data-type=\"{}\"><line x1=\"{sx:.1}\" y1=\"{sy:.1}\" x2=\"{ex:.1}\" y2=\"{ey:.1}\" \
             stroke=\"#888\" stroke-width=\"1.4\" marker-end=\"url(#arrow)\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#555\" text-anchor=\"middle\">{}</text></g>",
            e.0,
            esc(ty),
            (x1 + x2) / 2.0,
            (y1 + y2) / 2.0 - 3.0,
            esc(ty)
        );
    }
    let _ = writeln!(s, "</g>\n<g class=\"nodes\">");
    for (p, (x, y)) in pnodes.iter().zip(&pos) {
        let _ = writeln!(
            s,
            "<g class=\"node\" data-id=\"{}\" data-label=\"{}\"><title>{}</title>\
             <circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{radius}\" fill=\"{}\" stroke=\"#333\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></g>",
            p.id.0,
            esc(p.kind.0),
            esc(&p.title),
            p.kind.1,
            x,
            y - radius - 4.0,
            esc(&p.caption)
        );
    }
    let _ = writeln!(s, "</g>");
    let kinds: BTreeSet<(&str, &str)> = pnodes.iter().map(|p| p.kind).collect();
    legend(&mut s, &kinds, 16.0, 44.0);
    s.push_str("</svg>\n");
    Ok(s)
}

/// One entry of a timeline: its date as written (`2025-04-26`, `2024-08`,
/// `2024`, or empty when unknown), what it is (`SAID`, `PERFORMED`, …), its
/// kind (a claim's stance, an event's type) and its text.
#[derive(Debug, Clone)]
pub struct TimelineItem {
    pub time: String,
    pub role: String,
    pub kind: String,
    pub what: String,
    pub is_event: bool,
}

/// Days since 0000-03-01 for a date written `YYYY[-MM[-DD]]` (its first
/// day), or None.
fn day_number(t: &str) -> Option<i64> {
    let mut it = t.trim().split('-');
    let y: i64 = it.next()?.get(..4)?.parse().ok()?;
    let m: i64 = it.next().map_or(Some(1), |m| m.parse().ok())?;
    let d: i64 = it
        .next()
        .map_or(Some(1), |d| d.get(..2).unwrap_or(d).parse().ok())?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // days from civil (Howard Hinnant's algorithm)
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe)
}

/// An actor's claims and events on a time axis, one row each, oldest
/// first; undated ones listed after the axis.
pub fn timeline_svg(actor: &str, items: &[TimelineItem]) -> Result<String, String> {
    if items.is_empty() {
        return Err(format!("nothing to draw: no claim or event of '{actor}'"));
    }
    let mut dated: Vec<(i64, &TimelineItem)> = Vec::new();
    let mut undated: Vec<&TimelineItem> = Vec::new();
    for it in items {
        match day_number(&it.time) {
            Some(d) => dated.push((d, it)),
            None => undated.push(it),
        }
    }
    dated.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.what.cmp(&b.1.what)));
    let row_h = 22.0;
    let (left, axis_w, text_w) = (60.0, 520.0, 640.0);
    let top = 70.0;
    let rows = dated.len() + undated.len();
    let w = left + axis_w + text_w + 40.0;
    let h = top + row_h * rows as f64 + 80.0;
    let mut s = String::new();
    header(&mut s, w, h, &format!("Timeline of {actor}"));
    let (lo, hi) = dated.iter().fold((i64::MAX, i64::MIN), |(l, h), (d, _)| {
        (l.min(*d), h.max(*d))
    });
    let span = (hi - lo).max(1) as f64;
    let x_of = |d: i64| left + (d - lo) as f64 / span * axis_w;
    let axis_y = top - 12.0;
    let _ = writeln!(
        s,
        "<g class=\"axis\"><line x1=\"{left}\" y1=\"{axis_y}\" x2=\"{:.1}\" y2=\"{axis_y}\" stroke=\"#333\"/>",
        left + axis_w
    );
    if let (Some(first), Some(last)) = (dated.first(), dated.last()) {
        for (x, t, anchor) in [
            (x_of(first.0), first.1.time.as_str(), "start"),
            (x_of(last.0), last.1.time.as_str(), "end"),
        ] {
            let _ = writeln!(
                s,
                "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>\
                 <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-size=\"11\">{}</text>",
                axis_y - 4.0,
                axis_y + 4.0,
                axis_y - 8.0,
                esc(t)
            );
        }
    }
    let _ = writeln!(s, "</g>");
    let colour = |it: &TimelineItem| if it.is_event { "#59a14f" } else { "#f1ce63" };
    let _ = writeln!(s, "<g class=\"items\">");
    for (i, (d, it)) in dated.iter().enumerate() {
        let y = top + row_h * i as f64 + 10.0;
        let x = x_of(*d);
        let _ = writeln!(
            s,
            "<g class=\"item\" data-time=\"{}\"><title>{}</title>\
             <line x1=\"{x:.1}\" y1=\"{axis_y}\" x2=\"{x:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>\
             <circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"{}\" stroke=\"#333\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{} {} {}: {}</text></g>",
            esc(&it.time),
            esc(&it.what),
            colour(it),
            left + axis_w + 16.0,
            y + 4.0,
            esc(&it.time),
            esc(&it.role),
            esc(&it.kind),
            esc(&short(&it.what, 80))
        );
    }
    for (j, it) in undated.iter().enumerate() {
        let y = top + row_h * (dated.len() + j) as f64 + 10.0;
        let _ = writeln!(
            s,
            "<g class=\"item\" data-time=\"\"><title>{}</title>\
             <circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"{}\" stroke=\"#333\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">(undated) {} {}: {}</text></g>",
            esc(&it.what),
            left + axis_w + 4.0,
            colour(it),
            left + axis_w + 16.0,
            y + 4.0,
            esc(&it.role),
            esc(&it.kind),
            esc(&short(&it.what, 80))
        );
    }
    let _ = writeln!(s, "</g>");
    let kinds: BTreeSet<(&str, &str)> = [("Claim", "#f1ce63"), ("Event", "#59a14f")].into();
    legend(&mut s, &kinds, left + axis_w + 16.0, 16.0);
    s.push_str("</svg>\n");
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
        assert_eq!(esc("x\u{1}y"), "x y");
    }

    #[test]
    fn days_count_from_a_fixed_origin() {
        let a = day_number("2024-02-28").unwrap();
        assert_eq!(day_number("2024-03-01").unwrap() - a, 2);
        assert_eq!(
            day_number("2025-01-01").unwrap() - day_number("2024-01-01").unwrap(),
            366
        );
        assert_eq!(day_number("2024-08"), day_number("2024-08-01"));
        assert_eq!(day_number("2024-W12"), None);
        assert_eq!(day_number(""), None);
    }

    #[test]
    fn layout_stays_on_the_page_and_apart() {
        let links = [(0, 1), (1, 2), (2, 3), (3, 0), (4, 0)];
        let pos = layout(5, &links, 400.0, 300.0);
        assert_eq!(pos.len(), 5);
        for (x, y) in &pos {
            assert!((0.0..=400.0).contains(x) && (0.0..=300.0).contains(y));
        }
        for i in 0..5 {
            for j in (i + 1)..5 {
                let d = ((pos[i].0 - pos[j].0).powi(2) + (pos[i].1 - pos[j].1).powi(2)).sqrt();
                assert!(d > 10.0, "{i} and {j} overlap: {pos:?}");
            }
        }
        assert_eq!(layout(5, &links, 400.0, 300.0), pos, "deterministic");
    }

    #[test]
    fn a_timeline_has_one_item_per_entry() {
        let item = |t: &str, what: &str| TimelineItem {
            time: t.into(),
            role: "SAID".into(),
            kind: "assert".into(),
            what: what.into(),
            is_event: false,
        };
        let svg = timeline_svg(
            "X & Y",
            &[
                item("2025-04-26", "b"),
                item("2024-08", "a <c>"),
                item("", "undated"),
            ],
        )
        .unwrap();
        assert_eq!(svg.matches("<g class=\"item\"").count(), 3);
        assert!(svg.contains("Timeline of X &amp; Y"));
        assert!(svg.contains("a &lt;c&gt;"));
        assert!(svg.find("2024-08").unwrap() < svg.find("2025-04-26").unwrap());
        assert!(timeline_svg("nobody", &[]).is_err());
    }
}
