//! Minimal SVG charts (no dependency): line charts with linear or log axes
//! and grouped bar charts, each with a title, axis labels, a legend and a
//! footer stamp (machine and commit).
use std::fmt::Write;

const W: f64 = 820.0;
const H: f64 = 460.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 210.0;
const TOP: f64 = 48.0;
const BOTTOM: f64 = 78.0;
pub const COLORS: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A data series of a line chart.
pub struct Series {
    pub name: String,
    pub color: &'static str,
    pub points: Vec<(f64, f64)>,
    /// Dashed line (predictions), else solid.
    pub dashed: bool,
    /// Draw a marker at every point.
    pub markers: bool,
    /// Draw the connecting line.
    pub line: bool,
}

#[derive(Clone, Copy)]
pub struct Axis {
    pub log: bool,
    pub min: f64,
    pub max: f64,
}

impl Axis {
    fn map(&self, v: f64, lo: f64, hi: f64) -> f64 {
        let (a, b, v) = if self.log {
            (self.min.log10(), self.max.log10(), v.max(self.min).log10())
        } else {
            (self.min, self.max, v)
        };
        lo + (v - a) / (b - a) * (hi - lo)
    }

    fn ticks(&self) -> Vec<f64> {
        if self.log {
            let (a, b) = (
                self.min.log10().floor() as i32,
                self.max.log10().ceil() as i32,
            );
            (a..=b)
                .map(|e| 10f64.powi(e))
                .filter(|v| *v >= self.min * 0.999 && *v <= self.max * 1.001)
                .collect()
        } else {
            let span = self.max - self.min;
            let raw = span / 6.0;
            let mag = 10f64.powf(raw.log10().floor());
            let step = [1.0, 2.0, 2.5, 5.0, 10.0]
                .iter()
                .map(|m| m * mag)
                .find(|s| *s >= raw)
                .unwrap_or(raw);
            let mut v = (self.min / step).ceil() * step;
            let mut out = Vec::new();
            while v <= self.max + step * 1e-9 {
                out.push(v);
                v += step;
            }
            out
        }
    }
}

pub fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1e6 {
        let e = a.log10().floor() as i32;
        let m = v / 10f64.powi(e);
        if (m - m.round()).abs() < 1e-9 && m.round() == 1.0 {
            format!("10^{e}")
        } else {
            format!("{m:.1}e{e}")
        }
    } else if a >= 100.0 || (v - v.round()).abs() < 1e-9 {
        group(v.round() as i64)
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Thousands separated by thin spaces.
pub fn group(v: i64) -> String {
    let s = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if v < 0 {
        format!("−{out}")
    } else {
        out
    }
}

fn frame(title: &str, x_label: &str, y_label: &str, footer: &str) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="Helvetica, Arial, sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{}" y="26" font-size="16" font-weight="bold" text-anchor="middle">{}</text>
<text x="{}" y="{}" text-anchor="middle">{}</text>
<text transform="translate(18 {}) rotate(-90)" text-anchor="middle">{}</text>
<text x="{}" y="{}" font-size="10" fill="#555" text-anchor="middle">{}</text>
"##,
        W / 2.0,
        esc(title),
        LEFT + (W - LEFT - RIGHT) / 2.0,
        H - BOTTOM + 40.0,
        esc(x_label),
        TOP + (H - TOP - BOTTOM) / 2.0,
        esc(y_label),
        W / 2.0,
        H - 10.0,
        esc(footer)
    );
    s
}

fn y_grid(s: &mut String, y: &Axis) {
    let (x0, x1) = (LEFT, W - RIGHT);
    for t in y.ticks() {
        let py = y.map(t, H - BOTTOM, TOP);
        let _ = writeln!(
            s,
            r##"<line x1="{x0}" y1="{py:.1}" x2="{x1}" y2="{py:.1}" stroke="#e4e4e4"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            x0 - 6.0,
            py + 4.0,
            fmt_num(t)
        );
    }
    let _ = writeln!(
        s,
        r##"<rect x="{x0}" y="{TOP}" width="{}" height="{}" fill="none" stroke="#333"/>"##,
        x1 - x0,
        H - TOP - BOTTOM
    );
}

fn legend(s: &mut String, entries: &[(String, &str, bool)]) {
    let x = W - RIGHT + 14.0;
    for (i, (name, color, dashed)) in entries.iter().enumerate() {
        let y = TOP + 10.0 + i as f64 * 18.0;
        let dash = if *dashed {
            r#" stroke-dasharray="5 3""#
        } else {
            ""
        };
        let _ = writeln!(
            s,
            r##"<line x1="{x}" y1="{y}" x2="{}" y2="{y}" stroke="{color}" stroke-width="2.5"{dash}/><text x="{}" y="{}" font-size="11">{}</text>"##,
            x + 22.0,
            x + 28.0,
            y + 4.0,
            esc(name)
        );
    }
}

/// A line chart.
#[allow(clippy::too_many_arguments)]
pub fn line_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    x: Axis,
    y: Axis,
    x_ticks: Option<Vec<(f64, String)>>,
    series: &[Series],
    footer: &str,
) -> String {
    let mut s = frame(title, x_label, y_label, footer);
    y_grid(&mut s, &y);
    let ticks = x_ticks.unwrap_or_else(|| x.ticks().into_iter().map(|t| (t, fmt_num(t))).collect());
    for (t, label) in ticks {
        let px = x.map(t, LEFT, W - RIGHT);
        let _ = writeln!(
            s,
            r##"<line x1="{px:.1}" y1="{}" x2="{px:.1}" y2="{}" stroke="#333"/><text x="{px:.1}" y="{}" text-anchor="middle">{}</text>"##,
            H - BOTTOM,
            H - BOTTOM + 5.0,
            H - BOTTOM + 19.0,
            esc(&label)
        );
    }
    for se in series {
        let pts: Vec<(f64, f64)> = se
            .points
            .iter()
            .filter(|(a, b)| a.is_finite() && b.is_finite())
            .map(|(a, b)| (x.map(*a, LEFT, W - RIGHT), y.map(*b, H - BOTTOM, TOP)))
            .collect();
        if se.line && pts.len() > 1 {
            let d: Vec<String> = pts.iter().map(|(a, b)| format!("{a:.1},{b:.1}")).collect();
            let dash = if se.dashed {
                r#" stroke-dasharray="6 4""#
            } else {
                ""
            };
            let _ = writeln!(
                s,
                r##"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{dash}/>"##,
                d.join(" "),
                se.color
            );
        }
        if se.markers {
            for (a, b) in &pts {
                let _ = writeln!(
                    s,
                    r##"<circle cx="{a:.1}" cy="{b:.1}" r="3.5" fill="{}" stroke="white" stroke-width="0.8"/>"##,
                    se.color
                );
            }
        }
    }
    let entries: Vec<(String, &str, bool)> = series
        .iter()
        .map(|se| (se.name.clone(), se.color, se.dashed))
        .collect();
    legend(&mut s, &entries);
    s.push_str("</svg>\n");
    s
}

/// A grouped bar chart: one group of bars per category, one bar per series;
/// `None` values are left out. `hline` draws a labelled horizontal line.
#[allow(clippy::too_many_arguments)]
pub fn bar_chart(
    title: &str,
    y_label: &str,
    y: Axis,
    categories: &[String],
    series: &[(String, Vec<Option<f64>>)],
    hline: Option<(f64, String)>,
    footer: &str,
) -> String {
    let mut s = frame(title, "", y_label, footer);
    y_grid(&mut s, &y);
    let (x0, x1) = (LEFT, W - RIGHT);
    let slot = (x1 - x0) / categories.len().max(1) as f64;
    let bar = slot * 0.8 / series.len().max(1) as f64;
    for (c, cat) in categories.iter().enumerate() {
        let cx = x0 + slot * (c as f64 + 0.5);
        // Category labels wrap at spaces onto two lines.
        let (a, b) = match cat.split_once(' ') {
            Some((a, b)) => (a.to_string(), b.to_string()),
            None => (cat.clone(), String::new()),
        };
        let _ = writeln!(
            s,
            r##"<text x="{cx:.1}" y="{}" text-anchor="middle" font-size="11">{}</text><text x="{cx:.1}" y="{}" text-anchor="middle" font-size="10" fill="#444">{}</text>"##,
            H - BOTTOM + 16.0,
            esc(&a),
            H - BOTTOM + 29.0,
            esc(&b)
        );
        for (i, (_, values)) in series.iter().enumerate() {
            let Some(v) = values.get(c).copied().flatten() else {
                continue;
            };
            let top = y.map(v, H - BOTTOM, TOP).max(TOP);
            let bx = x0 + slot * c as f64 + slot * 0.1 + bar * i as f64;
            let _ = writeln!(
                s,
                r##"<rect x="{bx:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}</title></rect>"##,
                bar * 0.92,
                (H - BOTTOM - top).max(0.0),
                COLORS[i % COLORS.len()],
                fmt_num(v)
            );
        }
    }
    if let Some((v, label)) = hline {
        let py = y.map(v, H - BOTTOM, TOP);
        if py >= TOP {
            let _ = writeln!(
                s,
                r##"<line x1="{x0}" y1="{py:.1}" x2="{x1}" y2="{py:.1}" stroke="#000" stroke-dasharray="6 4"/><text x="{}" y="{:.1}" text-anchor="end" font-size="11">{}</text>"##,
                x1 - 4.0,
                py - 5.0,
                esc(&label)
            );
        }
    }
    let entries: Vec<(String, &str, bool)> = series
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.clone(), COLORS[i % COLORS.len()], false))
        .collect();
    legend(&mut s, &entries);
    s.push_str("</svg>\n");
    s
}
