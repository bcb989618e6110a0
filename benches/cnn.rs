//! W3: forward and forward+backward (+ SGD step) of each preset at batch 64, per convolution
//! algorithm, f32. Throughput is reported in images per second.
//!
//! `cargo bench --bench cnn` (all), `cargo bench --bench cnn -- shallow/train` (a subset).
//! Compare with `../shared/bench/w3_cnn_throughput.py` (PyTorch, same nets, same batch).

use std::hint::black_box;

use convkit::nn::{ConvAlgorithm, Rng, Sequential, Sgd, presets};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ndarray::ArrayD;

const BATCH: usize = 64;

fn net(name: &str, algo: ConvAlgorithm) -> Sequential<f32> {
    match name {
        "shallow" => presets::shallow(0, algo),
        _ => presets::deep(0, algo),
    }
    .expect("preset builds")
}

fn bench_cnn(c: &mut Criterion) {
    // As the `convkit` command does (see `convkit::malloc`).
    convkit::malloc::keep_freed_memory();
    let mut rng = Rng::new(5);
    let x: ArrayD<f32> = rng.uniform_array(&[BATCH, 1, 28, 28], -1.0, 1.0);
    let labels: Vec<usize> = (0..BATCH).map(|_| rng.below(10)).collect();
    for name in ["shallow", "deep"] {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Elements(BATCH as u64));
        group.sample_size(20);
        for algo in ConvAlgorithm::ALL {
            let mut model = net(name, algo);
            model.eval();
            // The first call lets Auto time its candidates; it is not measured.
            model.forward(x.clone()).expect("forward");
            group.bench_with_input(BenchmarkId::new("forward", algo), &algo, |b, _| {
                b.iter(|| black_box(model.forward(black_box(x.clone())).expect("forward")))
            });
            let mut model = net(name, algo);
            let mut opt = Sgd::new(0.05, 0.9);
            model.loss_backward(x.clone(), &labels).expect("step");
            group.bench_with_input(BenchmarkId::new("train", algo), &algo, |b, _| {
                b.iter(|| {
                    model.zero_grad();
                    let lg = model
                        .loss_backward(black_box(x.clone()), &labels)
                        .expect("step");
                    opt.step(&mut model).unwrap();
                    black_box(lg.loss)
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench_cnn);
criterion_main!(benches);
