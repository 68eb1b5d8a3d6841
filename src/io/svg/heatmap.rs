//! Heat maps of a field on a regular grid, with a colour bar.

use super::{
    document, escape, tick_label, HEIGHT, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP,
    WIDTH,
};
use crate::error::{Error, Result};
use std::fmt::Write as _;
use std::path::Path;

/// A heat map of a field sampled on a regular `nx × ny` grid (row-major, x fastest), e.g. a PDE
/// solution u(x, t) or its absolute error, with a colour bar.
#[derive(Debug, Clone)]
pub struct Heatmap {
    title: String,
    x_label: String,
    y_label: String,
    nx: usize,
    ny: usize,
    values: Vec<f64>,
    x_range: (f64, f64),
    y_range: (f64, f64),
}

impl Heatmap {
    /// `values[j * nx + i]` is the value at the i-th x and j-th y grid point.
    pub fn new(
        title: &str,
        nx: usize,
        ny: usize,
        values: &[f64],
        x_range: (f64, f64),
        y_range: (f64, f64),
    ) -> Self {
        Heatmap {
            title: title.to_string(),
            x_label: "x".into(),
            y_label: "y".into(),
            nx,
            ny,
            values: values.to_vec(),
            x_range,
            y_range,
        }
    }

    /// Sets the axis labels.
    pub fn labels(mut self, x: &str, y: &str) -> Self {
        self.x_label = x.to_string();
        self.y_label = y.to_string();
        self
    }

    /// Renders the heat map as a standalone SVG document. Non-finite cells are drawn grey.
    pub fn to_svg(&self) -> Result<String> {
        if self.nx == 0 || self.ny == 0 {
            return Err(Error::Empty {
                op: "Heatmap::to_svg",
                what: "grid",
            });
        }
        crate::error::check_len(
            "Heatmap::to_svg",
            "values.len()",
            self.nx * self.ny,
            self.values.len(),
        )?;
        let finite = self.values.iter().copied().filter(|v| v.is_finite());
        let lo = finite.clone().fold(f64::INFINITY, f64::min);
        let hi = finite.fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if lo.is_finite() {
            (lo, if hi > lo { hi } else { lo + 1.0 })
        } else {
            (0.0, 1.0)
        };
        let (x0, x1) = (MARGIN_LEFT, WIDTH - MARGIN_RIGHT - 60.0);
        let (y0, y1) = (HEIGHT - MARGIN_BOTTOM, MARGIN_TOP);
        let cw = (x1 - x0) / self.nx as f64;
        let ch = (y0 - y1) / self.ny as f64;
        let mut out = String::new();
        for j in 0..self.ny {
            for i in 0..self.nx {
                let v = self.values[j * self.nx + i];
                let fill = if v.is_finite() {
                    viridis((v - lo) / (hi - lo))
                } else {
                    "#888888".to_string()
                };
                let _ = writeln!(out, "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{fill}\"/>",
                    x0 + i as f64 * cw, y0 - (j + 1) as f64 * ch, cw + 0.3, ch + 0.3);
            }
        }
        for k in 0..=20 {
            let f = k as f64 / 20.0;
            let _ = writeln!(
                out,
                "<rect x=\"{:.1}\" y=\"{:.2}\" width=\"14\" height=\"{:.2}\" fill=\"{}\"/>",
                x1 + 20.0,
                y0 - (f + 0.05) * (y0 - y1) / 1.05,
                (y0 - y1) / 21.0 + 0.3,
                viridis(f)
            );
        }
        for (f, v) in [(0.0, lo), (0.5, (lo + hi) / 2.0), (1.0, hi)] {
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{}</text>",
                x1 + 37.0,
                y0 - f * (y0 - y1) / 1.05,
                tick_label(v)
            );
        }
        for (f, label_x) in [(0.0, self.x_range.0), (1.0, self.x_range.1)] {
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
                x0 + f * (x1 - x0),
                y0 + 15.0,
                tick_label(label_x)
            );
        }
        for (f, label_y) in [(0.0, self.y_range.0), (1.0, self.y_range.1)] {
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
                x0 - 5.0,
                y0 - f * (y0 - y1) + 4.0,
                tick_label(label_y)
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"20\" font-size=\"14\" text-anchor=\"middle\">{}</text>",
            (x0 + x1) / 2.0,
            escape(&self.title)
        );
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">{}</text>",
            (x0 + x1) / 2.0,
            HEIGHT - 12.0,
            escape(&self.x_label)
        );
        let _ = writeln!(out, "<text x=\"16\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 16 {:.1})\">{}</text>",
            (y0 + y1) / 2.0, (y0 + y1) / 2.0, escape(&self.y_label));
        Ok(document(WIDTH, HEIGHT, &out))
    }

    /// Renders and writes the heat map to `path`.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        crate::io::write_atomic(path.as_ref(), self.to_svg()?.as_bytes())
    }
}

/// The viridis colour map at `f` in [0, 1] (piecewise linear through 6 anchors).
fn viridis(f: f64) -> String {
    const ANCHORS: [(f64, f64, f64); 6] = [
        (68.0, 1.0, 84.0),
        (65.0, 68.0, 135.0),
        (42.0, 120.0, 142.0),
        (34.0, 168.0, 132.0),
        (122.0, 209.0, 81.0),
        (253.0, 231.0, 37.0),
    ];
    let f = f.clamp(0.0, 1.0) * 5.0;
    let k = (f.floor() as usize).min(4);
    let t = f - k as f64;
    let (a, b) = (ANCHORS[k], ANCHORS[k + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * t).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heatmap_checks_shape_and_draws_every_cell() {
        let v: Vec<f64> = (0..12).map(|k| k as f64).collect();
        let svg = Heatmap::new("h", 4, 3, &v, (0.0, 1.0), (0.0, 1.0))
            .to_svg()
            .unwrap();
        // 12 cells + 21 colour-bar steps + the background.
        assert_eq!(svg.matches("<rect").count(), 12 + 21 + 1);
        assert!(Heatmap::new("h", 4, 4, &v, (0.0, 1.0), (0.0, 1.0))
            .to_svg()
            .is_err());
    }
}
