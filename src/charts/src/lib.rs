//! Chart geometry for CreditDesk's SVG charts: values to pixels. Pure, with no dependencies, and
//! tested natively.
//!
//! Pixels are the only floats of the app, and they never flow back into figures: a chart is
//! handed numbers already computed exactly (in fen or basis points) and only places them.

use std::f64::consts::PI;

/// A linear scale from a domain `[d0, d1]` to a range `[r0, r1]` of pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Linear {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Linear {
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Linear {
        Linear {
            d0: domain.0,
            d1: domain.1,
            r0: range.0,
            r1: range.1,
        }
    }
    /// The pixel of a value; values outside the domain are clamped to the range.
    pub fn px(&self, v: f64) -> f64 {
        if self.d1 == self.d0 {
            return self.r0;
        }
        let t = ((v - self.d0) / (self.d1 - self.d0)).clamp(0.0, 1.0);
        self.r0 + t * (self.r1 - self.r0)
    }
    /// Ticks at every multiple of `step` inside the domain.
    pub fn ticks(&self, step: f64) -> Vec<f64> {
        if step <= 0.0 || !step.is_finite() {
            return Vec::new();
        }
        let (lo, hi) = (self.d0.min(self.d1), self.d0.max(self.d1));
        let mut k = (lo / step).ceil();
        let mut out = Vec::new();
        while k * step <= hi + step * 1e-9 && out.len() < 1000 {
            // Multiply rather than add, so no error accumulates (0.1 * 3 is 0.30000000000000004,
            // 0.1 + 0.1 + 0.1 too, but the rounding below cleans both).
            out.push(clean(k * step, step));
            k += 1.0;
        }
        out
    }
}

/// Rounds a tick to the precision of its step (so 0.30000000000000004 prints as 0.3).
fn clean(v: f64, step: f64) -> f64 {
    let digits = (-step.log10().floor()).max(0.0) as i32 + 1;
    let f = 10f64.powi(digits);
    (v * f).round() / f
}

/// A "nice" step for about `count` ticks over `span`: 1, 2 or 5 times a power of ten.
pub fn nice_step(span: f64, count: usize) -> f64 {
    if span <= 0.0 || !span.is_finite() || count == 0 {
        return 1.0;
    }
    let raw = span / count as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// A domain widened to whole steps: `(lo, hi, step)` with `lo <= min`, `hi >= max`, both
/// multiples of a nice step; zero is always included (bars start at zero).
pub fn nice_domain(min: f64, max: f64, count: usize) -> (f64, f64, f64) {
    let (min, max) = (min.min(0.0), max.max(0.0));
    if min == max {
        return (0.0, 1.0, nice_step(1.0, count));
    }
    let step = nice_step(max - min, count);
    let lo = (min / step).floor() * step;
    let hi = (max / step).ceil() * step;
    (lo, hi, step)
}

/// Equal bands across a range, with padding between them (a fraction of a band).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    pub n: usize,
    pub r0: f64,
    pub r1: f64,
    pub padding: f64,
}

impl Band {
    pub fn new(n: usize, range: (f64, f64), padding: f64) -> Band {
        Band {
            n,
            r0: range.0,
            r1: range.1,
            padding: padding.clamp(0.0, 0.9),
        }
    }
    /// The width of a band's step (bar plus gap).
    pub fn step(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            (self.r1 - self.r0) / self.n as f64
        }
    }
    /// The width of a bar.
    pub fn width(&self) -> f64 {
        self.step() * (1.0 - self.padding)
    }
    /// Where bar `i` starts.
    pub fn start(&self, i: usize) -> f64 {
        self.r0 + self.step() * i as f64 + self.step() * self.padding / 2.0
    }
    /// The middle of band `i`.
    pub fn mid(&self, i: usize) -> f64 {
        self.r0 + self.step() * (i as f64 + 0.5)
    }
}

/// The width of a label in pixels, estimated: CJK and full-width characters take a full em,
/// others about 0.6 em.
pub fn text_width(text: &str, font_px: f64) -> f64 {
    text.chars()
        .map(|c| if is_wide(c) { 1.0 } else { 0.6 })
        .sum::<f64>()
        * font_px
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6)
}

/// Every how many bands a label fits: 1 shows every label, 2 every other one, and so on.
pub fn label_every(labels: &[&str], band: f64, font_px: f64) -> usize {
    if band <= 0.0 {
        return labels.len().max(1);
    }
    let widest = labels
        .iter()
        .map(|l| text_width(l, font_px))
        .fold(0.0, f64::max)
        + font_px * 0.5;
    ((widest / band).ceil() as usize).max(1)
}

/// A label cut to fit `max_px`, ending in an ellipsis when cut.
pub fn fit_label(text: &str, max_px: f64, font_px: f64) -> String {
    if text_width(text, font_px) <= max_px {
        return text.to_string();
    }
    let mut out = String::new();
    let mut w = text_width("…", font_px);
    for c in text.chars() {
        let cw = if is_wide(c) { 1.0 } else { 0.6 } * font_px;
        if w + cw > max_px {
            break;
        }
        w += cw;
        out.push(c);
    }
    out.push('…');
    out
}

/// A bar of a waterfall: where it starts and ends on the value axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    pub start: f64,
    pub end: f64,
}

/// Stacks contributions one after the other, starting at zero.
pub fn waterfall(parts: &[f64]) -> Vec<Step> {
    let mut at = 0.0;
    parts
        .iter()
        .map(|p| {
            let s = Step {
                start: at,
                end: at + p,
            };
            at += p;
            s
        })
        .collect()
}

/// Stacks values upwards from zero: each segment's `(start, end)`. Negative values are drawn as
/// nothing (a stack of parts of a whole has none).
pub fn stack(values: &[f64]) -> Vec<(f64, f64)> {
    let mut at = 0.0;
    values
        .iter()
        .map(|v| {
            let v = v.max(0.0);
            let s = (at, at + v);
            at += v;
            s
        })
        .collect()
}

/// The SVG path of a donut slice from `a0` to `a1` (fractions of a turn, clockwise from 12
/// o'clock) around `(cx, cy)` between radii `r_in` and `r_out`.
pub fn donut_slice(cx: f64, cy: f64, r_in: f64, r_out: f64, a0: f64, a1: f64) -> String {
    // A whole ring cannot be drawn as one arc: draw it as two halves.
    if a1 - a0 >= 1.0 - 1e-9 {
        return format!(
            "{} {}",
            donut_slice(cx, cy, r_in, r_out, a0, a0 + 0.5),
            donut_slice(cx, cy, r_in, r_out, a0 + 0.5, a1)
        );
    }
    let pt = |r: f64, a: f64| {
        let t = a * 2.0 * PI - PI / 2.0;
        (cx + r * t.cos(), cy + r * t.sin())
    };
    let large = if a1 - a0 > 0.5 { 1 } else { 0 };
    let (x0, y0) = pt(r_out, a0);
    let (x1, y1) = pt(r_out, a1);
    let (x2, y2) = pt(r_in, a1);
    let (x3, y3) = pt(r_in, a0);
    format!(
        "M{x0:.2},{y0:.2} A{r_out:.2},{r_out:.2} 0 {large} 1 {x1:.2},{y1:.2} L{x2:.2},{y2:.2} A{r_in:.2},{r_in:.2} 0 {large} 0 {x3:.2},{y3:.2} Z"
    )
}

/// Fractions of a turn for each value: `(start, end)`; all zeros give empty slices.
pub fn turns(values: &[f64]) -> Vec<(f64, f64)> {
    let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
    if total <= 0.0 {
        return values.iter().map(|_| (0.0, 0.0)).collect();
    }
    stack(values)
        .into_iter()
        .map(|(a, b)| (a / total, b / total))
        .collect()
}

/// A compact axis label for an amount in yuan: `1.2M`, `350k` (English) or `120万`, `1.5亿`
/// (Chinese).
pub fn compact(yuan: f64, chinese: bool) -> String {
    let a = yuan.abs();
    let sign = if yuan < 0.0 { "-" } else { "" };
    let short = |v: f64, unit: &str| {
        let s = if v >= 100.0 || (v - v.round()).abs() < 1e-9 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        };
        format!("{sign}{s}{unit}")
    };
    if chinese {
        if a >= 1e8 {
            short(a / 1e8, "亿")
        } else if a >= 1e4 {
            short(a / 1e4, "万")
        } else {
            short(a, "")
        }
    } else if a >= 1e9 {
        short(a / 1e9, "B")
    } else if a >= 1e6 {
        short(a / 1e6, "M")
    } else if a >= 1e3 {
        short(a / 1e3, "k")
    } else {
        short(a, "")
    }
}

/// Fills that read in grey too: each ramp runs from light to dark with a strictly falling
/// lightness, so the order survives a black-and-white print. Darker always means riskier.
pub mod palette {
    /// Aging buckets: current, 1-30, 31-60, 61-90, over 90.
    pub const AGING: [&str; 5] = ["#e6f4ea", "#f2d27c", "#e59a52", "#c2543b", "#6e1f1d"];
    /// Grades: AAA, AA, A, B, C.
    pub const GRADES: [&str; 5] = ["#e3f1f5", "#8ec9d6", "#3f93ac", "#b5562f", "#5e1a18"];
    /// A single series.
    pub const ONE: &str = "#2f6f8f";
    /// Lines: a dark and a lighter series, the second also dashed.
    pub const LINES: [&str; 3] = ["#1f4e66", "#c2543b", "#7a9a3a"];

    /// Relative luminance of a `#rrggbb` colour (0 black, 1 white).
    pub fn luminance(hex: &str) -> f64 {
        let h = hex.trim_start_matches('#');
        let ch = |i: usize| {
            let v = u8::from_str_radix(&h[i..i + 2], 16).unwrap_or(0) as f64 / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(0) + 0.7152 * ch(2) + 0.0722 * ch(4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linear_scale_maps_and_clamps() {
        let s = Linear::new((0.0, 100.0), (10.0, 510.0));
        assert_eq!(s.px(0.0), 10.0);
        assert_eq!(s.px(50.0), 260.0);
        assert_eq!(s.px(150.0), 510.0);
        assert_eq!(s.px(-1.0), 10.0);
        assert_eq!(Linear::new((5.0, 5.0), (0.0, 9.0)).px(5.0), 0.0);
        // An inverted range (SVG's y grows downwards).
        assert_eq!(Linear::new((0.0, 10.0), (200.0, 0.0)).px(2.5), 150.0);
    }

    #[test]
    fn ticks_fall_on_multiples_of_the_step_without_float_dust() {
        let check = |domain: (f64, f64), step: f64, expected: &[f64]| {
            assert_eq!(
                Linear::new(domain, (0.0, 1.0)).ticks(step),
                expected,
                "{domain:?} by {step}"
            );
        };
        check((0.0, 100.0), 25.0, &[0.0, 25.0, 50.0, 75.0, 100.0]);
        check((3.0, 11.0), 5.0, &[5.0, 10.0]);
        check((0.0, 0.5), 0.1, &[0.0, 0.1, 0.2, 0.3, 0.4, 0.5]);
        check((-20.0, 20.0), 10.0, &[-20.0, -10.0, 0.0, 10.0, 20.0]);
        check((0.0, 1.0), 0.0, &[]);
        check((0.0, 1.0), f64::NAN, &[]);
    }

    #[test]
    fn nice_steps_are_one_two_or_five_times_a_power_of_ten() {
        let check = |span: f64, count: usize, expected: f64| {
            assert_eq!(nice_step(span, count), expected, "{span} in {count}");
        };
        check(100.0, 5, 20.0);
        check(1000.0, 4, 500.0);
        check(7.0, 5, 2.0);
        check(1_234_567.0, 5, 500_000.0);
        check(0.9, 3, 0.5);
        check(10.0, 10, 1.0);
        check(0.0, 5, 1.0);
        check(-3.0, 5, 1.0);
    }

    #[test]
    fn a_nice_domain_covers_the_data_and_includes_zero() {
        let check = |min: f64, max: f64, expected: (f64, f64, f64)| {
            assert_eq!(nice_domain(min, max, 5), expected, "{min}..{max}");
        };
        check(0.0, 212_000.0, (0.0, 250_000.0, 50_000.0));
        check(30.0, 73.7, (0.0, 80.0, 20.0));
        check(-15.0, 40.0, (-20.0, 40.0, 20.0));
        check(0.0, 0.0, (0.0, 1.0, 0.2));
        check(0.0, 100.0, (0.0, 100.0, 20.0));
    }

    #[test]
    fn bands_split_the_range_evenly_with_padding() {
        let b = Band::new(4, (0.0, 400.0), 0.2);
        assert_eq!(b.step(), 100.0);
        assert_eq!(b.width(), 80.0);
        assert_eq!(b.start(0), 10.0);
        assert_eq!(b.start(3), 310.0);
        assert_eq!(b.mid(1), 150.0);
        assert_eq!(Band::new(0, (0.0, 400.0), 0.2).width(), 0.0);
    }

    #[test]
    fn labels_that_do_not_fit_are_thinned_or_cut() {
        assert_eq!(text_width("AB", 10.0), 12.0);
        assert_eq!(text_width("账龄", 10.0), 20.0);
        assert_eq!(label_every(&["Jan", "Feb"], 40.0, 10.0), 1);
        assert_eq!(label_every(&["2026-01", "2026-02"], 30.0, 10.0), 2);
        assert_eq!(label_every(&["x"], 0.0, 10.0), 1);
        assert_eq!(fit_label("Short", 100.0, 10.0), "Short");
        let cut = fit_label("上海浦东新区某某钢材有限公司", 60.0, 10.0);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(text_width(&cut, 10.0) <= 60.0, "{cut}");
        assert_eq!(
            fit_label("上海浦东新区某某钢材有限公司", 60.0, 10.0),
            "上海浦东新…"
        );
    }

    #[test]
    fn a_waterfall_stacks_parts_and_ends_at_their_sum() {
        let steps = waterfall(&[10.0, 5.5, 0.0, -20.0]);
        assert_eq!(
            steps[1],
            Step {
                start: 10.0,
                end: 15.5
            }
        );
        assert_eq!(steps.last().unwrap().end, -4.5);
    }

    #[test]
    fn stacks_and_turns_add_up_to_the_whole() {
        assert_eq!(
            stack(&[1.0, 2.0, -5.0, 3.0]),
            vec![(0.0, 1.0), (1.0, 3.0), (3.0, 3.0), (3.0, 6.0)]
        );
        let t = turns(&[1.0, 1.0, 2.0]);
        assert_eq!(t, vec![(0.0, 0.25), (0.25, 0.5), (0.5, 1.0)]);
        assert_eq!(turns(&[0.0, 0.0]), vec![(0.0, 0.0), (0.0, 0.0)]);
    }

    #[test]
    fn a_donut_slice_is_a_closed_path_and_a_whole_ring_is_two_halves() {
        let p = donut_slice(50.0, 50.0, 20.0, 40.0, 0.0, 0.25);
        assert!(
            p.starts_with("M50.00,10.00 A40.00,40.00 0 0 1 90.00,50.00"),
            "{p}"
        );
        assert!(p.ends_with('Z'));
        let ring = donut_slice(50.0, 50.0, 20.0, 40.0, 0.0, 1.0);
        assert_eq!(ring.matches('M').count(), 2);
        assert!(donut_slice(0.0, 0.0, 1.0, 2.0, 0.0, 0.75).contains(" 0 1 1 "));
    }

    #[test]
    fn compact_amounts_read_in_each_language() {
        let check = |v: f64, zh: bool, expected: &str| assert_eq!(compact(v, zh), expected);
        check(0.0, false, "0");
        check(950.0, false, "950");
        check(350_000.0, false, "350k");
        check(1_260_000.0, false, "1.3M");
        check(2_000_000_000.0, false, "2B");
        check(-5_000.0, false, "-5k");
        check(120_000.0, true, "12万");
        check(150_000_000.0, true, "1.5亿");
        check(8_000.0, true, "8000");
    }

    #[test]
    fn every_ramp_darkens_step_by_step_so_it_reads_in_grey() {
        for ramp in [&palette::AGING[..], &palette::GRADES[..]] {
            let l: Vec<f64> = ramp.iter().map(|c| palette::luminance(c)).collect();
            for w in l.windows(2) {
                // Neighbours differ clearly (about 1.3x or more in luminance).
                assert!(w[0] > w[1] * 1.3, "{ramp:?}: {l:?}");
            }
        }
    }
}
