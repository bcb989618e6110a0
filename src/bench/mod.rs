//! Benchmark workloads and the timing protocol shared by `convkit bench`, `convkit calibrate`
//! and the criterion benches, so that every number in docs/benchmarks.md means the same thing.
//!
//! Workloads (fixed by `../shared/bench/README.md`, where the Python peers are timed on the very
//! same cases): W1, 1-D full true convolution in f64; W2, 2-D 'same' true convolution in f32 of
//! S×S images with K×K kernels, zero and reflect padding. Inputs are seeded uniform [-1, 1).

pub mod calibrate;
pub mod timing;
pub mod workloads;
