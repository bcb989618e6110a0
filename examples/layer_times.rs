//! Time per layer of a training step (forward, backward, SGD update) of a preset, batch 64:
//! `cargo run --release --example layer_times [shallow|deep] [direct|fft|im2col|winograd|auto] [steps] [infer]`.
//! Shows where a training step spends its time, layer by layer; with `infer`, where inference
//! (eval mode, forward only, batch 1000) spends it.

use std::time::{Duration, Instant};

use convkit::nn::{ConvAlgorithm, Rng, Sgd, presets, softmax_cross_entropy};
use ndarray::{ArrayD, Ix2};

fn main() -> Result<(), convkit::nn::NnError> {
    let args: Vec<String> = std::env::args().collect();
    let name = args.get(1).map(String::as_str).unwrap_or("deep");
    let algo: ConvAlgorithm = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(ConvAlgorithm::Auto);
    let steps: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20);
    let infer = args.get(4).is_some_and(|s| s == "infer");
    let mut net = if name == "shallow" {
        presets::shallow::<f32>(0, algo)?
    } else {
        presets::deep::<f32>(0, algo)?
    };
    let mut rng = Rng::new(5);
    if infer {
        return inference(&mut net, &mut rng, steps);
    }
    let x: ArrayD<f32> = rng.uniform_array(&[64, 1, 28, 28], -1.0, 1.0);
    let labels: Vec<usize> = (0..64).map(|_| rng.below(10)).collect();
    let layers = net.layers().len();
    let mut fwd = vec![Duration::ZERO; layers];
    let mut bwd = vec![Duration::ZERO; layers];
    let mut loss_t = Duration::ZERO;
    let mut update = Duration::ZERO;
    let mut opt = Sgd::new(0.05, 0.9);
    for step in 0..=steps {
        let cur = timed_forward(&mut net, x.clone(), (step > 0).then_some(&mut fwd))?;
        let t = Instant::now();
        let logits = cur.into_dimensionality::<Ix2>().expect("logits");
        let lg = softmax_cross_entropy(logits.view(), &labels)?;
        let mut g = lg.grad.into_dyn();
        if step > 0 {
            loss_t += t.elapsed();
        }
        for (i, l) in net.layers_mut().iter_mut().enumerate().rev() {
            let t = Instant::now();
            // As `Sequential::loss_backward`: the first layer skips the images' gradient.
            if i == 0 {
                l.backward_params(std::mem::take(&mut g))?;
            } else {
                g = l.backward(g)?;
            }
            if step > 0 {
                bwd[i] += t.elapsed();
            }
        }
        let t = Instant::now();
        opt.step(&mut net)?;
        net.zero_grad();
        if step > 0 {
            update += t.elapsed();
        }
    }
    let per = |d: Duration| d.as_secs_f64() * 1e3 / steps as f64;
    let mut total = per(loss_t) + per(update);
    println!(
        "{:>8.3} ms loss, {:.3} ms SGD update",
        per(loss_t),
        per(update)
    );
    for (i, l) in net.layers().iter().enumerate() {
        println!(
            "{:>8.3} ms fwd {:>8.3} ms bwd  {}",
            per(fwd[i]),
            per(bwd[i]),
            l.describe()
        );
        total += per(fwd[i]) + per(bwd[i]);
    }
    println!(
        "{:>8.3} ms total ({:.0} img/s without the update)",
        total,
        64.0 / total * 1e3
    );
    Ok(())
}

/// Per-layer forward times in eval mode at batch 1000 (the inference benchmark's batch).
fn inference(
    net: &mut convkit::nn::Sequential<f32>,
    rng: &mut Rng,
    steps: usize,
) -> Result<(), convkit::nn::NnError> {
    let x: ArrayD<f32> = rng.uniform_array(&[1000, 1, 28, 28], -1.0, 1.0);
    net.eval();
    let mut fwd = vec![Duration::ZERO; net.layers().len()];
    for step in 0..=steps {
        timed_forward(net, x.clone(), (step > 0).then_some(&mut fwd))?;
    }
    let per = |d: Duration| d.as_secs_f64() * 1e3 / steps as f64;
    let mut total = 0.0;
    for (i, l) in net.layers().iter().enumerate() {
        println!("{:>8.3} ms fwd  {}", per(fwd[i]), l.describe());
        total += per(fwd[i]);
    }
    println!(
        "{:>8.3} ms total ({:.0} img/s)",
        total,
        1000.0 / total * 1e3
    );
    Ok(())
}

/// The forward pass layer by layer, adding each layer's time to `times` when given (the first,
/// warm-up step is not counted).
fn timed_forward(
    net: &mut convkit::nn::Sequential<f32>,
    mut cur: ArrayD<f32>,
    mut times: Option<&mut Vec<Duration>>,
) -> Result<ArrayD<f32>, convkit::nn::NnError> {
    for (i, l) in net.layers_mut().iter_mut().enumerate() {
        let t = Instant::now();
        cur = l.forward(cur)?;
        if let Some(times) = times.as_deref_mut() {
            times[i] += t.elapsed();
        }
    }
    Ok(cur)
}
