//! The flip-and-slide table of the lecture method, for checking a convolution by hand.
//!
//! For a convolution y\[n\] = Σ_k x\[k\] h\[n-k\] the table has an index row k, the row x\[k\], and
//! for each output n the kernel flipped and slid to n, h\[n-k\]; under each n the sum of the
//! products of the overlapping samples. For a cross-correlation r\[n\] = Σ_k x\[k\] h\[k-n\] the
//! kernel slides without being flipped. One extra n past the end shows that there is no overlap
//! left.

use std::fmt;
use std::ops::RangeInclusive;

use super::Op;
use super::lti::Signal;
use crate::error::Result;
use crate::real::Real;

/// The table for one signal and one kernel.
///
/// ```
/// use convkit::signal::{flip_slide::FlipSlideTable, lti::Signal, Op};
/// let x = Signal::from_values(vec![3.0, 1.0, 2.0]);
/// let h = Signal::from_values(vec![3.0, 2.0, 1.0]);
/// let table = FlipSlideTable::new(&x, &h, Op::Convolve)?;
/// assert_eq!(table.output().values(), [9.0, 9.0, 11.0, 5.0, 2.0]);
/// assert!(table.to_string().contains("y[2] = 3×1 + 1×2 + 2×3 = 11"));
/// # Ok::<(), convkit::ConvError>(())
/// ```
#[derive(Debug, Clone)]
pub struct FlipSlideTable<T> {
    op: Op,
    x: Signal<T>,
    h: Signal<T>,
    y: Signal<T>,
}

/// One output sample explained: the products x\[k\]·h\[·\] that overlap, and their sum.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputTerm<T> {
    /// Output index n.
    pub n: isize,
    /// (x\[k\], kernel sample) pairs in increasing k.
    pub products: Vec<(T, T)>,
    /// y\[n\] as the library computes it.
    pub value: T,
}

impl<T: Real> FlipSlideTable<T> {
    /// Builds the table (and computes y through the library's primitives).
    pub fn new(x: &Signal<T>, h: &Signal<T>, op: Op) -> Result<Self> {
        let y = x.combine(h, op)?;
        Ok(FlipSlideTable {
            op,
            x: x.clone(),
            h: h.clone(),
            y,
        })
    }

    /// The output signal y (convolution) or r (correlation).
    pub fn output(&self) -> &Signal<T> {
        &self.y
    }

    /// The output indices shown: y's support and one past its end.
    pub fn outputs(&self) -> RangeInclusive<isize> {
        self.y.origin()..=self.y.end()
    }

    /// The kernel sample that multiplies x\[k\] in output n: h\[n-k\] or h\[k-n\].
    fn kernel_at(&self, n: isize, k: isize) -> Option<T> {
        let j = match self.op {
            Op::Convolve => n - k,
            Op::Correlate => k - n,
        };
        (self.h.origin()..self.h.end())
            .contains(&j)
            .then(|| self.h.at(j))
    }

    /// The k where the slid kernel of output n has samples.
    fn kernel_support(&self, n: isize) -> RangeInclusive<isize> {
        let (h0, h1) = (self.h.origin(), self.h.end() - 1);
        match self.op {
            Op::Convolve => n - h1..=n - h0,
            Op::Correlate => n + h0..=n + h1,
        }
    }

    /// The index row: every k where x or some slid kernel row has a sample.
    pub fn indices(&self) -> RangeInclusive<isize> {
        let first = self.kernel_support(*self.outputs().start());
        let last = self.kernel_support(*self.outputs().end());
        let lo = self.x.origin().min(*first.start()).min(*last.start());
        let hi = (self.x.end() - 1).max(*first.end()).max(*last.end());
        lo..=hi
    }

    /// Output n as its sum of products.
    pub fn term(&self, n: isize) -> OutputTerm<T> {
        let products = (self.x.origin()..self.x.end())
            .filter_map(|k| self.kernel_at(n, k).map(|hv| (self.x.at(k), hv)))
            .collect();
        OutputTerm {
            n,
            products,
            value: self.y.at(n),
        }
    }

    fn row_label(&self, n: isize) -> String {
        match self.op {
            Op::Convolve => format!("h[{n}-k]"),
            Op::Correlate if n == 0 => "h[k]".to_string(),
            Op::Correlate if n < 0 => format!("h[k+{}]", -n),
            Op::Correlate => format!("h[k-{n}]"),
        }
    }
}

/// A number as a student writes it: integers without decimals, others to six places at most.
pub fn format_number<T: Real>(v: T) -> String {
    let s = format!("{v:.6}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".to_string() } else { s }
}

impl<T: Real> fmt::Display for FlipSlideTable<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ks: Vec<isize> = self.indices().collect();
        let y_name = match self.op {
            Op::Convolve => "y",
            Op::Correlate => "r",
        };
        // Rows of cells: label, then one cell per k ("" where the row has no sample).
        let mut rows: Vec<(String, Vec<String>)> = vec![
            ("k".to_string(), ks.iter().map(|k| k.to_string()).collect()),
            (
                "x[k]".to_string(),
                ks.iter()
                    .map(|&k| {
                        let inside = (self.x.origin()..self.x.end()).contains(&k);
                        if inside {
                            format_number(self.x.at(k))
                        } else {
                            String::new()
                        }
                    })
                    .collect(),
            ),
        ];
        for n in self.outputs() {
            let cells = ks
                .iter()
                .map(|&k| self.kernel_at(n, k).map(format_number).unwrap_or_default());
            rows.push((self.row_label(n), cells.collect()));
        }
        let label_w = rows
            .iter()
            .map(|(l, _)| l.chars().count())
            .max()
            .unwrap_or(0);
        let cell_w = rows
            .iter()
            .flat_map(|(_, c)| c.iter().map(|s| s.chars().count()))
            .max()
            .unwrap_or(1);
        for (label, cells) in &rows {
            let mut line = format!("{label:<label_w$} |");
            for c in cells {
                line.push_str(&format!(" {c:>cell_w$}"));
            }
            writeln!(f, "{}", line.trim_end())?;
        }
        writeln!(f)?;
        for n in self.outputs() {
            let term = self.term(n);
            if term.products.is_empty() {
                writeln!(f, "{y_name}[{n}] = 0 (no overlap)")?;
                continue;
            }
            let sum: Vec<String> = term
                .products
                .iter()
                .map(|&(a, b)| format!("{}×{}", format_number(a), format_number(b)))
                .collect();
            writeln!(
                f,
                "{y_name}[{n}] = {} = {}",
                sum.join(" + "),
                format_number(term.value)
            )?;
        }
        let all: Vec<String> = self.y.values().iter().map(|&v| format_number(v)).collect();
        write!(f, "{y_name} = [{}]", all.join(", "))?;
        if self.y.origin() != 0 {
            write!(f, " (from n = {})", self.y.origin())?;
        }
        writeln!(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lecture_table_spans_minus_two_to_five() {
        let x = Signal::from_values(vec![3.0, 1.0, 2.0]);
        let h = Signal::from_values(vec![3.0, 2.0, 1.0]);
        let t = FlipSlideTable::new(&x, &h, Op::Convolve).unwrap();
        assert_eq!(t.indices(), -2..=5);
        assert_eq!(t.outputs(), 0..=5);
        let text = t.to_string();
        assert!(text.contains("y[0] = 3×3 = 9"), "{text}");
        assert!(text.contains("y[2] = 3×1 + 1×2 + 2×3 = 11"), "{text}");
        assert!(text.contains("y[5] = 0 (no overlap)"), "{text}");
        assert!(text.contains("y = [9, 9, 11, 5, 2]"), "{text}");
    }

    #[test]
    fn correlation_slides_without_flipping() {
        let x = Signal::from_values(vec![3.0, 1.0, 2.0]);
        let h = Signal::from_values(vec![3.0, 2.0, 1.0]);
        let t = FlipSlideTable::new(&x, &h, Op::Correlate).unwrap();
        assert_eq!(t.outputs(), -2..=3);
        // r[0] = x[0]h[0] + x[1]h[1] + x[2]h[2]
        assert_eq!(t.term(0).products, vec![(3.0, 3.0), (1.0, 2.0), (2.0, 1.0)]);
        assert_eq!(t.term(0).value, 13.0);
        assert!(t.to_string().contains("r = [3, 7, 13, 7, 6] (from n = -2)"));
    }

    #[test]
    fn numbers_read_like_handwriting() {
        assert_eq!(format_number(3.0f64), "3");
        assert_eq!(format_number(-0.0f64), "0");
        assert_eq!(format_number(0.25f32), "0.25");
        assert_eq!(format_number(-1.5f64), "-1.5");
    }
}
