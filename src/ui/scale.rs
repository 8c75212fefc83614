//! Scales for SVG charts: data values to pixels. Pure and tested; pixels are the only floats in
//! the app, and they never flow back into figures.

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
        if step <= 0.0 {
            return Vec::new();
        }
        let (lo, hi) = (self.d0.min(self.d1), self.d0.max(self.d1));
        let mut v = (lo / step).ceil() * step;
        let mut out = Vec::new();
        while v <= hi + 1e-9 {
            out.push(v);
            v += step;
        }
        out
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_linear_scale_maps_and_clamps() {
        let s = Linear::new((0.0, 100.0), (10.0, 510.0));
        assert_eq!(s.px(0.0), 10.0);
        assert_eq!(s.px(50.0), 260.0);
        assert_eq!(s.px(150.0), 510.0);
        assert_eq!(s.px(-1.0), 10.0);
        assert_eq!(Linear::new((5.0, 5.0), (0.0, 9.0)).px(5.0), 0.0);
    }

    #[test]
    fn ticks_fall_on_multiples_of_the_step() {
        assert_eq!(
            Linear::new((0.0, 100.0), (0.0, 1.0)).ticks(25.0),
            vec![0.0, 25.0, 50.0, 75.0, 100.0]
        );
        assert_eq!(
            Linear::new((3.0, 11.0), (0.0, 1.0)).ticks(5.0),
            vec![5.0, 10.0]
        );
        assert!(Linear::new((0.0, 1.0), (0.0, 1.0)).ticks(0.0).is_empty());
    }

    #[test]
    fn a_waterfall_stacks_parts_and_ends_at_their_sum() {
        let steps = waterfall(&[10.0, 5.5, 0.0, 20.0]);
        assert_eq!(
            steps[1],
            Step {
                start: 10.0,
                end: 15.5
            }
        );
        assert_eq!(steps.last().unwrap().end, 35.5);
    }
}
