//! The architectures `convkit train --arch` builds: the presets of [`crate::nn::presets`], with
//! an optional dropout layer before the last dense layer, and their PyTorch definitions.

use std::fmt;
use std::str::FromStr;

use crate::nn::{ConvAlgorithm, Dropout, NnError, Sequential, presets};

/// A network preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Arch {
    /// One conv layer, 98,820 parameters, 28×28 input.
    #[default]
    Shallow,
    /// Three conv layers, 229,340 parameters, 28×28 input.
    Deep,
    /// LeCun's 1989 zip-code geometry, 16×16 input (digits are resized).
    Zipcode,
}

impl Arch {
    /// The (rows, cols) of the images the network reads.
    pub fn input_size(self) -> (usize, usize) {
        match self {
            Arch::Shallow | Arch::Deep => (28, 28),
            Arch::Zipcode => (16, 16),
        }
    }

    /// The network, PyTorch default initialisation from `seed`; with `dropout` > 0 a
    /// `Dropout(dropout)` goes before the last dense layer (shifting that layer's index by one,
    /// as in the equivalent `torch.nn.Sequential`).
    pub fn build(
        self,
        seed: u64,
        algorithm: ConvAlgorithm,
        dropout: f64,
    ) -> Result<Sequential<f32>, NnError> {
        let mut net = match self {
            Arch::Shallow => presets::shallow(seed, algorithm)?,
            Arch::Deep => presets::deep(seed, algorithm)?,
            Arch::Zipcode => presets::lecun_zip(seed, algorithm)?,
        };
        if dropout > 0.0 {
            let last = net.layers().len() - 1;
            net.insert(last, Box::new(Dropout::new(dropout, seed)?));
        }
        Ok(net)
    }

    /// The equivalent `torch.nn.Sequential`, as Python source.
    pub fn pytorch(self, dropout: f64) -> String {
        let act = match self {
            Arch::Zipcode => "nn.Tanh()",
            _ => "nn.ReLU()",
        };
        let mut layers: Vec<String> = match self {
            Arch::Shallow => vec!["nn.Conv2d(1, 10, 5, stride=2, padding=2)".into()],
            Arch::Deep => vec![
                "nn.Conv2d(1, 10, 5, stride=2, padding=2)".into(),
                act.into(),
                "nn.Conv2d(10, 40, 3, stride=2, padding=1)".into(),
                act.into(),
                "nn.Conv2d(40, 80, 3, stride=1, padding=1)".into(),
            ],
            Arch::Zipcode => vec![
                "nn.Conv2d(1, 12, 5, stride=2, padding=2)".into(),
                act.into(),
                "nn.Conv2d(12, 12, 5, stride=2, padding=2)".into(),
            ],
        };
        let flat = match self {
            Arch::Shallow => 1960,
            Arch::Deep => 3920,
            Arch::Zipcode => 192,
        };
        let hidden = if self == Arch::Zipcode { 30 } else { 50 };
        layers.push(act.into());
        layers.push("nn.Flatten()".into());
        layers.push(format!("nn.Linear({flat}, {hidden})"));
        layers.push(act.into());
        if dropout > 0.0 {
            layers.push(format!("nn.Dropout({dropout})"));
        }
        layers.push(format!("nn.Linear({hidden}, 10)"));
        format!("nn.Sequential(\n    {},\n)", layers.join(",\n    "))
    }
}

impl FromStr for Arch {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "shallow" => Ok(Arch::Shallow),
            "deep" => Ok(Arch::Deep),
            "zipcode" | "zip" | "lecun" => Ok(Arch::Zipcode),
            _ => Err(format!(
                "unknown architecture '{s}' (shallow, deep, zipcode)"
            )),
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Arch::Shallow => "shallow",
            Arch::Deep => "deep",
            Arch::Zipcode => "zipcode",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pytorch_definition_matches_the_layers() {
        for arch in [Arch::Shallow, Arch::Deep, Arch::Zipcode] {
            for dropout in [0.0, 0.5] {
                let net = arch.build(0, ConvAlgorithm::Im2col, dropout).unwrap();
                let src = arch.pytorch(dropout);
                assert_eq!(src.matches("nn.").count() - 1, net.layers().len(), "{src}");
            }
        }
        let keys: Vec<String> = Arch::Deep
            .build(0, ConvAlgorithm::Im2col, 0.0)
            .unwrap()
            .named_params()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            keys,
            [
                "0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias", "7.weight",
                "7.bias", "9.weight", "9.bias"
            ]
        );
    }
}
