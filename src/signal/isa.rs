//! The run-time choice of instruction set for the direct sums.
//!
//! Users build for the generic x86-64 target, so a vectorised loop is compiled more than once —
//! for AVX-512, for AVX2+FMA and for the baseline — and the widest the CPU supports is chosen
//! when it runs (`is_x86_feature_detected!`, which caches its answer). A loop says which tile
//! sizes it wants on each set by implementing [`Vectorised`]; [`dispatch`] runs it compiled for
//! the widest set available. Other architectures take the portable loop.

/// The baseline: SSE2 on x86-64, whatever the target offers elsewhere; no fused multiply-add.
pub(crate) const PORTABLE: u8 = 0;
/// AVX2 with FMA: 16 ymm registers.
pub(crate) const AVX2_FMA: u8 = 1;
/// AVX-512 (F): 32 zmm registers.
pub(crate) const AVX512: u8 = 2;

/// A loop compiled once per instruction set: `run::<SET>` is called from a function compiled
/// for `SET` (one of [`PORTABLE`], [`AVX2_FMA`], [`AVX512`]) and must be `#[inline(always)]`,
/// so that its body is compiled with that set's features.
pub(crate) trait Vectorised {
    fn run<const SET: u8>(self);
}

#[cfg(test)]
thread_local! {
    /// The widest set [`dispatch`] may take on this thread ([`with_widest`]).
    static WIDEST: std::cell::Cell<u8> = const { std::cell::Cell::new(AVX512) };
}

/// The instruction sets this CPU runs, narrowest first: every compiled loop a test can check.
#[cfg(test)]
pub(crate) fn available() -> Vec<u8> {
    let mut sets = vec![PORTABLE];
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            sets.push(AVX2_FMA);
        }
        if std::arch::is_x86_feature_detected!("avx512f") {
            sets.push(AVX512);
        }
    }
    sets
}

/// Runs `f` with [`dispatch`] on this thread taking no set wider than `set`: a machine with
/// AVX-512 also checks the AVX2 and portable loops that other machines run.
#[cfg(test)]
pub(crate) fn with_widest<R>(set: u8, f: impl FnOnce() -> R) -> R {
    super::scoped::with(&WIDEST, set, f)
}

/// Runs `job` compiled for the widest instruction set this CPU supports.
pub(crate) fn dispatch<J: Vectorised>(job: J) {
    #[cfg(target_arch = "x86_64")]
    {
        #[cfg(test)]
        let widest = WIDEST.get();
        #[cfg(not(test))]
        let widest = AVX512;
        if widest >= AVX512 && std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports the features the function is compiled for.
            unsafe { x86::avx512(job) };
            return;
        }
        if widest >= AVX2_FMA
            && std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: as above.
            unsafe { x86::avx2_fma(job) };
            return;
        }
    }
    job.run::<PORTABLE>();
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{AVX2_FMA, AVX512, Vectorised};

    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) unsafe fn avx512<J: Vectorised>(job: J) {
        job.run::<AVX512>();
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn avx2_fma<J: Vectorised>(job: J) {
        job.run::<AVX2_FMA>();
    }
}
