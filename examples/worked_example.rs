//! The lecture's worked example, y = x * h with x = [3 1 2] and h = [3 2 1], by flip and slide.
//!
//! Run with `cargo run --release --example worked_example`.

use convkit::signal::Op;
use convkit::signal::flip_slide::FlipSlideTable;
use convkit::signal::lti::{Signal, System};

fn main() -> Result<(), convkit::ConvError> {
    // x[k] for k = 0, 1, 2 and the impulse response h[n] for n = 0, 1, 2.
    let x = Signal::from_values(vec![3.0, 1.0, 2.0]);
    let h = Signal::from_values(vec![3.0, 2.0, 1.0]);

    // The table: h is flipped (h[n-k]) and slid one step per output sample n.
    let table = FlipSlideTable::new(&x, &h, Op::Convolve)?;
    print!("{table}");

    // The same numbers from the system view: an LTI system is its impulse response.
    let system = System::new(h);
    let y = system.respond(&x)?;
    println!(
        "\nSystem::respond gives {:?}, starting at n = {}",
        y.values(),
        y.origin()
    );
    Ok(())
}
