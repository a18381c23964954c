//! Foundation: reference alpha-cuts and algebraic laws of the relation type.

mod common;

use fuzzy_affinity::{CrispRelation, Error, FuzzyRelation};
use proptest::prelude::*;

#[test]
fn alpha_cut_reference_cases() {
    for (name, case) in common::named_cases("alpha_cut") {
        let r = common::relation(&case["input"]["R"]);
        let alpha = case["parameters"]["alpha"].as_f64().unwrap();
        let expected = &case["expected"];
        let strict = case["parameters"]["strict"].as_bool().unwrap_or(false);
        if let Some(cut) = expected.get("cut") {
            let got = if strict {
                r.strict_alpha_cut(alpha)
            } else {
                r.alpha_cut(alpha)
            };
            let want: CrispRelation = serde_json::from_value(cut.clone()).unwrap();
            assert_eq!(got.unwrap(), want, "{name}");
            continue;
        }
        let nonstrict = CrispRelation::from_rows(common::bool_matrix(&expected["nonstrict"]));
        let strict = CrispRelation::from_rows(common::bool_matrix(&expected["strict"]));
        let got = r.alpha_cut(alpha).unwrap();
        assert_eq!(
            got.to_array(),
            nonstrict.unwrap().to_array(),
            "{name} nonstrict"
        );
        let got = r.strict_alpha_cut(alpha).unwrap();
        assert_eq!(got.to_array(), strict.unwrap().to_array(), "{name} strict");
        assert_eq!(got.row_labels(), r.row_labels(), "{name} labels travel");
    }
}

#[test]
fn per_column_cut_equals_uniform_cut_when_thresholds_agree() {
    let r = FuzzyRelation::from_rows([[0.3, 0.7, 0.71], [0.69, 0.7, 1.0]]).unwrap();
    let uniform = r.alpha_cut(0.7).unwrap();
    let per_column = r.alpha_cut_per_column(&[0.7; 3]).unwrap();
    assert_eq!(uniform, per_column);
}

#[test]
fn float_sum_is_not_its_decimal() {
    // 0.1 + 0.2 is 0.30000000000000004, which is >= 0.3 but a cut at that
    // value must keep it while a cut just above must not.
    let r = FuzzyRelation::from_rows([[0.1 + 0.2, 0.3]]).unwrap();
    assert_eq!(r.alpha_cut(0.3).unwrap().row(0).to_vec(), vec![0, 1]);
    assert_eq!(r.strict_alpha_cut(0.3).unwrap().row(0).to_vec(), vec![0]);
    assert_eq!(r.alpha_cut(0.1 + 0.2).unwrap().row(0).to_vec(), vec![0]);
}

#[test]
fn errors_name_the_value() {
    let err = FuzzyRelation::from_rows([[0.2, f64::NAN]]).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("NaN"), "{message}");
    assert!(message.contains("column 1"), "{message}");
    let err = FuzzyRelation::identity(2)
        .unwrap()
        .alpha_cut(-0.5)
        .unwrap_err();
    assert!(matches!(err, Error::InvalidThreshold { value, .. } if value == -0.5));
}

fn degree() -> impl Strategy<Value = f64> {
    prop_oneof![(0u8..=10).prop_map(|k| f64::from(k) / 10.0), 0.0..=1.0f64]
}

fn relation(rows: usize, cols: usize) -> impl Strategy<Value = FuzzyRelation> {
    proptest::collection::vec(proptest::collection::vec(degree(), cols), rows)
        .prop_map(|rows| FuzzyRelation::from_rows(rows).unwrap())
}

fn pair() -> impl Strategy<Value = (FuzzyRelation, FuzzyRelation, FuzzyRelation)> {
    (1usize..6, 1usize..6).prop_flat_map(|(r, c)| (relation(r, c), relation(r, c), relation(r, c)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn union_and_intersection_laws((a, b, c) in pair()) {
        prop_assert_eq!(a.union(&b).unwrap(), b.union(&a).unwrap());
        prop_assert_eq!(a.intersection(&b).unwrap(), b.intersection(&a).unwrap());
        prop_assert_eq!(
            a.union(&b).unwrap().union(&c).unwrap(),
            a.union(&b.union(&c).unwrap()).unwrap()
        );
        prop_assert_eq!(
            a.intersection(&b).unwrap().intersection(&c).unwrap(),
            a.intersection(&b.intersection(&c).unwrap()).unwrap()
        );
    }

    #[test]
    fn complement_is_an_involution_on_the_grid(
        rows in proptest::collection::vec(proptest::collection::vec(0u8..=10, 4), 3)
    ) {
        // 1 - (1 - x) == x holds exactly on the 11-point grid's doubles only
        // up to rounding, so compare after the second complement with the
        // tolerance of one rounding step.
        let r = FuzzyRelation::from_rows(
            rows.iter().map(|row| row.iter().map(|&k| f64::from(k) / 10.0).collect::<Vec<_>>()),
        ).unwrap();
        let back = r.complement().complement();
        for (x, y) in r.view().iter().zip(back.view().iter()) {
            prop_assert!((x - y).abs() <= f64::EPSILON);
        }
    }

    #[test]
    fn alpha_cut_is_monotone((a, _, _) in pair(), low in 0.0..=1.0f64, high in 0.0..=1.0f64) {
        let (low, high) = if low <= high { (low, high) } else { (high, low) };
        let wide = a.alpha_cut(low).unwrap();
        let narrow = a.alpha_cut(high).unwrap();
        let strict = a.strict_alpha_cut(low).unwrap();
        for row in 0..a.nrows() {
            prop_assert!(narrow.row(row).is_subset(&wide.row(row)));
            prop_assert!(strict.row(row).is_subset(&wide.row(row)));
        }
    }

    #[test]
    fn transpose_twice_is_identity((a, _, _) in pair()) {
        prop_assert_eq!(a.transpose().transpose(), a.clone());
        let cut = a.alpha_cut(0.5).unwrap();
        prop_assert_eq!(cut.transpose().transpose(), cut);
    }

    #[test]
    fn cut_columns_match_rows((a, _, _) in pair(), alpha in 0.0..=1.0f64) {
        let cut = a.alpha_cut(alpha).unwrap();
        for row in 0..a.nrows() {
            for col in 0..a.ncols() {
                let expected = a.get(row, col).unwrap() >= alpha;
                prop_assert_eq!(cut.row(row).contains(col), expected);
                prop_assert_eq!(cut.column(col).contains(row), expected);
            }
        }
    }

    #[test]
    fn json_round_trip_is_bit_exact((a, _, _) in pair()) {
        let text = serde_json::to_string(&a).unwrap();
        let back: FuzzyRelation = serde_json::from_str(&text).unwrap();
        for (x, y) in a.view().iter().zip(back.view().iter()) {
            prop_assert_eq!(x.to_bits(), y.to_bits());
        }
    }
}
