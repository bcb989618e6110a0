//! Train the shallow net on the repository's MNIST sample with the library API, then save a
//! checkpoint PyTorch can load:
//! `cargo run --release --example train_mnist`.
//! (`convkit train` is the same loop with a progress bar and every option as a flag.)

use convkit::data::Mnist;
use convkit::nn::WeightDecay;
use convkit::train::{
    Arch, Augment, Schedule, TrainConfig, Trainer, checkpoint, evaluate, split_validation,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep freed memory for the next step instead of re-faulting it (see `convkit::malloc`).
    convkit::malloc::keep_freed_memory();
    // The four IDX files (gzip) the repository carries: 6,000 training, 2,000 test digits.
    let mnist = Mnist::load(concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist"))?;

    // PyTorch's recipe (SGD 0.05, momentum 0.9, batch 64) plus two regularisers.
    let config = TrainConfig::new(Arch::Shallow)
        .epochs(5)
        .augment(Augment::DEFAULT) // random shifts of ±2 px, rotations of ±10°
        .schedule(Schedule::Cosine { min: 0.0 })
        .weight_decay(WeightDecay::All(5e-4))
        .seed(7);

    // 10 % of the training digits are held out for validation (a seeded choice).
    let (train, val) = split_validation(&mnist.train, &config);
    let mut trainer = Trainer::new(config)?;
    while !trainer.finished() {
        let r = trainer.run_epoch(&train, val.as_ref(), |_progress| {})?;
        println!(
            "epoch {}: lr {:.4}, train loss {:.4}, validation accuracy {:.2}%",
            r.epoch,
            r.lr,
            r.train_loss,
            100.0 * r.val_accuracy
        );
    }

    let test = evaluate(&mut trainer.model, &mnist.test)?;
    println!("test accuracy {:.2}%", 100.0 * test.accuracy);
    print!("{}", test.confusion_table());

    // safetensors with PyTorch's state_dict names: 0.weight, 0.bias, 3.weight, ...
    let path = std::env::temp_dir().join("convkit-example-shallow.safetensors");
    checkpoint::save(&path, &trainer, &checkpoint::fingerprint(&mnist.train))?;
    println!(
        "saved {} (load it with docs/pytorch_check.py)",
        path.display()
    );
    Ok(())
}
