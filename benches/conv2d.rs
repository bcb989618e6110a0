//! W2: 2-D 'same' true convolution in f32 of S×S images, S ∈ {256, 1024}, K ∈ {3, 5, 7, 11, 15,
//! 21, 31, 63}, zero and reflect padding, for direct, FFT, overlap-add and Auto.
//! `cargo bench --bench conv2d`.

use convkit::bench::workloads;
use convkit::signal::Algorithm;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::time::Duration;

fn w2(c: &mut Criterion) {
    let mut group = c.benchmark_group("W2");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for case in workloads::w2(false) {
        let inputs = case.inputs();
        for algorithm in [
            Algorithm::Direct,
            Algorithm::Fft,
            Algorithm::OverlapAdd,
            Algorithm::Auto,
        ] {
            let id = BenchmarkId::new(
                algorithm.to_string(),
                format!("S={}/K={}/{}", case.size, case.kernel, case.padding),
            );
            group.bench_function(id, |b| {
                b.iter(|| case.run(&inputs, algorithm).expect("valid case"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, w2);
criterion_main!(benches);
