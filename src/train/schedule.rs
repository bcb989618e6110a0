//! Learning-rate schedules, stepped once per epoch as PyTorch's `lr_scheduler`s are:
//! the rate of epoch e (0-based) for a base rate η₀ and E epochs in all.
//!
//! | schedule | spelling | η(e) | PyTorch |
//! |---|---|---|---|
//! | constant | `constant` | η₀ | none |
//! | step | `step:S:G` | η₀·G^⌊e/S⌋ | `StepLR(step_size=S, gamma=G)` |
//! | exponential | `exp:G` | η₀·G^e | `ExponentialLR(gamma=G)` |
//! | cosine | `cosine[:MIN]` | MIN + (η₀−MIN)(1+cos(πe/E))/2 | `CosineAnnealingLR(T_max=E, eta_min=MIN)` |

use std::fmt;
use std::str::FromStr;

/// How the learning rate changes from epoch to epoch.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Schedule {
    /// The base rate throughout.
    #[default]
    Constant,
    /// Multiply by `gamma` every `every` epochs.
    Step {
        /// Epochs between decays (≥ 1).
        every: usize,
        /// Factor per decay.
        gamma: f64,
    },
    /// Multiply by `gamma` every epoch.
    Exponential {
        /// Factor per epoch.
        gamma: f64,
    },
    /// Half a cosine from the base rate down to `min` over the run's epochs.
    Cosine {
        /// The final rate.
        min: f64,
    },
}

impl Schedule {
    /// The learning rate of epoch `epoch` (0-based) of `epochs`, from base rate `base`.
    ///
    /// ```
    /// use convkit::train::Schedule;
    /// let s: Schedule = "step:2:0.5".parse().unwrap();
    /// assert_eq!([0, 1, 2, 3, 4].map(|e| s.rate(0.1, e, 10)), [0.1, 0.1, 0.05, 0.05, 0.025]);
    /// let c = Schedule::Cosine { min: 0.0 };
    /// assert!((c.rate(0.1, 5, 10) - 0.05).abs() < 1e-12);
    /// ```
    pub fn rate(&self, base: f64, epoch: usize, epochs: usize) -> f64 {
        match *self {
            Schedule::Constant => base,
            Schedule::Step { every, gamma } => base * gamma.powi((epoch / every.max(1)) as i32),
            Schedule::Exponential { gamma } => base * gamma.powi(epoch as i32),
            Schedule::Cosine { min } => {
                let t = epoch as f64 / epochs.max(1) as f64;
                min + (base - min) * (1.0 + (std::f64::consts::PI * t).cos()) / 2.0
            }
        }
    }
}

impl FromStr for Schedule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split(':').map(str::trim).collect();
        let num = |v: &str| {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| format!("schedule '{s}': '{v}' is not a number ≥ 0"))
        };
        match parts.as_slice() {
            ["constant"] => Ok(Schedule::Constant),
            ["step", every, gamma] => Ok(Schedule::Step {
                every: every
                    .parse()
                    .ok()
                    .filter(|&n: &usize| n >= 1)
                    .ok_or_else(|| format!("schedule '{s}': step size must be an integer ≥ 1"))?,
                gamma: num(gamma)?,
            }),
            ["exp", gamma] => Ok(Schedule::Exponential { gamma: num(gamma)? }),
            ["cosine"] => Ok(Schedule::Cosine { min: 0.0 }),
            ["cosine", min] => Ok(Schedule::Cosine { min: num(min)? }),
            _ => Err(format!(
                "unknown schedule '{s}' (constant, step:EVERY:GAMMA, exp:GAMMA, cosine[:MIN])"
            )),
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Constant => write!(f, "constant"),
            Schedule::Step { every, gamma } => write!(f, "step:{every}:{gamma}"),
            Schedule::Exponential { gamma } => write!(f, "exp:{gamma}"),
            Schedule::Cosine { min } => write!(f, "cosine:{min}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip_and_rates() {
        for s in ["constant", "step:3:0.1", "exp:0.9", "cosine:0.001"] {
            let parsed: Schedule = s.parse().unwrap();
            assert_eq!(parsed.to_string(), s);
            assert_eq!(parsed.to_string().parse::<Schedule>().unwrap(), parsed);
        }
        assert!("step:0:0.5".parse::<Schedule>().is_err());
        assert!("linear".parse::<Schedule>().is_err());
        let e = Schedule::Exponential { gamma: 0.5 };
        assert_eq!(e.rate(1.0, 3, 10), 0.125);
        let c = Schedule::Cosine { min: 0.01 };
        assert_eq!(c.rate(0.1, 0, 10), 0.1);
        assert!(c.rate(0.1, 9, 10) > 0.01 && c.rate(0.1, 9, 10) < 0.02);
    }
}
