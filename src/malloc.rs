//! An opt-in setting of the C allocator for programs that train networks.
//!
//! Every training step allocates and frees the same few megabytes of activations and
//! gradients. glibc's `malloc` hands freed memory at the top of a heap back to the OS as soon
//! as more than a threshold (128 KiB, raised as it sees larger blocks) is free, so the next
//! step touches fresh pages again: measured on the deep preset, about 690 page faults (2.8 MB)
//! per step, 0.5–2 ms of a 7–10 ms step. [`keep_freed_memory`] raises glibc's trim and mmap
//! thresholds once, so freed blocks stay in the process for the next step. The `convkit`
//! command, the CNN benchmark and the throughput example call it; a library user decides
//! for their own program (the same as running with `MALLOC_TRIM_THRESHOLD_` and
//! `MALLOC_MMAP_THRESHOLD_` set).

/// Keeps freed memory in the process (glibc on Linux; elsewhere does nothing). Returns whether
/// the allocator took the setting. Call it once, early in `main`.
///
/// ```
/// let _kept = convkit::malloc::keep_freed_memory();
/// ```
pub fn keep_freed_memory() -> bool {
    imp::keep_freed_memory()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod imp {
    unsafe extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    // glibc's malloc.h.
    const M_TRIM_THRESHOLD: i32 = -1;
    const M_MMAP_THRESHOLD: i32 = -3;
    /// Free memory kept at a heap's top before it goes back to the OS.
    const TRIM: i32 = 1 << 30;
    /// Blocks from this size up get their own mapping (glibc's largest allowed value on 64-bit).
    const MMAP: i32 = 32 << 20;

    pub(super) fn keep_freed_memory() -> bool {
        // SAFETY: mallopt only changes two tuning parameters of glibc's allocator; it is safe to
        // call at any time from any thread (glibc takes its own lock).
        unsafe { mallopt(M_TRIM_THRESHOLD, TRIM) == 1 && mallopt(M_MMAP_THRESHOLD, MMAP) == 1 }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod imp {
    pub(super) fn keep_freed_memory() -> bool {
        false
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    #[test]
    fn glibc_takes_the_setting_and_memory_still_works() {
        assert!(super::keep_freed_memory());
        // Blocks around both thresholds are still allocated, written and freed.
        for len in [1usize << 10, 1 << 21, 40 << 20] {
            let v = vec![3u8; len];
            assert_eq!(v.iter().map(|&b| b as usize).sum::<usize>(), 3 * len);
        }
    }
}
