//! The `Conv` builder and the free functions `convolve` / `correlate`: where a request is checked,
//! resolved into per-axis geometry, extended by its padding and handed to an algorithm.

use ndarray::{Array, Array2, ArrayBase, ArrayView, ArrayView2, Axis, Data, Ix1, Ix2, s};

use super::fft::NonFinite;
use super::geometry::{AxisGeometry, Extent};
use super::{Algorithm, Op, Output, Padding, auto, direct, fft, overlap_add, padding};
use crate::error::{ConvError, Result};
use crate::real::Real;

/// A convolution request: operation, output size, padding, algorithm, stride, dilation.
///
/// 1-D signals are treated as planes of one row, so per-axis settings given as
/// `(rows, cols)` apply their `cols` part to 1-D signals; `stride`, `dilation` and `pads` set
/// every axis at once.
///
/// ```
/// use convkit::signal::{Conv, Output, Padding};
/// use ndarray::array;
///
/// let x = array![1.0, 2.0, 3.0, 4.0, 5.0];
/// let h = array![1.0, 1.0, 1.0];
/// let y = Conv::correlate().output(Output::Same).padding(Padding::Reflect).apply(&x, &h)?;
/// assert_eq!(y, array![5.0, 6.0, 9.0, 12.0, 13.0]); // 2+1+2, 1+2+3, ..., 4+5+4
/// # Ok::<(), convkit::ConvError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conv {
    op: Op,
    output: Output,
    padding: Padding,
    algorithm: Algorithm,
    stride: (usize, usize),
    dilation: (usize, usize),
    pads: Option<((usize, usize), (usize, usize))>,
}

impl Default for Conv {
    fn default() -> Self {
        Conv::new(Op::Convolve)
    }
}

impl Conv {
    /// A request for `op` with the defaults: full output, zero padding, automatic algorithm,
    /// stride 1, dilation 1.
    pub fn new(op: Op) -> Self {
        Conv {
            op,
            output: Output::Full,
            padding: Padding::Zero,
            algorithm: Algorithm::Auto,
            stride: (1, 1),
            dilation: (1, 1),
            pads: None,
        }
    }

    /// True convolution (the kernel is flipped).
    pub fn convolve() -> Self {
        Conv::new(Op::Convolve)
    }

    /// Cross-correlation (the kernel slides unflipped).
    pub fn correlate() -> Self {
        Conv::new(Op::Correlate)
    }

    /// Output size: full (default), same or valid. Ignored once explicit [`pads`](Self::pads) are set.
    pub fn output(mut self, output: Output) -> Self {
        self.output = output;
        self.pads = None;
        self
    }

    /// How the signal is extended beyond its ends (default zero).
    pub fn padding(mut self, padding: Padding) -> Self {
        self.padding = padding;
        self
    }

    /// Which algorithm computes the result (default auto).
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Keep every `s`-th output sample on every axis, starting at the first.
    pub fn stride(self, s: usize) -> Self {
        self.stride_2d(s, s)
    }

    /// Per-axis stride (rows, cols).
    pub fn stride_2d(mut self, rows: usize, cols: usize) -> Self {
        self.stride = (rows, cols);
        self
    }

    /// Spread the kernel taps `d` apart on every axis.
    pub fn dilation(self, d: usize) -> Self {
        self.dilation_2d(d, d)
    }

    /// Per-axis dilation (rows, cols).
    pub fn dilation_2d(mut self, rows: usize, cols: usize) -> Self {
        self.dilation = (rows, cols);
        self
    }

    /// Explicit padding amounts on every axis: the output is `valid` over the signal extended by
    /// `before` and `after` samples (PyTorch's `padding=p` is `pads(p, p)`).
    pub fn pads(self, before: usize, after: usize) -> Self {
        self.pads_2d((before, after), (before, after))
    }

    /// Explicit per-axis padding amounts: `(top, bottom)`, `(left, right)`.
    pub fn pads_2d(mut self, rows: (usize, usize), cols: (usize, usize)) -> Self {
        self.pads = Some((rows, cols));
        self
    }

    /// The operation of this request.
    pub fn op(&self) -> Op {
        self.op
    }

    /// Applies the request to a signal and a kernel with the same number of axes (1 or 2).
    pub fn apply<T, S1, S2, D>(
        &self,
        x: &ArrayBase<S1, D>,
        h: &ArrayBase<S2, D>,
    ) -> Result<Array<T, D>>
    where
        T: Real,
        S1: Data<Elem = T>,
        S2: Data<Elem = T>,
        D: PlaneDim,
    {
        let y = self.apply_plane(D::as_plane(x.view()), D::as_plane(h.view()), D::IS_1D)?;
        Ok(D::from_plane(y))
    }

    /// The per-axis geometry this request resolves to for a signal of `signal` shape and a kernel
    /// of `kernel` shape (rows, cols), `one_d` when both are 1-D planes of one row.
    pub fn geometry(
        &self,
        signal: (usize, usize),
        kernel: (usize, usize),
        one_d: bool,
    ) -> Result<(AxisGeometry, AxisGeometry)> {
        let extent = |axis: usize| match self.pads {
            Some(p) => {
                let (b, a) = if axis == 0 { p.0 } else { p.1 };
                Extent::Pads(b, a)
            }
            None => Extent::Output(self.output),
        };
        let rows = if one_d {
            AxisGeometry::unit()
        } else {
            AxisGeometry::new(
                0,
                signal.0,
                kernel.0,
                extent(0),
                self.stride.0,
                self.dilation.0,
            )?
        };
        let col_axis = if one_d { 0 } else { 1 };
        let cols = AxisGeometry::new(
            col_axis,
            signal.1,
            kernel.1,
            extent(1),
            self.stride.1,
            self.dilation.1,
        )?;
        Ok((rows, cols))
    }

    /// The algorithm [`apply`](Self::apply) runs for these operands: `Auto` resolved by the cost
    /// model and the non-finite check (a NaN or infinity in the signal or kernel means the
    /// direct sum, which keeps it to the outputs that read it), other choices as given.
    pub fn resolve<T, S1, S2, D>(
        &self,
        x: &ArrayBase<S1, D>,
        h: &ArrayBase<S2, D>,
    ) -> Result<Algorithm>
    where
        T: Real,
        S1: Data<Elem = T>,
        S2: Data<Elem = T>,
        D: PlaneDim,
    {
        let x = D::as_plane(x.view());
        let (_, _, algorithm) = self.plan(x, D::as_plane(h.view()), D::IS_1D)?;
        // `apply` finds a non-finite signal while transforming it (`NonFinite::Decline`).
        Ok(match algorithm {
            Algorithm::Fft | Algorithm::OverlapAdd
                if self.algorithm == Algorithm::Auto
                    && (!all_finite(&x)
                        || matches!(self.padding, Padding::Constant(c) if !c.is_finite())) =>
            {
                Algorithm::Direct
            }
            chosen => chosen,
        })
    }

    /// Checks the operands and resolves geometry and algorithm.
    fn plan<T: Real>(
        &self,
        x: ArrayView2<'_, T>,
        h: ArrayView2<'_, T>,
        one_d: bool,
    ) -> Result<(AxisGeometry, AxisGeometry, Algorithm)> {
        let shape_of = |a: &ArrayView2<'_, T>| {
            if one_d {
                vec![a.ncols()]
            } else {
                vec![a.nrows(), a.ncols()]
            }
        };
        if x.is_empty() {
            return Err(ConvError::Empty {
                what: "signal",
                shape: shape_of(&x),
            });
        }
        if h.is_empty() {
            return Err(ConvError::Empty {
                what: "kernel",
                shape: shape_of(&h),
            });
        }
        let (rows, cols) = self.geometry(x.dim(), h.dim(), one_d)?;
        let algorithm = match self.algorithm {
            Algorithm::Auto => {
                match auto::choose::<T>(&rows, &cols, direct::separable(h).is_some(), self.padding)
                {
                    // A non-finite sample would spread NaN over the whole transform result. The
                    // kernel is scanned here, only when a transform was chosen; the signal, far
                    // larger, while it is transformed (`NonFinite::Decline`).
                    Algorithm::Fft | Algorithm::OverlapAdd if !all_finite(&h) => Algorithm::Direct,
                    choice => choice,
                }
            }
            chosen => chosen,
        };
        Ok((rows, cols, algorithm))
    }

    fn apply_plane<T: Real>(
        &self,
        x: ArrayView2<'_, T>,
        h: ArrayView2<'_, T>,
        one_d: bool,
    ) -> Result<Array2<T>> {
        let (rows, cols, algorithm) = self.plan(x, h, one_d)?;
        let g = self.oriented_kernel(h);
        let direct = || direct::correlate(x, g, &rows, &cols, self.padding);
        // Auto's transforms hand a non-finite signal back to the direct sum.
        let on = if self.algorithm == Algorithm::Auto {
            NonFinite::Decline
        } else {
            NonFinite::Spread
        };
        let transformed = match algorithm {
            Algorithm::Direct | Algorithm::Auto => return direct(),
            Algorithm::Fft if fft::zero_extension_pays(&rows, &cols, self.padding) => {
                fft::correlate_zero_extended(x, g, &rows, &cols, on)?
            }
            Algorithm::Fft | Algorithm::OverlapAdd => {
                let xp = padding::pad(
                    x,
                    (rows.pad_before, rows.pad_after),
                    (cols.pad_before, cols.pad_after),
                    self.padding,
                )?;
                if algorithm == Algorithm::Fft {
                    fft::correlate_valid_or_decline(xp.view(), g, &rows, &cols, on)?
                } else {
                    overlap_add::correlate_valid_or_decline(xp.view(), g, &rows, &cols, on)?
                }
            }
        };
        transformed.map_or_else(direct, Ok)
    }

    /// The kernel as the correlation slides it: flipped on both axes for a convolution.
    fn oriented_kernel<'a, T: Real>(&self, h: ArrayView2<'a, T>) -> ArrayView2<'a, T> {
        match self.op {
            Op::Convolve => h.slice_move(s![..;-1, ..;-1]),
            Op::Correlate => h,
        }
    }
}

fn all_finite<T: Real>(a: &ArrayView2<'_, T>) -> bool {
    // Whole chunks without an early exit inside, so the test vectorises: a sample at a time it
    // had been a quarter of an FFT convolution of a 256² image.
    let finite = |chunk: &[T]| chunk.iter().fold(true, |ok, v| ok & v.is_finite());
    match a.as_slice() {
        Some(samples) => samples.chunks(1024).all(finite),
        None => a.iter().all(|v| v.is_finite()),
    }
}

/// The array dimensions a request accepts: 1-D signals (as one-row planes) and 2-D planes.
pub trait PlaneDim: ndarray::Dimension + sealed::Sealed {
    /// Whether this is the 1-D case.
    const IS_1D: bool;
    /// Views the array as a plane.
    fn as_plane<T>(a: ArrayView<'_, T, Self>) -> ArrayView2<'_, T>;
    /// Turns a plane result back into this dimensionality.
    fn from_plane<T>(a: Array2<T>) -> Array<T, Self>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for ndarray::Ix1 {}
    impl Sealed for ndarray::Ix2 {}
}

impl PlaneDim for Ix1 {
    const IS_1D: bool = true;
    fn as_plane<T>(a: ArrayView<'_, T, Self>) -> ArrayView2<'_, T> {
        a.insert_axis(Axis(0))
    }
    fn from_plane<T>(a: Array2<T>) -> Array<T, Self> {
        a.index_axis_move(Axis(0), 0)
    }
}

impl PlaneDim for Ix2 {
    const IS_1D: bool = false;
    fn as_plane<T>(a: ArrayView<'_, T, Self>) -> ArrayView2<'_, T> {
        a
    }
    fn from_plane<T>(a: Array2<T>) -> Array<T, Self> {
        a
    }
}

/// Full true convolution with zero padding, `scipy.signal.convolve(x, h)`.
///
/// ```
/// use ndarray::array;
/// let y = convkit::convolve(&array![3.0, 1.0, 2.0], &array![3.0, 2.0, 1.0])?;
/// assert_eq!(y, array![9.0, 9.0, 11.0, 5.0, 2.0]);
/// # Ok::<(), convkit::ConvError>(())
/// ```
pub fn convolve<T, S1, S2, D>(x: &ArrayBase<S1, D>, h: &ArrayBase<S2, D>) -> Result<Array<T, D>>
where
    T: Real,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: PlaneDim,
{
    Conv::convolve().apply(x, h)
}

/// Full cross-correlation with zero padding, `scipy.signal.correlate(x, h)`.
///
/// ```
/// use ndarray::array;
/// let y = convkit::correlate(&array![3.0, 1.0, 2.0], &array![3.0, 2.0, 1.0])?;
/// assert_eq!(y, array![3.0, 7.0, 13.0, 7.0, 6.0]);
/// # Ok::<(), convkit::ConvError>(())
/// ```
pub fn correlate<T, S1, S2, D>(x: &ArrayBase<S1, D>, h: &ArrayBase<S2, D>) -> Result<Array<T, D>>
where
    T: Real,
    S1: Data<Elem = T>,
    S2: Data<Elem = T>,
    D: PlaneDim,
{
    Conv::correlate().apply(x, h)
}
