//! A small SVG plot writer: line and scatter plots with linear or logarithmic axes, grids of
//! panels, and heat maps. Enough for the figures of the reproductions, with no dependency.
//!
//! ```
//! use pareto_sciml::io::svg::Plot;
//! let x = [1.0, 10.0, 100.0];
//! let svg = Plot::new("speedup")
//!     .x_label("population")
//!     .y_label("ms / generation")
//!     .log_x(true)
//!     .log_y(true)
//!     .line("cpu", &x, &[1.0, 8.0, 90.0])
//!     .scatter("gpu", &x, &[0.5, 0.6, 0.9])
//!     .to_svg()
//!     .unwrap();
//! assert!(svg.starts_with("<svg"));
//! ```

use crate::error::{Error, Result};
use std::fmt::Write as _;
use std::path::Path;

mod heatmap;
pub use heatmap::Heatmap;

const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 360.0;
const MARGIN_LEFT: f64 = 70.0;
const MARGIN_RIGHT: f64 = 20.0;
const MARGIN_TOP: f64 = 34.0;
const MARGIN_BOTTOM: f64 = 50.0;
/// Colour-blind-safe palette (Okabe–Ito), cycled over series.
const PALETTE: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Line,
    Markers,
}

#[derive(Debug, Clone)]
struct Series {
    name: String,
    x: Vec<f64>,
    y: Vec<f64>,
    style: Style,
}

/// One panel: a title, axis labels, and line/scatter series.
#[derive(Debug, Clone)]
pub struct Plot {
    title: String,
    x_label: String,
    y_label: String,
    log_x: bool,
    log_y: bool,
    series: Vec<Series>,
}

impl Plot {
    /// An empty plot with a title.
    pub fn new(title: &str) -> Self {
        Plot {
            title: title.to_string(),
            x_label: String::new(),
            y_label: String::new(),
            log_x: false,
            log_y: false,
            series: Vec::new(),
        }
    }

    /// Sets the x-axis label.
    pub fn x_label(mut self, label: &str) -> Self {
        self.x_label = label.to_string();
        self
    }

    /// Sets the y-axis label.
    pub fn y_label(mut self, label: &str) -> Self {
        self.y_label = label.to_string();
        self
    }

    /// Logarithmic x axis (non-positive x values are then skipped).
    pub fn log_x(mut self, on: bool) -> Self {
        self.log_x = on;
        self
    }

    /// Logarithmic y axis (non-positive y values are then skipped).
    pub fn log_y(mut self, on: bool) -> Self {
        self.log_y = on;
        self
    }

    /// Adds a polyline series. `x` and `y` must have equal lengths (checked when rendering).
    pub fn line(mut self, name: &str, x: &[f64], y: &[f64]) -> Self {
        self.series.push(Series {
            name: name.to_string(),
            x: x.to_vec(),
            y: y.to_vec(),
            style: Style::Line,
        });
        self
    }

    /// Adds a marker series. `x` and `y` must have equal lengths (checked when rendering).
    pub fn scatter(mut self, name: &str, x: &[f64], y: &[f64]) -> Self {
        self.series.push(Series {
            name: name.to_string(),
            x: x.to_vec(),
            y: y.to_vec(),
            style: Style::Markers,
        });
        self
    }

    /// Renders the plot as a standalone SVG document.
    pub fn to_svg(&self) -> Result<String> {
        let mut body = String::new();
        self.render(&mut body, 0.0, 0.0)?;
        Ok(document(WIDTH, HEIGHT, &body))
    }

    /// Renders and writes the plot to `path` (parent directories are created).
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        super::write_atomic(path.as_ref(), self.to_svg()?.as_bytes())
    }

    /// Points that can be drawn: finite, and positive on logarithmic axes.
    fn drawable(&self, s: &Series) -> Vec<(f64, f64)> {
        s.x.iter()
            .zip(&s.y)
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .filter(|(x, y)| (!self.log_x || **x > 0.0) && (!self.log_y || **y > 0.0))
            .map(|(&x, &y)| (x, y))
            .collect()
    }

    fn render(&self, out: &mut String, ox: f64, oy: f64) -> Result<()> {
        for s in &self.series {
            if s.x.len() != s.y.len() {
                return Err(Error::Shape {
                    op: "Plot::to_svg",
                    what: format!("y values of series '{}'", s.name),
                    expected: s.x.len(),
                    got: s.y.len(),
                });
            }
        }
        let points: Vec<Vec<(f64, f64)>> = self.series.iter().map(|s| self.drawable(s)).collect();
        let all = points.iter().flatten();
        let xs = Axis::fit(all.clone().map(|p| p.0), self.log_x);
        let ys = Axis::fit(all.map(|p| p.1), self.log_y);
        let (x0, x1) = (ox + MARGIN_LEFT, ox + WIDTH - MARGIN_RIGHT);
        let (y0, y1) = (oy + HEIGHT - MARGIN_BOTTOM, oy + MARGIN_TOP);
        let px = |v: f64| x0 + xs.unit(v) * (x1 - x0);
        let py = |v: f64| y0 + ys.unit(v) * (y1 - y0);

        let w = |out: &mut String, s: String| out.push_str(&s);
        w(out, format!(
            "<rect x=\"{x0:.1}\" y=\"{y1:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"white\" stroke=\"#444\"/>\n",
            x1 - x0, y0 - y1));
        for t in xs.ticks() {
            let x = px(t);
            w(out, format!("<line x1=\"{x:.1}\" y1=\"{y0:.1}\" x2=\"{x:.1}\" y2=\"{y1:.1}\" stroke=\"#ddd\"/>\n"));
            w(out, format!("<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n",
                y0 + 15.0, tick_label(t)));
        }
        for t in ys.ticks() {
            let y = py(t);
            w(out, format!("<line x1=\"{x0:.1}\" y1=\"{y:.1}\" x2=\"{x1:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>\n"));
            w(out, format!("<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>\n",
                x0 - 5.0, y + 4.0, tick_label(t)));
        }
        w(
            out,
            format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"14\" text-anchor=\"middle\">{}</text>\n",
                (x0 + x1) / 2.0,
                oy + 20.0,
                escape(&self.title)
            ),
        );
        w(
            out,
            format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">{}</text>\n",
                (x0 + x1) / 2.0,
                oy + HEIGHT - 12.0,
                escape(&self.x_label)
            ),
        );
        w(out, format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 {:.1} {:.1})\">{}</text>\n",
            ox + 16.0, (y0 + y1) / 2.0, ox + 16.0, (y0 + y1) / 2.0, escape(&self.y_label)));

        for (k, (s, pts)) in self.series.iter().zip(&points).enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            match s.style {
                Style::Line if pts.len() > 1 => {
                    let mut d = String::new();
                    for (i, &(x, y)) in pts.iter().enumerate() {
                        let _ = write!(
                            d,
                            "{}{:.2},{:.2} ",
                            if i == 0 { "M" } else { "L" },
                            px(x),
                            py(y)
                        );
                    }
                    w(out, format!("<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.6\"/>\n", d.trim_end()));
                }
                _ => {
                    for &(x, y) in pts {
                        w(out, format!("<circle cx=\"{:.2}\" cy=\"{:.2}\" r=\"2.4\" fill=\"{colour}\" fill-opacity=\"0.8\"/>\n", px(x), py(y)));
                    }
                }
            }
            let ly = y1 + 14.0 + 14.0 * k as f64;
            w(out, format!("<rect x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{colour}\"/>\n", x1 - 120.0, ly - 9.0));
            w(
                out,
                format!(
                    "<text x=\"{:.1}\" y=\"{ly:.1}\" font-size=\"11\">{}</text>\n",
                    x1 - 106.0,
                    escape(&s.name)
                ),
            );
        }
        Ok(())
    }
}

/// Several plots side by side in a grid of `cols` columns, written as one SVG.
#[derive(Debug, Clone)]
pub struct Figure {
    cols: usize,
    plots: Vec<Plot>,
}

impl Figure {
    /// A grid with `cols` columns (at least 1) filled row by row with `plots`.
    pub fn grid(cols: usize, plots: Vec<Plot>) -> Self {
        Figure {
            cols: cols.max(1),
            plots,
        }
    }

    /// Renders the grid as a standalone SVG document.
    pub fn to_svg(&self) -> Result<String> {
        if self.plots.is_empty() {
            return Err(Error::Empty {
                op: "Figure::to_svg",
                what: "plots",
            });
        }
        let cols = self.cols.min(self.plots.len());
        let rows = self.plots.len().div_ceil(cols);
        let mut body = String::new();
        for (i, p) in self.plots.iter().enumerate() {
            p.render(
                &mut body,
                (i % cols) as f64 * WIDTH,
                (i / cols) as f64 * HEIGHT,
            )?;
        }
        Ok(document(cols as f64 * WIDTH, rows as f64 * HEIGHT, &body))
    }

    /// Renders and writes the grid to `path`.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        super::write_atomic(path.as_ref(), self.to_svg()?.as_bytes())
    }
}

/// An axis range in data units (log10 units on a logarithmic axis).
struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
}

impl Axis {
    fn fit(values: impl Iterator<Item = f64>, log: bool) -> Axis {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values {
            let v = if log { v.log10() } else { v };
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if !lo.is_finite() {
            return Axis {
                lo: 0.0,
                hi: 1.0,
                log,
            };
        }
        if hi - lo <= f64::EPSILON * lo.abs().max(1.0) {
            lo -= 0.5;
            hi += 0.5;
        }
        let pad = 0.04 * (hi - lo);
        Axis {
            lo: lo - pad,
            hi: hi + pad,
            log,
        }
    }

    /// Position of a data value in [0, 1] along the axis.
    fn unit(&self, v: f64) -> f64 {
        let v = if self.log { v.log10() } else { v };
        (v - self.lo) / (self.hi - self.lo)
    }

    /// Tick positions in data units: decades on log axes, 1-2-5 steps on linear ones.
    fn ticks(&self) -> Vec<f64> {
        if self.log {
            let (a, b) = (self.lo.ceil() as i32, self.hi.floor() as i32);
            if b - a >= 1 {
                let step = ((b - a) / 6 + 1).max(1);
                return (a..=b)
                    .step_by(step as usize)
                    .map(|e| 10f64.powi(e))
                    .collect();
            }
            // Less than two decades in view: 1-2-5 multiples, so the axis is still labelled.
            let (lo, hi) = (10f64.powf(self.lo), 10f64.powf(self.hi));
            let mut ticks: Vec<f64> = (self.lo.floor() as i32..=self.hi.ceil() as i32)
                .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
                .filter(|t| (lo..=hi).contains(t))
                .collect();
            if ticks.len() < 2 {
                ticks = vec![lo * 1.02, hi / 1.02];
            }
            return ticks;
        }
        let raw = (self.hi - self.lo) / 6.0;
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|m| m * mag)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * mag);
        let first = (self.lo / step).ceil() as i64;
        let last = (self.hi / step).floor() as i64;
        (first..=last).map(|k| k as f64 * step).collect()
    }
}

fn tick_label(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        format!("{v:.0e}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn document(width: f64, height: f64, body: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{body}</svg>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_length_mismatch_is_an_error() {
        let err = Plot::new("t")
            .line("a", &[1.0, 2.0], &[1.0])
            .to_svg()
            .unwrap_err();
        assert!(matches!(
            err,
            Error::Shape {
                expected: 2,
                got: 1,
                ..
            }
        ));
    }

    #[test]
    fn non_finite_and_non_positive_log_points_are_skipped() {
        let svg = Plot::new("t")
            .log_y(true)
            .scatter("a", &[1.0, 2.0, 3.0, 4.0], &[1.0, f64::NAN, -1.0, 10.0])
            .to_svg()
            .unwrap();
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn a_log_axis_narrower_than_a_decade_still_gets_ticks() {
        let narrow = Axis::fit([0.0021, 0.0034].into_iter(), true);
        let ticks = narrow.ticks();
        assert!(ticks.len() >= 2, "{ticks:?}");
        assert!(
            ticks.iter().all(|t| (0.002..0.0036).contains(t)),
            "{ticks:?}"
        );
        let inside = Axis::fit([0.0031, 0.0034].into_iter(), true).ticks();
        assert_eq!(inside.len(), 2, "{inside:?}");
        let wide = Axis::fit([1e-4, 1.0].into_iter(), true).ticks();
        assert!(wide.contains(&1e-2), "{wide:?}");
    }

    #[test]
    fn grid_places_every_panel() {
        let p = Plot::new("p").line("a", &[0.0, 1.0], &[0.0, 1.0]);
        let svg = Figure::grid(2, vec![p.clone(), p.clone(), p])
            .to_svg()
            .unwrap();
        assert!(svg.contains(&format!("width=\"{}\"", 2.0 * WIDTH)));
        assert_eq!(svg.matches("<path").count(), 3);
        assert!(Figure::grid(2, vec![]).to_svg().is_err());
    }

    #[test]
    fn titles_are_escaped() {
        let svg = Plot::new("a<b & c").to_svg().unwrap();
        assert!(svg.contains("a&lt;b &amp; c"));
    }

    #[test]
    fn linear_ticks_are_round_numbers_inside_the_range() {
        let axis = Axis::fit([0.13, 0.97].into_iter(), false);
        let ticks = axis.ticks();
        assert!(ticks.len() >= 3);
        for t in &ticks {
            assert!(*t >= axis.lo && *t <= axis.hi);
            let scaled = t / 0.2;
            assert!((scaled - scaled.round()).abs() < 1e-9, "{ticks:?}");
        }
    }
}
