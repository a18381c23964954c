//! Forgotten effects: reference cases, the composition definition, path
//! values recomputed from the matrices, bad input and the seeded bootstrap.

use std::collections::BTreeSet;
use std::path::Path;

use fuzzy_affinity::forgotten::{
    BootstrapOptions, ChainedPath, Comparison, ExpertGraph, ExpertStack, ForgottenOptions,
    Inference, IntervalMethod, MarginSample, analyse, chained_forgotten_effects, chained_graph,
    complete_forgotten_effects, direct_effects, expert_forgotten_effects, margins, margins_with,
    read_long_csv, resampled_forgotten_effects,
};
use fuzzy_affinity::{Error, FuzzyRelation, io};
use ndarray::{Array2, Array3};
use proptest::prelude::*;
use serde_json::Value;

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/cases");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/forgotten_effects");

fn relation(rows: &[&[f64]]) -> FuzzyRelation {
    FuzzyRelation::from_rows(rows.iter().copied()).unwrap()
}

fn labelled(matrix: &Value) -> FuzzyRelation {
    serde_json::from_value(matrix.clone()).expect("case input is a valid relation")
}

fn forgotten_cases() -> Vec<(String, Value)> {
    let mut cases = Vec::new();
    for folder in ["generated", "published"] {
        let dir = Path::new(CASES).join(folder);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("reference cases missing at {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let case: Value = serde_json::from_str(&text).unwrap();
            if case["operation"] == "forgotten_effects" {
                cases.push((path.display().to_string(), case));
            }
        }
    }
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    cases
}

/// Selected effects as comparable tuples: (cause, effect, direct,
/// accumulated, paths as label pairs).
type Selection = Vec<(String, String, f64, f64, BTreeSet<(String, String)>)>;

fn expected_selection(list: &Value) -> Selection {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let paths = e["paths"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["via_cause"].as_str().unwrap().to_owned(),
                        p["via_effect"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            (
                e["cause"].as_str().unwrap().to_owned(),
                e["effect"].as_str().unwrap().to_owned(),
                e["direct"].as_f64().unwrap(),
                e["accumulated"].as_f64().unwrap(),
                paths,
            )
        })
        .collect()
}

#[test]
fn reference_cases_match() {
    let cases = forgotten_cases();
    assert!(
        cases.len() >= 15,
        "found only {} forgotten-effects cases",
        cases.len()
    );
    for (name, case) in &cases {
        let input = &case["input"];
        let (a, m, b) = (
            labelled(&input["A"]),
            labelled(&input["M"]),
            labelled(&input["B"]),
        );
        let threshold = case["parameters"]["threshold"].as_f64().unwrap();
        let reflexive = case["parameters"]["A_B_reflexive"].as_bool().unwrap();
        let options = ForgottenOptions::with_threshold(threshold);
        let result = chained_forgotten_effects(&a, &m, &b, &options);
        if !reflexive {
            // The crate rejects a diagonal other than 1 instead of using it.
            assert!(
                matches!(result, Err(Error::PropertyViolated { .. })),
                "{name}: {result:?}"
            );
            continue;
        }
        let result = result.unwrap();
        let expected = &case["expected"];
        assert_eq!(
            result.accumulated,
            labelled(&expected["mstar"]),
            "{name}: M*"
        );
        let forgotten = labelled(&expected["forgotten_matrix"]);
        for ((cell, &got), want) in result.forgotten.indexed_iter().zip(forgotten.view().iter()) {
            assert!((got - want).abs() <= 1e-12, "{name}: M* - M at {cell:?}");
        }
        for (comparison, key) in [
            (Comparison::Strict, "selected_strict"),
            (Comparison::NonStrict, "selected_nonstrict"),
        ] {
            let options = ForgottenOptions {
                comparison,
                ..options
            };
            let result = chained_forgotten_effects(&a, &m, &b, &options).unwrap();
            let got: Selection = result
                .effects
                .iter()
                .map(|e| {
                    assert_eq!(e.path_count, e.paths.len() as u64, "{name}");
                    (
                        m.row_label(e.cause).unwrap().to_owned(),
                        m.col_label(e.effect).unwrap().to_owned(),
                        e.direct,
                        e.accumulated,
                        e.paths
                            .iter()
                            .map(|p| {
                                (
                                    a.row_label(p.via_cause).unwrap().to_owned(),
                                    b.row_label(p.via_effect).unwrap().to_owned(),
                                )
                            })
                            .collect(),
                    )
                })
                .collect();
            assert_eq!(got, expected_selection(&expected[key]), "{name}: {key}");
        }
    }
}

/// `max_k min(left[i][k], right[k][j])` straight from the definition.
fn compose(left: &Array2<f64>, right: &Array2<f64>) -> Array2<f64> {
    let mut out = Array2::zeros((left.nrows(), right.ncols()));
    for i in 0..left.nrows() {
        for j in 0..right.ncols() {
            for k in 0..left.ncols() {
                out[(i, j)] = f64::max(out[(i, j)], f64::min(left[(i, k)], right[(k, j)]));
            }
        }
    }
    out
}

/// Degrees on a 0.1 grid, so that ties and boundary differences are common.
fn grid_matrix(rows: usize, cols: usize, reflexive: bool) -> impl Strategy<Value = Array2<f64>> {
    proptest::collection::vec(0u8..=10, rows * cols).prop_map(move |codes| {
        let mut m = Array2::from_shape_vec((rows, cols), codes)
            .unwrap()
            .mapv(|c| f64::from(c) / 10.0);
        if reflexive {
            m.diag_mut().fill(1.0);
        }
        m
    })
}

fn chained_inputs() -> impl Strategy<Value = (Array2<f64>, Array2<f64>, Array2<f64>, u8)> {
    (1usize..5, 1usize..5).prop_flat_map(|(n, m)| {
        (
            grid_matrix(n, n, true),
            grid_matrix(n, m, false),
            grid_matrix(m, m, true),
            0u8..=5,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn chained_matches_the_definition((a, m, b, thr) in chained_inputs()) {
        let threshold = f64::from(thr) / 10.0;
        let (ra, rm, rb) = (
            FuzzyRelation::new(a.clone()).unwrap(),
            FuzzyRelation::new(m.clone()).unwrap(),
            FuzzyRelation::new(b.clone()).unwrap(),
        );
        let result =
            chained_forgotten_effects(&ra, &rm, &rb, &ForgottenOptions::with_threshold(threshold))
                .unwrap();
        let mstar = compose(&compose(&a, &m), &b);
        prop_assert_eq!(result.accumulated.view(), mstar.view());
        // Decisions on the grid codes are exact integer comparisons.
        let code = |x: f64| (x * 10.0).round() as i64;
        let mut selected = Vec::new();
        for ((i, j), &value) in mstar.indexed_iter() {
            if code(value) - code(m[(i, j)]) > i64::from(thr) {
                selected.push((i, j));
            }
        }
        let got: Vec<_> = result.effects.iter().map(|e| (e.cause, e.effect)).collect();
        prop_assert_eq!(got, selected);
        for effect in &result.effects {
            let mut tied = Vec::new();
            for k in 0..a.nrows() {
                for l in 0..b.nrows() {
                    let strength = a[(effect.cause, k)].min(m[(k, l)]).min(b[(l, effect.effect)]);
                    if strength == effect.accumulated {
                        tied.push(ChainedPath { via_cause: k, via_effect: l });
                    }
                }
            }
            prop_assert_eq!(&effect.paths, &tied);
            prop_assert_eq!(effect.path_count, tied.len() as u64);
        }
    }

    #[test]
    fn complete_powers_and_paths_match_walks(
        t in (2usize..6).prop_flat_map(|n| grid_matrix(n, n, true)),
        thr in 0u8..=4,
        strict in any::<bool>(),
    ) {
        let threshold = f64::from(thr) / 10.0;
        let comparison = if strict { Comparison::Strict } else { Comparison::NonStrict };
        let options = ForgottenOptions { threshold, comparison, max_order: 4, max_paths: 10_000 };
        let relation = FuzzyRelation::new(t.clone()).unwrap();
        let result = complete_forgotten_effects(&relation, &options).unwrap();
        // With one listed path per effect the counts stay exact.
        let first_only = ForgottenOptions { max_paths: 1, ..options };
        let short = complete_forgotten_effects(&relation, &first_only).unwrap();
        for (full, cut) in result.effects().zip(short.effects()) {
            prop_assert_eq!(cut.path_count, full.path_count);
            prop_assert_eq!(&cut.paths[..], &full.paths[..1]);
        }
        let computed = result.powers.len();
        prop_assert!((1..=4).contains(&computed));
        prop_assert_eq!(result.orders.len(), computed - 1);
        if computed < 4 {
            // The analysis ends at the first power equal to the one before.
            prop_assert_eq!(&result.powers[computed - 1], &result.powers[computed - 2]);
        }
        let mut power = t.clone();
        for k in 2..=computed {
            let next = compose(&power, &t);
            prop_assert_eq!(result.powers[k - 1].view(), next.view());
            let order = &result.orders[k - 2];
            prop_assert_eq!(order.order, k);
            let code = |x: f64| (x * 10.0).round() as i64;
            let mut selected = Vec::new();
            for ((i, j), &value) in next.indexed_iter() {
                let gap = code(value) - code(power[(i, j)]);
                let pass = if strict { gap > i64::from(thr) } else { gap >= i64::from(thr) && gap > 0 };
                if pass {
                    selected.push((i, j));
                }
            }
            let got: Vec<_> = order.effects.iter().map(|e| (e.from, e.to)).collect();
            prop_assert_eq!(got, selected);
            for effect in &order.effects {
                // Every walk of k edges reaching the accumulated value.
                let n = t.nrows();
                let mut walks = Vec::new();
                let mut stack = vec![effect.from];
                all_walks(&t, &mut stack, k, effect.to, effect.accumulated, &mut walks);
                prop_assert_eq!(&effect.paths, &walks);
                prop_assert_eq!(effect.path_count, walks.len() as u64);
                for path in &effect.paths {
                    let strength = path.windows(2).map(|w| t[(w[0], w[1])]).fold(1.0, f64::min);
                    prop_assert_eq!(strength, effect.accumulated);
                    let distinct: BTreeSet<_> = path.iter().collect();
                    prop_assert_eq!(distinct.len(), k + 1, "a path repeats a node");
                    prop_assert!(path.iter().all(|&v| v < n));
                }
                prop_assert_eq!(effect.previous, power[(effect.from, effect.to)]);
            }
            power = next;
        }
    }
}

/// Appends to `out`, in lexicographic order, every walk of `edges` more
/// edges from the top of `stack` to `to` whose weakest edge equals `value`.
fn all_walks(
    t: &Array2<f64>,
    stack: &mut Vec<usize>,
    edges: usize,
    to: usize,
    value: f64,
    out: &mut Vec<Vec<usize>>,
) {
    if edges == 0 {
        let strength = stack
            .windows(2)
            .map(|w| t[(w[0], w[1])])
            .fold(1.0, f64::min);
        if *stack.last().unwrap() == to && strength == value {
            out.push(stack.clone());
        }
        return;
    }
    for next in 0..t.nrows() {
        stack.push(next);
        all_walks(t, stack, edges - 1, to, value, out);
        stack.pop();
    }
}

#[test]
fn hand_checked_chained_case() {
    // Cause 0 reaches effect 1 through cause 1 (0.8) and effect 0 (0.7):
    // min(0.8, 0.9, 0.7) = 0.7, against a direct 0.1.
    let a = relation(&[&[1.0, 0.8], &[0.3, 1.0]]);
    let m = relation(&[&[0.2, 0.1], &[0.9, 0.5]]);
    let b = relation(&[&[1.0, 0.7], &[0.0, 1.0]]);
    let result =
        chained_forgotten_effects(&a, &m, &b, &ForgottenOptions::with_threshold(0.3)).unwrap();
    assert_eq!(result.accumulated.view()[(0, 0)], 0.8);
    assert_eq!(result.accumulated.view()[(0, 1)], 0.7);
    assert_eq!(result.effects.len(), 2);
    let first = &result.effects[0];
    assert_eq!((first.cause, first.effect), (0, 0));
    assert_eq!(
        first.paths,
        vec![ChainedPath {
            via_cause: 1,
            via_effect: 0
        }]
    );
    let second = &result.effects[1];
    assert_eq!((second.cause, second.effect), (0, 1));
    assert!((second.forgotten - 0.6).abs() < 1e-15);
    assert_eq!(
        second.paths,
        vec![ChainedPath {
            via_cause: 1,
            via_effect: 0
        }]
    );
}

#[test]
fn threshold_boundary_is_decided_on_decimals() {
    // M* - M = 0.9 - 0.7 = 0.2 exactly in decimals, although 0.9 - 0.7 > 0.2
    // and 0.7 + 0.2 < 0.9 in f64.
    let a = relation(&[&[1.0, 0.9], &[0.0, 1.0]]);
    let m = relation(&[&[0.7], &[1.0]]);
    let b = relation(&[&[1.0]]);
    let strict =
        chained_forgotten_effects(&a, &m, &b, &ForgottenOptions::with_threshold(0.2)).unwrap();
    assert!(strict.effects.is_empty());
    let options = ForgottenOptions {
        comparison: Comparison::NonStrict,
        ..ForgottenOptions::with_threshold(0.2)
    };
    let nonstrict = chained_forgotten_effects(&a, &m, &b, &options).unwrap();
    assert_eq!(nonstrict.effects.len(), 1);
    assert_eq!(nonstrict.effects[0].accumulated, 0.9);
}

#[test]
fn max_paths_keeps_the_count() {
    // All-ones A and B: every (k, l) pair ties at max(M).
    let a = relation(&[&[1.0; 3], &[1.0; 3], &[1.0; 3]]);
    let m = relation(&[&[0.0, 0.0], &[0.0, 0.6], &[0.6, 0.0]]);
    let b = relation(&[&[1.0; 2], &[1.0; 2]]);
    let options = ForgottenOptions {
        max_paths: 1,
        ..ForgottenOptions::with_threshold(0.1)
    };
    let result = chained_forgotten_effects(&a, &m, &b, &options).unwrap();
    let first = &result.effects[0];
    assert_eq!(first.paths.len(), 1);
    assert_eq!(first.path_count, 2);
    assert_eq!(
        first.paths[0],
        ChainedPath {
            via_cause: 1,
            via_effect: 1
        }
    );
}

#[test]
fn bad_input_is_rejected() {
    let square = relation(&[&[1.0, 0.2], &[0.3, 1.0]]);
    let rect = relation(&[&[0.1, 0.2, 0.3], &[0.3, 0.2, 0.1]]);
    let options = ForgottenOptions::default();
    // A not square.
    let result = chained_forgotten_effects(&rect, &rect, &square, &options);
    assert!(matches!(result, Err(Error::NotSquare { .. })), "{result:?}");
    // Shapes that do not chain: M has 3 columns, B is 2 x 2.
    let result = chained_forgotten_effects(&square, &rect, &square, &options);
    assert!(
        matches!(result, Err(Error::ShapeMismatch { .. })),
        "{result:?}"
    );
    // A diagonal other than 1.
    let loose = relation(&[&[0.9, 0.2], &[0.3, 1.0]]);
    let error = chained_forgotten_effects(&loose, &square, &square, &options).unwrap_err();
    assert!(error.to_string().contains("0.9"), "{error}");
    assert!(complete_forgotten_effects(&loose, &options).is_err());
    // Options out of range.
    for bad in [
        ForgottenOptions {
            max_order: 1,
            ..options
        },
        ForgottenOptions {
            threshold: 1.5,
            ..options
        },
        ForgottenOptions {
            threshold: f64::NAN,
            ..options
        },
        ForgottenOptions {
            max_paths: 0,
            ..options
        },
    ] {
        let result = complete_forgotten_effects(&square, &bad);
        assert!(
            matches!(result, Err(Error::InvalidParameter { .. })),
            "{bad:?}"
        );
    }
}

fn two_experts() -> ExpertGraph {
    let stack = ExpertStack::new(vec![
        relation(&[&[1.0, 0.9, 0.1], &[0.2, 1.0, 0.8], &[0.0, 0.3, 1.0]]),
        relation(&[&[1.0, 0.7, 0.2], &[0.1, 1.0, 0.9], &[0.2, 0.3, 1.0]]),
        relation(&[&[1.0, 0.8, 0.0], &[0.3, 1.0, 0.6], &[0.1, 0.3, 1.0]]),
    ])
    .unwrap();
    ExpertGraph::complete(stack).unwrap()
}

#[test]
fn panel_bad_input_is_rejected() {
    let a = relation(&[&[1.0, 0.2], &[0.3, 1.0]]);
    let b = relation(&[&[1.0]]);
    let shapes = ExpertStack::new(vec![a.clone(), b.clone()]);
    assert!(
        matches!(shapes, Err(Error::InvalidExpert { expert: 1, .. })),
        "{shapes:?}"
    );
    assert!(ExpertStack::new(Vec::new()).is_err());
    let mut values = Array3::from_elem((2, 2, 2), 0.5);
    values[(1, 0, 1)] = f64::NAN;
    let error = ExpertStack::from_array3(values).unwrap_err();
    assert!(
        matches!(error, Error::InvalidExpert { expert: 1, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("NaN"), "{error}");

    let one = ExpertGraph::complete(ExpertStack::new(vec![a.clone()]).unwrap()).unwrap();
    let options = BootstrapOptions::new(100, 1);
    assert!(direct_effects(&one, 0.5, &options).is_err());
    assert!(expert_forgotten_effects(&one, &ForgottenOptions::default(), &options).is_err());

    let graph = two_experts();
    assert!(direct_effects(&graph, 0.5, &BootstrapOptions::new(0, 1)).is_err());
    for thr in [0.0, 1.0, -0.1, f64::NAN] {
        assert!(direct_effects(&graph, thr, &options).is_err(), "{thr}");
        assert!(margins(&graph, thr, &options).is_err(), "{thr}");
    }
    for level in [0.0, 1.0, 1.2] {
        let bad = BootstrapOptions {
            confidence_level: level,
            ..options
        };
        assert!(margins(&graph, 0.5, &bad).is_err(), "{level}");
    }
    let low = ForgottenOptions {
        max_order: 1,
        ..ForgottenOptions::default()
    };
    assert!(expert_forgotten_effects(&graph, &low, &options).is_err());

    // Chained stacks with different numbers of experts or shapes that do
    // not chain.
    let stack = |r: &FuzzyRelation, k: usize| ExpertStack::new(vec![r.clone(); k]).unwrap();
    let m = relation(&[&[0.4], &[0.5]]);
    assert!(ExpertGraph::chained(stack(&a, 2), stack(&m, 3), stack(&b, 2)).is_err());
    let wide = relation(&[&[0.4, 0.1], &[0.5, 0.2]]);
    let result = ExpertGraph::chained(stack(&a, 2), stack(&wide, 2), stack(&b, 2));
    assert!(
        matches!(result, Err(Error::InvalidExpert { .. })),
        "{result:?}"
    );
}

#[test]
fn direct_effects_and_margins_on_a_small_panel() {
    let graph = two_experts();
    let options = BootstrapOptions::new(2000, 5);
    let direct = direct_effects(&graph, 0.5, &options).unwrap();
    assert_eq!(direct.len(), 6);
    let first = &direct[0];
    assert_eq!((first.from, first.to), (0, 1));
    assert!((first.mean - 0.8).abs() < 1e-15);
    let bound = first.inference.estimated().unwrap();
    assert!(bound.upper >= 0.8, "{bound:?}");
    assert!(bound.upper <= 0.9, "{bound:?}");
    assert!(bound.p_value > 0.9, "{bound:?}");
    // Edge 2 -> 1 is 0.3 for every expert.
    let constant = direct.iter().find(|e| (e.from, e.to) == (2, 1)).unwrap();
    assert_eq!(constant.inference, Inference::Constant);

    let margins = margins(&graph, 0.5, &options).unwrap();
    assert_eq!(margins.by_cause.len(), 3);
    // Node 0 as a cause: its edges have mean incidences 0.8 and 0.1.
    assert!((margins.by_cause[0].mean - 0.45).abs() < 1e-15);
    let test = margins.by_cause[0].inference.estimated().unwrap();
    assert!(test.lower <= 0.45, "{test:?}");
    assert!(test.upper >= 0.45, "{test:?}");
}

#[test]
fn expert_paths_aggregate_each_experts_effects() {
    let graph = two_experts();
    let forgotten = ForgottenOptions {
        threshold: 0.2,
        max_order: 3,
        ..ForgottenOptions::default()
    };
    let options = BootstrapOptions::new(500, 9);
    let summaries = expert_forgotten_effects(&graph, &forgotten, &options).unwrap();
    // Recompute each expert's effects and check every summary against them.
    let mut total = 0;
    for expert in 0..graph.experts() {
        let single = complete_forgotten_effects(graph.expert(expert).unwrap(), &forgotten).unwrap();
        for effect in single.effects() {
            for path in &effect.paths {
                total += 1;
                let summary = summaries
                    .iter()
                    .find(|s| s.order == effect.order && &s.nodes == path)
                    .expect("every expert path is summarised");
                let at = summary.experts.iter().position(|&e| e == expert).unwrap();
                assert_eq!(summary.values[at], effect.forgotten);
            }
        }
    }
    assert_eq!(total, summaries.iter().map(|s| s.count()).sum::<usize>());
    // 0 -> 1 -> 2 is an order-2 effect for all three experts.
    let path = summaries.iter().find(|s| s.nodes == [0, 1, 2]).unwrap();
    assert_eq!(path.experts, vec![0, 1, 2]);
    let interval = path.inference.estimated().unwrap();
    assert!(interval.lower <= path.mean, "{interval:?}");
    assert!(interval.upper >= path.mean, "{interval:?}");
    assert!(interval.standard_error > 0.0);
}

#[test]
fn bootstrap_is_reproducible_across_threads() {
    let graph = valdivia();
    let forgotten = ForgottenOptions {
        threshold: 0.5,
        max_order: 3,
        ..ForgottenOptions::default()
    };
    for method in [IntervalMethod::Bca, IntervalMethod::Percentile] {
        let options = BootstrapOptions {
            method,
            ..BootstrapOptions::new(300, 2024)
        };
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| analyse(&graph, &forgotten, &options).unwrap())
        };
        let one = run(1);
        assert_eq!(one, run(1));
        assert_eq!(one, run(4));
        let other_seed = BootstrapOptions {
            seed: 2025,
            ..options
        };
        let moved = analyse(&graph, &forgotten, &other_seed).unwrap();
        assert_ne!(one.direct, moved.direct);
    }
}

fn valdivia() -> ExpertGraph {
    let read = |name: &str| read_long_csv(Path::new(DATA).join(name)).unwrap();
    ExpertGraph::chained(
        read("cc_long.csv"),
        read("ce_long.csv"),
        read("ee_long.csv"),
    )
    .unwrap()
}

#[test]
fn valdivia_means_equal_the_shipped_means() {
    for name in ["cc", "ce", "ee"] {
        let stack = read_long_csv(Path::new(DATA).join(format!("{name}_long.csv"))).unwrap();
        assert_eq!(stack.experts(), 10);
        let shipped = io::read_csv(
            Path::new(DATA).join(format!("{name}_mean.csv")),
            &io::CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(stack.mean(), shipped, "{name}");
    }
    let graph = valdivia();
    assert_eq!(graph.nodes(), 20);
    assert_eq!(graph.causes(), Some(16));
    assert_eq!(graph.node_name(16), "b1");
    let direct = direct_effects(&graph, 0.5, &BootstrapOptions::new(200, 1)).unwrap();
    // 16 * 15 cause-cause, 16 * 4 cause-effect and 4 * 3 effect-effect edges.
    assert_eq!(direct.len(), 240 + 64 + 12);
}

#[test]
fn chained_graph_places_the_blocks() {
    let a = relation(&[&[1.0, 0.2], &[0.3, 1.0]]);
    let m = relation(&[&[0.4], &[0.5]]);
    let b = relation(&[&[1.0]]);
    let t = chained_graph(&a, &m, &b).unwrap();
    assert_eq!(t.shape(), (3, 3));
    assert_eq!(t.view()[(0, 1)], 0.2);
    assert_eq!(t.view()[(1, 2)], 0.5);
    assert_eq!(t.view()[(2, 0)], 0.0);
    assert_eq!(t.view()[(2, 2)], 1.0);
}

#[test]
fn resampled_copies_of_one_expert_repeat_its_effects() {
    let small = relation(&[&[1.0, 0.9, 0.1], &[0.2, 1.0, 0.8], &[0.0, 0.3, 1.0]]);
    check_resampled_copies(&small, 50);
    // More than 64 nodes takes the search without bit masks.
    let n = 70;
    let large = Array2::from_shape_fn((n, n), |(i, j)| {
        if i == j {
            1.0
        } else {
            ((i * 7 + j * 13) % 11) as f64 / 10.0
        }
    });
    check_resampled_copies(&FuzzyRelation::new(large).unwrap(), 3);
}

fn check_resampled_copies(single: &FuzzyRelation, replicas: usize) {
    let stack = ExpertStack::new(vec![single.clone(), single.clone()]).unwrap();
    let graph = ExpertGraph::complete(stack).unwrap();
    let options = ForgottenOptions {
        threshold: 0.2,
        max_order: 3,
        ..ForgottenOptions::default()
    };
    let paths = resampled_forgotten_effects(&graph, &options, replicas, 3).unwrap();
    let expected = complete_forgotten_effects(single, &options).unwrap();
    let mut listed: Vec<_> = expected
        .effects()
        .flat_map(|e| {
            e.paths
                .iter()
                .map(move |p| (e.order, p.clone(), e.forgotten))
        })
        .collect();
    listed.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    assert_eq!(paths.len(), listed.len());
    for (path, (order, nodes, forgotten)) in paths.iter().zip(&listed) {
        assert_eq!((path.order, &path.nodes), (*order, nodes));
        assert_eq!(path.count, replicas);
        assert!((path.mean - forgotten).abs() < 1e-15);
        assert!(path.standard_deviation < 1e-15);
    }
    assert!(!paths.is_empty());
    assert!(resampled_forgotten_effects(&graph, &options, 0, 3).is_err());
}

#[test]
fn resampled_is_reproducible_across_threads() {
    let graph = valdivia();
    let options = ForgottenOptions {
        threshold: 0.5,
        max_order: 3,
        ..ForgottenOptions::default()
    };
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| resampled_forgotten_effects(&graph, &options, 200, 77).unwrap())
    };
    let one = run(1);
    assert!(!one.is_empty());
    assert_eq!(one, run(4));
    assert_eq!(one, run(1));
    for path in &one {
        assert!(path.count >= 1, "{path:?}");
        assert!(path.count <= 200, "{path:?}");
        assert!(path.mean > 0.5, "{path:?}");
        assert!(path.mean <= 1.0, "{path:?}");
        assert_eq!(path.nodes.len(), path.order + 1);
    }
}

#[test]
fn margins_resample_experts_on_request() {
    let graph = two_experts();
    let options = BootstrapOptions::new(2000, 8);
    let by_experts = margins_with(&graph, 0.5, &options, MarginSample::Experts).unwrap();
    let by_edges = margins(&graph, 0.5, &options).unwrap();
    // Node 0 as a cause: the experts' means over its edges are 0.5, 0.45
    // and 0.4, so every replicate lies in [0.4, 0.5].
    let node = &by_experts.by_cause[0];
    assert!((node.mean - 0.45).abs() < 1e-15);
    assert!((node.mean - by_edges.by_cause[0].mean).abs() < 1e-15);
    let test = node.inference.estimated().unwrap();
    assert!(test.lower >= 0.4, "{test:?}");
    assert!(test.upper <= 0.5, "{test:?}");
    assert!(test.p_value < 0.05, "{test:?}");
}

#[test]
fn complete_form_stops_at_the_fixpoint() {
    let mut t = Array2::<f64>::eye(6);
    for i in 0..5 {
        t[[i, i + 1]] = 0.9;
    }
    let relation = FuzzyRelation::new(t).unwrap();
    let options = ForgottenOptions {
        max_order: 4_000_000,
        ..ForgottenOptions::default()
    };
    let result = complete_forgotten_effects(&relation, &options).unwrap();
    // The chain of 5 edges is closed at order 5; order 6 equals it.
    assert_eq!(result.powers.len(), 6);
    assert_eq!(result.powers[5], result.powers[4]);
    assert_eq!(result.orders.last().unwrap().order, 6);
    assert!(result.orders.last().unwrap().effects.is_empty());
}

#[test]
fn equal_decimal_differences_have_no_interval() {
    use fuzzy_affinity::forgotten::{
        BootstrapOptions, ExpertGraph, ExpertStack, ForgottenOptions, Inference,
        expert_forgotten_effects,
    };

    // Each expert's order-2 effect 0 -> 2 is h - l, which is 0.6 in decimal
    // for every expert although 0.9 - 0.3 and 0.8 - 0.2 differ in f64.
    let experts = [(0.9, 0.3), (0.8, 0.2), (0.7, 0.1)]
        .iter()
        .map(|&(h, l)| {
            FuzzyRelation::from_rows([[1.0, h, l], [0.0, 1.0, h], [0.0, 0.0, 1.0]]).unwrap()
        })
        .collect();
    let graph = ExpertGraph::complete(ExpertStack::new(experts).unwrap()).unwrap();
    let options = ForgottenOptions::with_threshold(0.5);
    let paths = expert_forgotten_effects(&graph, &options, &BootstrapOptions::new(200, 7)).unwrap();
    let path = paths
        .iter()
        .find(|p| p.nodes == [0, 1, 2])
        .expect("path 0 -> 1 -> 2");
    assert_eq!(path.values, vec![0.6, 0.6, 0.6]);
    assert!(
        matches!(path.inference, Inference::Constant),
        "{:?}",
        path.inference
    );
}
