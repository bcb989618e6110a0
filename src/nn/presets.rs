//! The seed's networks, built exactly as their PyTorch definitions (`../shared/bench/nets.py`),
//! and LeCun's 1989 zip-code network geometry.
//!
//! | preset | input | layers | parameters |
//! |---|---|---|---|
//! | [`shallow`] | 1×28×28 | conv 1→10 5×5 s2 p2, ReLU, flatten (1,960), dense 50, ReLU, dense 10 | 98,820 |
//! | [`deep`] | 1×28×28 | conv 1→10 5×5 s2 p2, ReLU, conv 10→40 3×3 s2 p1, ReLU, conv 40→80 3×3 s1 p1, ReLU, flatten (3,920), dense 50, ReLU, dense 10 | 229,340 |
//! | [`lecun_zip`] | 1×16×16 | conv 1→12 5×5 s2 p2 (12×8×8), tanh, conv 12→12 5×5 s2 p2 (12×4×4), tanh, flatten (192), dense 30, tanh, dense 10 | 10,024 |
//!
//! LeCun et al. (1989) connected each H2 map to only 8 of the 12 H1 maps and gave every unit its
//! own bias; the preset keeps the geometry (16×16 → 12×8×8 → 12×4×4 → 30 → 10) with full
//! connections and shared per-map biases, as a modern framework would write it.

use super::ConvAlgorithm;
use super::activation::Activation;
use super::conv2d::{Conv2d, Conv2dConfig};
use super::dense::Dense;
use super::error::Result;
use super::flatten::Flatten;
use super::init::Rng;
use super::model::Sequential;
use crate::real::Real;

/// Input shape (C, H, W) of [`shallow`] and [`deep`].
pub const MNIST_INPUT: (usize, usize, usize) = (1, 28, 28);
/// Input shape (C, H, W) of [`lecun_zip`].
pub const ZIP_INPUT: (usize, usize, usize) = (1, 16, 16);

fn conv<T: Real>(
    cin: usize,
    cout: usize,
    k: usize,
    s: usize,
    p: usize,
    algorithm: ConvAlgorithm,
    rng: &mut Rng,
) -> Result<Conv2d<T>> {
    Conv2d::new(
        Conv2dConfig::new(cin, cout, k)
            .stride(s)
            .padding(p)
            .algorithm(algorithm),
        rng,
    )
}

/// The shallow net (98,820 parameters), PyTorch default initialisation from `seed`.
pub fn shallow<T: Real>(seed: u64, algorithm: ConvAlgorithm) -> Result<Sequential<T>> {
    let mut rng = Rng::new(seed);
    let c1 = conv(1, 10, 5, 2, 2, algorithm, &mut rng)?;
    let d1 = Dense::new(1960, 50, true, &mut rng);
    let d2 = Dense::new(50, 10, true, &mut rng);
    Ok(Sequential::new()
        .with(c1)
        .with(Activation::relu())
        .with(Flatten::new())
        .with(d1)
        .with(Activation::relu())
        .with(d2))
}

/// The deep net (229,340 parameters), PyTorch default initialisation from `seed`.
pub fn deep<T: Real>(seed: u64, algorithm: ConvAlgorithm) -> Result<Sequential<T>> {
    let mut rng = Rng::new(seed);
    let c1 = conv(1, 10, 5, 2, 2, algorithm, &mut rng)?;
    let c2 = conv(10, 40, 3, 2, 1, algorithm, &mut rng)?;
    let c3 = conv(40, 80, 3, 1, 1, algorithm, &mut rng)?;
    let d1 = Dense::new(3920, 50, true, &mut rng);
    let d2 = Dense::new(50, 10, true, &mut rng);
    Ok(Sequential::new()
        .with(c1)
        .with(Activation::relu())
        .with(c2)
        .with(Activation::relu())
        .with(c3)
        .with(Activation::relu())
        .with(Flatten::new())
        .with(d1)
        .with(Activation::relu())
        .with(d2))
}

/// LeCun's 1989 zip-code net geometry (10,024 parameters in this fully connected form).
pub fn lecun_zip<T: Real>(seed: u64, algorithm: ConvAlgorithm) -> Result<Sequential<T>> {
    let mut rng = Rng::new(seed);
    let c1 = conv(1, 12, 5, 2, 2, algorithm, &mut rng)?;
    let c2 = conv(12, 12, 5, 2, 2, algorithm, &mut rng)?;
    let d1 = Dense::new(192, 30, true, &mut rng);
    let d2 = Dense::new(30, 10, true, &mut rng);
    Ok(Sequential::new()
        .with(c1)
        .with(Activation::tanh())
        .with(c2)
        .with(Activation::tanh())
        .with(Flatten::new())
        .with(d1)
        .with(Activation::tanh())
        .with(d2))
}
