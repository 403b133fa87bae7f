//! The report's chart (SVG, written directly): each node's cumulative
//! verified reward over the run, with a mark where it was first slashed.
use crate::network::Report;

const COLORS: [&str; 6] = [
    "#2e8b57", "#1f77b4", "#d62728", "#ff7f0e", "#9467bd", "#8c564b",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The SVG document.
pub fn svg(r: &Report) -> String {
    let (w, h) = (900.0, 420.0);
    let (left, right, top, bottom) = (80.0, 170.0, 40.0, 50.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let t_max = r.timeline.last().map(|(t, _)| *t).unwrap_or(1.0).max(1.0);
    let y_max = r
        .timeline
        .iter()
        .flat_map(|(_, row)| row.iter().map(|(rew, _)| *rew))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let x = |t: f64| left + pw * t / t_max;
    let y = |v: f64| top + ph - ph * v / y_max;
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="{left}" y="24" font-size="15" font-weight="bold">EdgeFuel demo: verified rewards per node (EFUEL, cumulative)</text>
<line x1="{left}" y1="{}" x2="{}" y2="{}" stroke="#333"/>
<line x1="{left}" y1="{top}" x2="{left}" y2="{}" stroke="#333"/>
"##,
        top + ph,
        left + pw,
        top + ph,
        top + ph
    );
    for i in 0..=4 {
        let v = y_max * i as f64 / 4.0;
        let yy = y(v);
        s += &format!(
            "<line x1=\"{left}\" y1=\"{yy:.1}\" x2=\"{:.1}\" y2=\"{yy:.1}\" stroke=\"#eee\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{:.4}</text>\n",
            left + pw,
            left - 6.0,
            yy + 4.0,
            v / 1e9
        );
        let t = t_max * i as f64 / 4.0;
        s += &format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{t:.0} s</text>\n",
            x(t),
            top + ph + 18.0
        );
    }
    for (i, n) in r.nodes.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let points: Vec<String> = r
            .timeline
            .iter()
            .filter_map(|(t, row)| {
                row.get(i)
                    .map(|(rew, _)| format!("{:.1},{:.1}", x(*t), y(*rew as f64)))
            })
            .collect();
        s += &format!(
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\"/>\n",
            points.join(" ")
        );
        if let Some(t) = n.first_caught_seconds {
            let rew = r
                .timeline
                .iter()
                .find(|(tt, _)| *tt >= t)
                .and_then(|(_, row)| row.get(i))
                .map(|(rew, _)| *rew)
                .unwrap_or(0);
            s += &format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"6\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"{color}\">slashed</text>\n",
                x(t),
                y(rew as f64),
                x(t) + 8.0,
                y(rew as f64) - 8.0
            );
        }
        let ly = top + 10.0 + 22.0 * i as f64;
        s += &format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"14\" height=\"4\" fill=\"{color}\"/><text x=\"{:.1}\" y=\"{:.1}\">{} ({})</text>\n",
            left + pw + 14.0,
            ly - 4.0,
            left + pw + 34.0,
            ly + 1.0,
            esc(&n.name),
            format!("{:?}", n.role).to_lowercase()
        );
    }
    if let Some(g) = &r.governance {
        if let Some(t) = g.executed_at_seconds {
            s += &format!(
                "<line x1=\"{:.1}\" y1=\"{top}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#666\">{}</text>\n",
                x(t),
                x(t),
                top + ph,
                x(t) + 4.0,
                top + 12.0,
                esc(&format!("proposal #{}: {}", g.proposal, g.change))
            );
        }
    }
    s += "</svg>\n";
    s
}
