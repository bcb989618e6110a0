//! W1: 1-D full true convolution in f64, N ∈ {1e3, 1e4, 1e5, 1e6} × K ∈ {3, 16, 64, 256, 1024,
//! 4096}, for direct, FFT, overlap-add and Auto. `cargo bench --bench conv1d`.
//! (`convkit bench` times the same grid with the shared protocol and draws the chart.)

use convkit::bench::workloads;
use convkit::signal::Algorithm;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::time::Duration;

fn w1(c: &mut Criterion) {
    let mut group = c.benchmark_group("W1");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for case in workloads::w1(false) {
        let inputs = case.inputs();
        for algorithm in [
            Algorithm::Direct,
            Algorithm::Fft,
            Algorithm::OverlapAdd,
            Algorithm::Auto,
        ] {
            let id = BenchmarkId::new(
                algorithm.to_string(),
                format!("N={}/K={}", case.size, case.kernel),
            );
            group.bench_function(id, |b| {
                b.iter(|| case.run(&inputs, algorithm).expect("valid case"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, w1);
criterion_main!(benches);
