//! Rough images/s of a training step (forward + backward + SGD) and of inference for the seed's
//! nets, per convolution algorithm:
//! `cargo run --release --example cnn_throughput [steps] [shallow|deep] [direct|fft|im2col|winograd|auto]`.
//! (The criterion benchmark `benches/cnn.rs` is the careful measurement.)

use std::time::Instant;

use convkit::nn::{ConvAlgorithm, Rng, Sgd, presets};
use ndarray::ArrayD;

fn main() -> Result<(), convkit::nn::NnError> {
    // Keep freed memory for the next step instead of re-faulting it (see `convkit::malloc`).
    convkit::malloc::keep_freed_memory();
    let args: Vec<String> = std::env::args().collect();
    let steps: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let only_net = args.get(2).cloned();
    let only_algo: Option<ConvAlgorithm> = args.get(3).and_then(|s| s.parse().ok());
    let mut rng = Rng::new(5);
    let x: ArrayD<f32> = rng.uniform_array(&[64, 1, 28, 28], -1.0, 1.0);
    let labels: Vec<usize> = (0..64).map(|_| rng.below(10)).collect();
    let xi: ArrayD<f32> = rng.uniform_array(&[1000, 1, 28, 28], -1.0, 1.0);
    for name in ["shallow", "deep"] {
        if only_net.as_deref().is_some_and(|n| n != name) {
            continue;
        }
        for algo in ConvAlgorithm::ALL {
            if only_algo.is_some_and(|a| a != algo) {
                continue;
            }
            let mut net = if name == "shallow" {
                presets::shallow::<f32>(0, algo)?
            } else {
                presets::deep::<f32>(0, algo)?
            };
            let mut opt = Sgd::new(0.05, 0.9);
            let first = net.loss_backward(x.clone(), &labels)?.loss; // Auto decides here
            opt.step(&mut net)?;
            let start = Instant::now();
            let mut loss = first;
            for _ in 0..steps {
                net.zero_grad();
                loss = net.loss_backward(x.clone(), &labels)?.loss;
                opt.step(&mut net)?;
            }
            let train = 64.0 * steps as f64 / start.elapsed().as_secs_f64();
            net.eval();
            net.forward(xi.clone())?; // Auto decides for the batch-1000 shape
            let start = Instant::now();
            net.forward(xi.clone())?;
            let infer = 1000.0 / start.elapsed().as_secs_f64();
            println!(
                "{name:8} {algo:7} train {train:9.0} img/s   inference (batch 1000) {infer:9.0} img/s   loss {first:.3} -> {loss:.3}"
            );
            for line in net.algorithm_report() {
                println!("         auto: {line}");
            }
        }
    }
    Ok(())
}
