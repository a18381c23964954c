use fuzzy_affinity::forgotten::*;
fn main() {
    let dir = std::path::Path::new("data/forgotten_effects");
    let read = |n: &str| read_long_csv(dir.join(n)).unwrap();
    let g = ExpertGraph::chained(
        read("cc_long.csv"),
        read("ce_long.csv"),
        read("ee_long.csv"),
    )
    .unwrap();
    let o = ForgottenOptions {
        threshold: 0.5,
        max_order: 3,
        ..ForgottenOptions::default()
    };
    let what = std::env::args().nth(1).unwrap();
    let t = std::time::Instant::now();
    for i in 0..20 {
        match what.as_str() {
            "resampled" => {
                std::hint::black_box(resampled_forgotten_effects(&g, &o, 1000, i).unwrap());
            }
            "analyse" => {
                std::hint::black_box(analyse(&g, &o, &BootstrapOptions::new(10_000, i)).unwrap());
            }
            _ => panic!(),
        }
    }
    println!("{what}: wall per run {:?}", t.elapsed() / 20);
}
