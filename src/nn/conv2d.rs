//! `Conv2d`: the convolution layer of a CNN, built on the toolkit's cross-correlation.
//!
//! With x the input (N, C, H, W), W the weights (O, C/g, kh, kw), b the bias (O), padding p,
//! stride s, dilation d and g groups, output channel o of sample n is
//!
//! ```text
//! y[n,o] = b[o] + Σ_j  x[n, i(o,j)]  ⋆_{p,s,d}  W[o,j]        (⋆ = the toolkit's correlation)
//! ```
//!
//! where i(o,j) is the j-th input channel of o's group and the padding is applied in the layer's
//! [`PaddingMode`] (PyTorch's `padding_mode`, mapped onto [`Padding`]). With δ = ∂L/∂y:
//!
//! * bias gradient: ∂L/∂b\[o\] = Σ_{n,r,c} δ\[n,o,r,c\];
//! * weight gradient: ∂L/∂W\[o,j\] = Σ_n  pad(x\[n,i\]) ⋆ δ\[n,o\]  with δ dilated by s and the
//!   output strided by d — a correlation of the input with the error;
//! * input gradient: ∂L/∂pad(x)\[n,i\] = Σ_o  δ̃\[n,o\] ∗ W\[o,j\]  (full true convolution, δ̃ = δ
//!   upsampled by s, W dilated by d), folded back through the padding: every padded position
//!   adds its gradient onto the source pixel it copied ([`source_index`]); zero padding drops it.
//!
//! [`ConvAlgorithm`] selects how these are computed; `docs/cnn.md` has the derivation.

use std::fmt;
use std::time::{Duration, Instant};

use ndarray::{
    Array1, Array2, Array4, ArrayD, ArrayView1, ArrayView2, ArrayView4, ArrayViewMut2, Ix1, Ix4,
};

use super::error::{NnError, Result, shape_error};
use super::init::{Rng, default_bound, kaiming_uniform};
use super::layer::{Layer, Param};
use super::{ConvAlgorithm, conv_direct, conv_fft, conv_winograd, im2col};
use crate::real::Real;
use crate::signal::padding::source_index;
use crate::signal::{Conv, Padding};

/// PyTorch's `padding_mode` of a convolution layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PaddingMode {
    /// `'zeros'`: [`Padding::Zero`].
    #[default]
    Zeros,
    /// `'reflect'` (mirror without repeating the edge): [`Padding::Reflect`].
    Reflect,
    /// `'replicate'` (repeat the edge): [`Padding::Replicate`].
    Replicate,
    /// `'circular'` (periodic): [`Padding::Circular`].
    Circular,
}

impl PaddingMode {
    /// All four, in PyTorch's documentation order.
    pub const ALL: [PaddingMode; 4] = [
        PaddingMode::Zeros,
        PaddingMode::Reflect,
        PaddingMode::Replicate,
        PaddingMode::Circular,
    ];

    /// The toolkit's boundary extension with the same meaning.
    pub fn to_padding(self) -> Padding {
        match self {
            PaddingMode::Zeros => Padding::Zero,
            PaddingMode::Reflect => Padding::Reflect,
            PaddingMode::Replicate => Padding::Replicate,
            PaddingMode::Circular => Padding::Circular,
        }
    }
}

impl fmt::Display for PaddingMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PaddingMode::Zeros => "zeros",
            PaddingMode::Reflect => "reflect",
            PaddingMode::Replicate => "replicate",
            PaddingMode::Circular => "circular",
        })
    }
}

/// The hyper-parameters of a [`Conv2d`], with PyTorch's defaults (stride 1, padding 0,
/// dilation 1, groups 1, bias on, zeros padding) and the `Auto` algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Conv2dConfig {
    /// Input channels C.
    pub in_channels: usize,
    /// Output channels O.
    pub out_channels: usize,
    /// Kernel (kh, kw).
    pub kernel_size: (usize, usize),
    /// Stride (rows, cols).
    pub stride: (usize, usize),
    /// Padding amounts (rows, cols), applied on both sides.
    pub padding: (usize, usize),
    /// Dilation (rows, cols).
    pub dilation: (usize, usize),
    /// Groups g: input and output channels are split into g independent groups.
    pub groups: usize,
    /// Whether there is a bias.
    pub bias: bool,
    /// How the input is extended by the padding amounts.
    pub padding_mode: PaddingMode,
    /// The algorithm.
    pub algorithm: ConvAlgorithm,
}

impl Conv2dConfig {
    /// `nn.Conv2d(in_channels, out_channels, kernel_size)` with PyTorch's defaults.
    pub fn new(in_channels: usize, out_channels: usize, kernel_size: usize) -> Self {
        Conv2dConfig {
            in_channels,
            out_channels,
            kernel_size: (kernel_size, kernel_size),
            stride: (1, 1),
            padding: (0, 0),
            dilation: (1, 1),
            groups: 1,
            bias: true,
            padding_mode: PaddingMode::Zeros,
            algorithm: ConvAlgorithm::Auto,
        }
    }
    /// Kernel (kh, kw).
    pub fn kernel_2d(mut self, kh: usize, kw: usize) -> Self {
        self.kernel_size = (kh, kw);
        self
    }
    /// Same stride on both axes.
    pub fn stride(self, s: usize) -> Self {
        self.stride_2d(s, s)
    }
    /// Stride (rows, cols).
    pub fn stride_2d(mut self, rows: usize, cols: usize) -> Self {
        self.stride = (rows, cols);
        self
    }
    /// Same padding amount on every side.
    pub fn padding(self, p: usize) -> Self {
        self.padding_2d(p, p)
    }
    /// Padding amounts (rows, cols).
    pub fn padding_2d(mut self, rows: usize, cols: usize) -> Self {
        self.padding = (rows, cols);
        self
    }
    /// Same dilation on both axes.
    pub fn dilation(self, d: usize) -> Self {
        self.dilation_2d(d, d)
    }
    /// Dilation (rows, cols).
    pub fn dilation_2d(mut self, rows: usize, cols: usize) -> Self {
        self.dilation = (rows, cols);
        self
    }
    /// Groups.
    pub fn groups(mut self, g: usize) -> Self {
        self.groups = g;
        self
    }
    /// Bias on or off.
    pub fn bias(mut self, on: bool) -> Self {
        self.bias = on;
        self
    }
    /// Padding mode.
    pub fn padding_mode(mut self, mode: PaddingMode) -> Self {
        self.padding_mode = mode;
        self
    }
    /// Algorithm.
    pub fn algorithm(mut self, algorithm: ConvAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The weight shape (O, C/g, kh, kw).
    pub fn weight_shape(&self) -> [usize; 4] {
        [
            self.out_channels,
            self.in_channels / self.groups.max(1),
            self.kernel_size.0,
            self.kernel_size.1,
        ]
    }

    /// Checks the configuration on its own.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(NnError::Config(m));
        let c = self;
        if c.in_channels == 0 || c.out_channels == 0 {
            return bad(format!(
                "channels must be positive ({} → {})",
                c.in_channels, c.out_channels
            ));
        }
        if c.groups == 0
            || !c.in_channels.is_multiple_of(c.groups)
            || !c.out_channels.is_multiple_of(c.groups)
        {
            return bad(format!(
                "groups {} must divide in_channels {} and out_channels {}",
                c.groups, c.in_channels, c.out_channels
            ));
        }
        if c.kernel_size.0 == 0 || c.kernel_size.1 == 0 {
            return bad(format!("kernel size {:?} must be positive", c.kernel_size));
        }
        if c.stride.0 == 0 || c.stride.1 == 0 || c.dilation.0 == 0 || c.dilation.1 == 0 {
            return bad("stride and dilation must be at least 1".into());
        }
        Ok(())
    }

    /// Resolves the arithmetic for an input of `shape` (N, C, H, W).
    pub fn geometry(&self, shape: &[usize]) -> Result<ConvGeom> {
        self.validate()?;
        if shape.len() != 4 || shape[1] != self.in_channels {
            return Err(shape_error(
                self.describe(),
                format!("[N, {}, H, W]", self.in_channels),
                shape,
            ));
        }
        let (h, w) = (shape[2], shape[3]);
        if h == 0 || w == 0 {
            return Err(shape_error(self.describe(), "H, W ≥ 1", shape));
        }
        // The toolkit's own arithmetic decides the output size (and rejects kernels that do not fit).
        let (rows, cols) = self
            .signal_conv()
            .geometry((h, w), self.kernel_size, false)?;
        Ok(ConvGeom {
            batch: shape[0],
            in_channels: self.in_channels,
            out_channels: self.out_channels,
            groups: self.groups,
            height: h,
            width: w,
            kernel: self.kernel_size,
            stride: self.stride,
            pad: self.padding,
            dilation: self.dilation,
            out: (rows.out_len, cols.out_len),
            mode: self.padding_mode.to_padding(),
        })
    }

    /// The toolkit request one (input, output) channel pair of the forward pass is.
    pub fn signal_conv(&self) -> Conv {
        let (ph, pw) = self.padding;
        Conv::correlate()
            .pads_2d((ph, ph), (pw, pw))
            .stride_2d(self.stride.0, self.stride.1)
            .dilation_2d(self.dilation.0, self.dilation.1)
            .padding(self.padding_mode.to_padding())
    }

    /// PyTorch's repr of the layer.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "Conv2d({}, {}, kernel_size={:?}, stride={:?}",
            self.in_channels, self.out_channels, self.kernel_size, self.stride
        );
        if self.padding != (0, 0) {
            s += &format!(", padding={:?}", self.padding);
        }
        if self.dilation != (1, 1) {
            s += &format!(", dilation={:?}", self.dilation);
        }
        if self.groups != 1 {
            s += &format!(", groups={}", self.groups);
        }
        if !self.bias {
            s += ", bias=False";
        }
        if self.padding_mode != PaddingMode::Zeros {
            s += &format!(", padding_mode={}", self.padding_mode);
        }
        s += &format!(", algorithm={})", self.algorithm);
        s
    }
}

/// The resolved arithmetic of one convolution call: shapes, pads, stride, dilation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConvGeom {
    /// N.
    pub batch: usize,
    /// C.
    pub in_channels: usize,
    /// O.
    pub out_channels: usize,
    /// g.
    pub groups: usize,
    /// H.
    pub height: usize,
    /// W.
    pub width: usize,
    /// (kh, kw).
    pub kernel: (usize, usize),
    /// (sh, sw).
    pub stride: (usize, usize),
    /// (ph, pw), both sides.
    pub pad: (usize, usize),
    /// (dh, dw).
    pub dilation: (usize, usize),
    /// (Ho, Wo).
    pub out: (usize, usize),
    /// The boundary extension.
    pub mode: Padding,
}

impl ConvGeom {
    /// Input channels per group.
    pub fn cin_g(&self) -> usize {
        self.in_channels / self.groups
    }
    /// Output channels per group.
    pub fn cout_g(&self) -> usize {
        self.out_channels / self.groups
    }
    /// The input channel that weight slice `[o, j]` reads.
    pub fn input_channel(&self, o: usize, j: usize) -> usize {
        (o / self.cout_g()) * self.cin_g() + j
    }
    /// The padded plane (P0, P1) = (H + 2ph, W + 2pw).
    pub fn padded(&self) -> (usize, usize) {
        (self.height + 2 * self.pad.0, self.width + 2 * self.pad.1)
    }
    /// The dilated kernel span (K0', K1').
    pub fn span(&self) -> (usize, usize) {
        (
            self.dilation.0 * (self.kernel.0 - 1) + 1,
            self.dilation.1 * (self.kernel.1 - 1) + 1,
        )
    }
    /// Output shape (N, O, Ho, Wo).
    pub fn out_shape(&self) -> (usize, usize, usize, usize) {
        (self.batch, self.out_channels, self.out.0, self.out.1)
    }
    /// For each padded row position, the source row it copies (None: a zero).
    pub fn row_sources(&self) -> Vec<Option<usize>> {
        (0..self.padded().0)
            .map(|r| source_index(r as isize - self.pad.0 as isize, self.height, self.mode))
            .collect()
    }
    /// For each padded column position, the source column it copies (None: a zero).
    pub fn col_sources(&self) -> Vec<Option<usize>> {
        (0..self.padded().1)
            .map(|c| source_index(c as isize - self.pad.1 as isize, self.width, self.mode))
            .collect()
    }
}

/// Adds the gradient of a padded plane onto the source pixels of `dx` (H × W): each padded
/// position passes its gradient to the pixel the padding copied there; zeros drop it.
pub(super) fn fold_padded<T: Real>(
    dxp: ArrayView2<'_, T>,
    rows: &[Option<usize>],
    cols: &[Option<usize>],
    mut dx: ArrayViewMut2<'_, T>,
) {
    for (r, src_r) in rows.iter().enumerate().take(dxp.nrows()) {
        let Some(sr) = *src_r else { continue };
        for (c, src_c) in cols.iter().enumerate().take(dxp.ncols()) {
            if let Some(sc) = *src_c {
                dx[[sr, sc]] += dxp[[r, c]];
            }
        }
    }
}

/// The gradients of a convolution.
#[derive(Debug, Clone, PartialEq)]
pub struct Conv2dGrads<T> {
    /// ∂L/∂x, shape (N, C, H, W).
    pub input: Array4<T>,
    /// ∂L/∂W, shape (O, C/g, kh, kw).
    pub weight: Array4<T>,
    /// ∂L/∂b, shape (O).
    pub bias: Array1<T>,
}

fn check_weight<T>(cfg: &Conv2dConfig, w: &ArrayView4<'_, T>) -> Result<()> {
    if w.shape() != cfg.weight_shape() {
        return Err(shape_error(
            format!("{} weight", cfg.describe()),
            format!("{:?}", cfg.weight_shape()),
            w.shape(),
        ));
    }
    Ok(())
}

/// The forward pass y = b + Σ x ⋆ W with a concrete `algorithm` (stateless `Auto` means
/// `Im2col`; the timing `Auto` lives in the [`Conv2d`] layer).
pub fn conv2d_forward<T: Real>(
    x: ArrayView4<'_, T>,
    w: ArrayView4<'_, T>,
    b: Option<ArrayView1<'_, T>>,
    cfg: &Conv2dConfig,
    algorithm: ConvAlgorithm,
) -> Result<Array4<T>> {
    let g = cfg.geometry(x.shape())?;
    check_weight(cfg, &w)?;
    if let Some(b) = &b
        && b.len() != cfg.out_channels
    {
        return Err(shape_error(
            format!("{} bias", cfg.describe()),
            format!("[{}]", cfg.out_channels),
            b.shape(),
        ));
    }
    let mut y = match algorithm {
        ConvAlgorithm::Direct => conv_direct::forward(&g, x, w)?,
        ConvAlgorithm::Fft => conv_fft::forward(&g, x, w)?,
        ConvAlgorithm::Winograd if conv_winograd::applies(&g) => conv_winograd::forward(&g, x, w)?,
        ConvAlgorithm::Winograd => conv_direct::forward(&g, x, w)?,
        ConvAlgorithm::Im2col | ConvAlgorithm::Auto => im2col::forward(&g, x, w)?,
    };
    if let Some(b) = b {
        let plane = g.out.0 * g.out.1;
        let ys = y.as_slice_mut().expect("a fresh output is contiguous");
        for (k, ch) in ys.chunks_exact_mut(plane.max(1)).enumerate() {
            let bo = b[k % cfg.out_channels];
            ch.iter_mut().for_each(|v| *v += bo);
        }
    }
    Ok(y)
}

/// The backward pass: input, weight and bias gradients for upstream gradient `grad_output`
/// (N, O, Ho, Wo), with a concrete `algorithm` (stateless `Auto` means `Im2col`).
pub fn conv2d_backward<T: Real>(
    x: ArrayView4<'_, T>,
    w: ArrayView4<'_, T>,
    grad_output: ArrayView4<'_, T>,
    cfg: &Conv2dConfig,
    algorithm: ConvAlgorithm,
) -> Result<Conv2dGrads<T>> {
    let parts = backward_parts(x, w, grad_output, cfg, algorithm, true)?;
    Ok(Conv2dGrads {
        input: parts.input.expect("the input gradient was asked for"),
        weight: parts.weight,
        bias: parts.bias,
    })
}

/// The gradients of one backward pass; `input` only when it was asked for.
struct Parts<T> {
    input: Option<Array4<T>>,
    weight: Array4<T>,
    bias: Array1<T>,
}

/// The gradients; the input gradient only when `need_input` (a model's first layer skips it,
/// as PyTorch does for an input that does not require a gradient).
fn backward_parts<T: Real>(
    x: ArrayView4<'_, T>,
    w: ArrayView4<'_, T>,
    grad_output: ArrayView4<'_, T>,
    cfg: &Conv2dConfig,
    algorithm: ConvAlgorithm,
    need_input: bool,
) -> Result<Parts<T>> {
    let g = cfg.geometry(x.shape())?;
    check_weight(cfg, &w)?;
    let (n, o, ho, wo) = g.out_shape();
    if grad_output.shape() != [n, o, ho, wo] {
        return Err(shape_error(
            format!("{} output gradient", cfg.describe()),
            format!("[{n}, {o}, {ho}, {wo}]"),
            grad_output.shape(),
        ));
    }
    let (input, weight) = match algorithm {
        ConvAlgorithm::Direct => conv_direct::backward(&g, x, w, grad_output, need_input)?,
        ConvAlgorithm::Fft => conv_fft::backward(&g, x, w, grad_output, need_input)?,
        ConvAlgorithm::Winograd if conv_winograd::applies(&g) => {
            conv_winograd::backward(&g, x, w, grad_output, need_input)?
        }
        ConvAlgorithm::Winograd => conv_direct::backward(&g, x, w, grad_output, need_input)?,
        ConvAlgorithm::Im2col | ConvAlgorithm::Auto => {
            im2col::backward(&g, x, w, grad_output, need_input)?
        }
    };
    // ∂L/∂b[o] = Σ δ[n, o, ·, ·], summed per sample then over the batch in order.
    let go = grad_output.as_standard_layout();
    let planes = go.as_slice().expect("standard layout");
    let hw = ho * wo;
    let bias = Array1::from_shape_fn(o, |oc| {
        let mut acc = T::zero();
        for s in 0..n {
            acc += ArrayView1::from(&planes[(s * o + oc) * hw..(s * o + oc + 1) * hw]).sum();
        }
        acc
    });
    Ok(Parts {
        input,
        weight,
        bias,
    })
}

/// Samples of the first batch on which `Auto` times its candidates.
pub const AUTO_TRIAL_SAMPLES: usize = 16;

/// What `Auto` measured for one input shape.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoChoice {
    /// The input shape (N, C, H, W).
    pub shape: [usize; 4],
    /// The winner.
    pub chosen: ConvAlgorithm,
    /// How many samples of the first batch the trial ran on.
    pub trial_samples: usize,
    /// Forward + backward time of each candidate on those samples.
    pub timings: Vec<(ConvAlgorithm, Duration)>,
}

impl fmt::Display for AutoChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "input {:?}: {} (trial on {} samples:",
            self.shape, self.chosen, self.trial_samples
        )?;
        let t: Vec<String> = self
            .timings
            .iter()
            .map(|(a, d)| format!("{a} {:.3} ms", d.as_secs_f64() * 1e3))
            .collect();
        write!(f, " {})", t.join(", "))
    }
}

/// A 2-D convolution layer (PyTorch's `nn.Conv2d`).
#[derive(Clone)]
pub struct Conv2d<T: Real> {
    config: Conv2dConfig,
    weight: Param<T>,
    bias: Option<Param<T>>,
    training: bool,
    cache: Option<Array4<T>>,
    auto: Vec<AutoChoice>,
    // Whether Auto's trial times the input gradient (see `Layer::set_input_gradient`).
    input_gradient: bool,
}

impl<T: Real> Conv2d<T> {
    /// A layer with PyTorch's default initialisation drawn from `rng`.
    pub fn new(config: Conv2dConfig, rng: &mut Rng) -> Result<Self> {
        config.validate()?;
        let shape = config.weight_shape();
        let fan_in = shape[1] * shape[2] * shape[3];
        let w = kaiming_uniform::<T>(rng, &shape, fan_in);
        let b = config.bias.then(|| {
            let bound = default_bound(fan_in);
            rng.uniform_array::<T>(&[config.out_channels], -bound, bound)
        });
        Self::build(config, w, b)
    }

    /// A layer with given weights (O, C/g, kh, kw) and bias (O) (required iff `config.bias`).
    pub fn from_weights(
        config: Conv2dConfig,
        weight: Array4<T>,
        bias: Option<Array1<T>>,
    ) -> Result<Self> {
        config.validate()?;
        check_weight(&config, &weight.view())?;
        match (&bias, config.bias) {
            (Some(b), true) if b.len() == config.out_channels => {}
            (None, false) => {}
            _ => {
                return Err(NnError::Config(format!(
                    "{}: bias must be given iff bias is on, with {} values",
                    config.describe(),
                    config.out_channels
                )));
            }
        }
        Self::build(config, weight.into_dyn(), bias.map(|b| b.into_dyn()))
    }

    fn build(config: Conv2dConfig, w: ArrayD<T>, b: Option<ArrayD<T>>) -> Result<Self> {
        Ok(Conv2d {
            config,
            weight: Param::new("weight", w),
            bias: b.map(|b| Param::new("bias", b)),
            training: true,
            cache: None,
            auto: Vec::new(),
            input_gradient: true,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Conv2dConfig {
        &self.config
    }

    /// The weight parameter (O, C/g, kh, kw).
    pub fn weight(&self) -> &Param<T> {
        &self.weight
    }

    /// The bias parameter, if any.
    pub fn bias(&self) -> Option<&Param<T>> {
        self.bias.as_ref()
    }

    /// What `Auto` chose, per input shape seen.
    pub fn auto_choices(&self) -> &[AutoChoice] {
        &self.auto
    }

    fn weight4(&self) -> ArrayView4<'_, T> {
        self.weight
            .value
            .view()
            .into_dimensionality::<Ix4>()
            .expect("weight is 4-D by construction")
    }

    fn bias1(&self) -> Option<ArrayView1<'_, T>> {
        self.bias.as_ref().map(|b| {
            b.value
                .view()
                .into_dimensionality::<Ix1>()
                .expect("bias is 1-D by construction")
        })
    }

    /// The algorithm that runs for an input of `shape`: the configured one, or what Auto chose.
    fn resolve(&mut self, x: ArrayView4<'_, T>) -> Result<ConvAlgorithm> {
        if self.config.algorithm != ConvAlgorithm::Auto {
            return Ok(self.config.algorithm);
        }
        let shape: [usize; 4] = x.dim().into();
        if let Some(c) = self.auto.iter().find(|c| c.shape == shape) {
            return Ok(c.chosen);
        }
        // cuDNN's benchmark mode: run every candidate (forward and the backward passes that
        // will run: a first layer's skips ∂L/∂x) on the first samples of this batch and keep
        // the fastest. A slice keeps the trial cheap when one candidate is far slower (every
        // algorithm's cost is linear in the batch).
        let m = shape[0].min(AUTO_TRIAL_SAMPLES);
        let trial = x.slice(ndarray::s![..m, .., .., ..]);
        let mut timings = Vec::new();
        // Winograd is a candidate only where it applies (elsewhere it would run Direct again).
        let winograd = conv_winograd::applies(&self.config.geometry(trial.shape())?);
        let candidates = ConvAlgorithm::CONCRETE
            .into_iter()
            .filter(|&a| a != ConvAlgorithm::Winograd || winograd);
        for algo in candidates {
            // The better of two runs: the first pays for cold caches, FFT plans, thread wake-up.
            let mut best = Duration::MAX;
            for _ in 0..2 {
                let start = Instant::now();
                let y = conv2d_forward(trial, self.weight4(), self.bias1(), &self.config, algo)?;
                let w = self.weight4();
                backward_parts(trial, w, y.view(), &self.config, algo, self.input_gradient)?;
                best = best.min(start.elapsed());
            }
            timings.push((algo, best));
        }
        let chosen = timings
            .iter()
            .min_by_key(|(_, t)| *t)
            .map(|(a, _)| *a)
            .expect("at least one candidate");
        self.auto.push(AutoChoice {
            shape,
            trial_samples: m,
            chosen,
            timings,
        });
        Ok(chosen)
    }

    /// Forward on a 4-D batch.
    pub fn forward4(&mut self, x: Array4<T>) -> Result<Array4<T>> {
        let algo = self.resolve(x.view())?;
        let y = conv2d_forward(x.view(), self.weight4(), self.bias1(), &self.config, algo)?;
        self.cache = self.training.then_some(x);
        Ok(y)
    }

    /// Backward on a 4-D output gradient: accumulates the parameter gradients, returns ∂L/∂x.
    pub fn backward4(&mut self, grad_output: ArrayView4<'_, T>) -> Result<Array4<T>> {
        let input = self.accumulate(grad_output, true)?;
        Ok(input.expect("the input gradient was asked for"))
    }

    /// Adds the parameter gradients; returns ∂L/∂x when `need_input`.
    fn accumulate(
        &mut self,
        grad_output: ArrayView4<'_, T>,
        need_input: bool,
    ) -> Result<Option<Array4<T>>> {
        let x = self
            .cache
            .take()
            .ok_or_else(|| NnError::NoForward(self.describe()))?;
        let algo = self.resolve(x.view())?;
        let parts = backward_parts(
            x.view(),
            self.weight4(),
            grad_output,
            &self.config,
            algo,
            need_input,
        );
        self.cache = Some(x);
        let parts = parts?;
        self.weight.grad += &parts.weight;
        if let Some(b) = &mut self.bias {
            b.grad += &parts.bias;
        }
        Ok(parts.input)
    }
}

fn to4<T>(x: ArrayD<T>, layer: &str, channels: usize) -> Result<Array4<T>> {
    let shape = x.shape().to_vec();
    x.into_dimensionality::<Ix4>()
        .map_err(|_| shape_error(layer, format!("[N, {channels}, H, W]"), &shape))
}

impl<T: Real> Layer<T> for Conv2d<T> {
    fn replicate(&self) -> Option<Box<dyn Layer<T>>> {
        Some(Box::new(self.clone()))
    }

    fn describe(&self) -> String {
        self.config.describe()
    }

    fn forward(&mut self, x: ArrayD<T>) -> Result<ArrayD<T>> {
        let x = to4(x, &self.describe(), self.config.in_channels)?;
        Ok(self.forward4(x)?.into_dyn())
    }

    fn backward(&mut self, grad_output: ArrayD<T>) -> Result<ArrayD<T>> {
        let g = to4(grad_output, &self.describe(), self.config.out_channels)?;
        Ok(self.backward4(g.view())?.into_dyn())
    }

    fn backward_params(&mut self, grad_output: ArrayD<T>) -> Result<()> {
        let g = to4(grad_output, &self.describe(), self.config.out_channels)?;
        self.accumulate(g.view(), false).map(|_| ())
    }

    fn params(&self) -> Vec<&Param<T>> {
        std::iter::once(&self.weight)
            .chain(self.bias.as_ref())
            .collect()
    }

    fn params_mut(&mut self) -> Vec<&mut Param<T>> {
        std::iter::once(&mut self.weight)
            .chain(self.bias.as_mut())
            .collect()
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
        if !training {
            self.cache = None;
        }
    }

    fn set_algorithm(&mut self, algorithm: ConvAlgorithm) {
        self.config.algorithm = algorithm;
    }

    fn set_input_gradient(&mut self, needed: bool) {
        self.input_gradient = needed;
    }

    fn algorithm_report(&self) -> Vec<String> {
        self.auto
            .iter()
            .map(|c| format!("{}: {c}", self.describe()))
            .collect()
    }
}

/// Upsamples δ (Ho × Wo) by the stride: δ̃\[r·s0, c·s1\] = δ\[r, c\], zeros between.
pub(super) fn upsample<T: Real>(d: ArrayView2<'_, T>, s: (usize, usize)) -> Array2<T> {
    let (ho, wo) = d.dim();
    let mut u = Array2::zeros(((ho - 1) * s.0 + 1, (wo - 1) * s.1 + 1));
    for ((r, c), &v) in d.indexed_iter() {
        u[[r * s.0, c * s.1]] = v;
    }
    u
}
