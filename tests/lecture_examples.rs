//! The lecture's hand-worked examples, checked against the library.

use convkit::signal::flip_slide::FlipSlideTable;
use convkit::signal::lti::{Signal, System};
use convkit::signal::{Algorithm, Conv, Op, Output};
use ndarray::{Array2, array};

#[test]
fn worked_example_3_1_2_by_3_2_1() {
    let y = convkit::convolve(&array![3.0, 1.0, 2.0], &array![3.0, 2.0, 1.0]).unwrap();
    assert_eq!(y, array![9.0, 9.0, 11.0, 5.0, 2.0]);
    // f32 too.
    let y32 = convkit::convolve(&array![3.0f32, 1.0, 2.0], &array![3.0f32, 2.0, 1.0]).unwrap();
    assert_eq!(y32, array![9.0f32, 9.0, 11.0, 5.0, 2.0]);
}

#[test]
fn worked_example_table_sums() {
    let x = Signal::from_values(vec![3.0, 1.0, 2.0]);
    let h = Signal::from_values(vec![3.0, 2.0, 1.0]);
    let table = FlipSlideTable::new(&x, &h, Op::Convolve).unwrap();
    // Each y[n] equals the sum of its listed products.
    for n in table.outputs() {
        let term = table.term(n);
        let sum: f64 = term.products.iter().map(|(a, b)| a * b).sum();
        assert_eq!(sum, term.value, "y[{n}]");
    }
    assert_eq!(
        table.term(2).products,
        vec![(3.0, 1.0), (1.0, 2.0), (2.0, 3.0)]
    );
    assert!(table.term(5).products.is_empty());
    assert_eq!(table.term(5).value, 0.0);
}

#[test]
fn system_view_origins_add() {
    let system = System::new(Signal::new(vec![3.0, 2.0, 1.0], 2));
    let y = system
        .respond(&Signal::new(vec![3.0, 1.0, 2.0], -1))
        .unwrap();
    assert_eq!(y.origin(), 1);
    assert_eq!(y.values(), [9.0, 9.0, 11.0, 5.0, 2.0]);
    assert_eq!(
        system.respond(&Signal::delta()).unwrap(),
        *system.impulse_response()
    );
}

fn binary(rows: &[&str]) -> Array2<f64> {
    let w = rows[0].len();
    Array2::from_shape_fn((rows.len(), w), |(r, c)| {
        if rows[r].as_bytes()[c] == b'1' {
            1.0
        } else {
            0.0
        }
    })
}

#[test]
fn feature_map_of_the_7x7_image() {
    let image = binary(&[
        "0000000", "0100010", "0000000", "0001000", "0100010", "0011100", "0000000",
    ]);
    let detector = array![[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 1.0]];
    // The lecture slide prints 1 at row 2, column 2; the definition gives 0 (docs/semantics.md
    // lists the nine products).
    let expected = array![
        [0.0, 1.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 1.0, 1.0, 0.0],
        [1.0, 0.0, 0.0, 2.0, 1.0],
        [1.0, 4.0, 2.0, 1.0, 0.0],
        [0.0, 0.0, 1.0, 2.0, 1.0]
    ];
    for algorithm in [Algorithm::Direct, Algorithm::Auto] {
        let map = Conv::correlate()
            .output(Output::Valid)
            .algorithm(algorithm)
            .apply(&image, &detector)
            .unwrap();
        assert_eq!(map, expected);
    }
    // The window at (2, 2) by hand: image rows 2..5, columns 2..5 times the detector.
    let window = image.slice(ndarray::s![2..5, 2..5]);
    assert_eq!((&window * &detector).sum(), 0.0);
}

#[test]
fn feature_map_of_the_5x5_image() {
    let image = binary(&["11100", "01110", "00111", "00110", "01100"]);
    let kernel = array![[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 1.0]];
    let map = Conv::correlate()
        .output(Output::Valid)
        .apply(&image, &kernel)
        .unwrap();
    // The classic convolved feature: starts with 4.
    assert_eq!(
        map,
        array![[4.0, 3.0, 4.0], [2.0, 4.0, 3.0], [2.0, 3.0, 4.0]]
    );
}
