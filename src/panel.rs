//! Purchase panels: from brand-choice records to what each household expects.
//!
//! A purchase panel records, for every purchase occasion, the household, the
//! brand it chose, and what was on offer: each brand's shelf price, and
//! whether the brand had a newspaper feature or an in-store display. The
//! Ecdat `Yogurt` and `Cracker` panels use this layout. [`ChoicePanel`] reads
//! it and [`ChoicePanel::expectations`] derives, per household, membership
//! degrees for the expectations a CEM analyst names. The formulas are on
//! [`Expectation`].

use std::collections::BTreeMap;
use std::path::Path;

use ndarray::Array2;

use crate::error::{Error, Result};
use crate::relation::FuzzyRelation;
use crate::scale;

/// One purchase occasion.
#[derive(Debug, Clone, PartialEq)]
pub struct Purchase {
    /// Index of the chosen brand in [`ChoicePanel::brands`].
    pub choice: usize,
    /// Shelf price of each brand; a price of 0 or less means the brand was
    /// not on offer.
    pub prices: Vec<f64>,
    /// Whether each brand had a newspaper feature or an in-store display.
    pub promoted: Vec<bool>,
}

/// A brand-choice purchase panel, grouped by household in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoicePanel {
    brands: Vec<String>,
    households: Vec<String>,
    purchases: Vec<Vec<Purchase>>,
}

/// An expectation derived from a purchase panel, with its formula.
///
/// Every degree is a share in [0, 1] computed over one household's purchase
/// occasions, except purchase frequency, which ranks households against the
/// panel.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Expectation {
    /// Loyalty to a brand: the share of the household's purchases that chose
    /// it.
    Loyalty(String),
    /// Price sensitivity: the share of purchases in which the chosen brand
    /// had the lowest price on offer (ties for the lowest count).
    PriceSensitivity,
    /// Promotion responsiveness: among the occasions on which at least one
    /// brand was featured or displayed, the share in which the chosen brand
    /// was one of them; 0 for a household that never met a promotion.
    PromotionResponse,
    /// Premium orientation: the share of purchases in which the chosen brand
    /// had the highest price on offer (ties for the highest count).
    PremiumOrientation,
    /// Variety seeking: the share of consecutive purchase pairs in which the
    /// brand changed; 0 for a household with a single purchase.
    VarietySeeking,
    /// Purchase frequency: the household's number of purchases, rank-scaled
    /// over the panel (the share of households with at most as many).
    PurchaseFrequency,
}

impl Expectation {
    /// The column label used in relations and reports.
    pub fn label(&self) -> String {
        match self {
            Expectation::Loyalty(brand) => format!("loyalty_{brand}"),
            Expectation::PriceSensitivity => "price_sensitivity".into(),
            Expectation::PromotionResponse => "promotion_response".into(),
            Expectation::PremiumOrientation => "premium_orientation".into(),
            Expectation::VarietySeeking => "variety_seeking".into(),
            Expectation::PurchaseFrequency => "purchase_frequency".into(),
        }
    }
}

impl ChoicePanel {
    /// Reads a panel from a CSV file with a header row.
    ///
    /// Required columns: `id` (the household), `choice` (the chosen brand's
    /// name), and `price_BRAND` for every brand. Optional: `feat_BRAND` and
    /// `disp_BRAND` as 0 or 1. The brands are taken from the `price_`
    /// columns, in file order. Rows of one household need not be adjacent;
    /// households are listed in order of first appearance and their
    /// purchases in file order.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read and [`Error::Csv`] naming
    /// the line and field of a missing column, an unknown brand, or a cell
    /// that is not a number.
    pub fn read_csv(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::read_csv_from(std::io::BufReader::new(file))
    }

    /// Reads a panel from CSV text; see [`ChoicePanel::read_csv`].
    ///
    /// # Errors
    ///
    /// As [`ChoicePanel::read_csv`], without the file errors.
    pub fn read_csv_from(reader: impl std::io::Read) -> Result<Self> {
        let mut csv_reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(reader);
        let header: Vec<String> = csv_reader
            .headers()?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_owned())
            .collect();
        let layout = Layout::from_header(&header)?;

        let mut index_of: BTreeMap<String, usize> = BTreeMap::new();
        let mut households = Vec::new();
        let mut purchases: Vec<Vec<Purchase>> = Vec::new();
        for record in csv_reader.records() {
            let record = record?;
            let line = record.position().map_or(0, |p| p.line());
            let purchase = layout.purchase(&record, line)?;
            let id = record.get(layout.id).unwrap_or_default().to_owned();
            let next = households.len();
            let slot = *index_of.entry(id.clone()).or_insert(next);
            if slot == next {
                households.push(id);
                purchases.push(Vec::new());
            }
            purchases[slot].push(purchase);
        }
        if households.is_empty() {
            return Err(Error::Csv {
                line: 1,
                field: 0,
                message: "the panel holds a header but no purchases".into(),
            });
        }
        Ok(Self {
            brands: layout.brands,
            households,
            purchases,
        })
    }

    /// Brand names, from the `price_` columns.
    pub fn brands(&self) -> &[String] {
        &self.brands
    }

    /// Household identifiers, in order of first appearance.
    pub fn households(&self) -> &[String] {
        &self.households
    }

    /// The purchases of household `index`, in file order.
    pub fn purchases(&self, index: usize) -> &[Purchase] {
        &self.purchases[index]
    }

    /// Total number of purchase occasions.
    pub fn purchase_count(&self) -> usize {
        self.purchases.iter().map(Vec::len).sum()
    }

    /// The expectations [`ChoicePanel::expectations`] derives, in column
    /// order: one loyalty per brand, then the five behaviours.
    pub fn expectation_kinds(&self) -> Vec<Expectation> {
        let mut kinds: Vec<Expectation> = self
            .brands
            .iter()
            .cloned()
            .map(Expectation::Loyalty)
            .collect();
        kinds.extend([
            Expectation::PriceSensitivity,
            Expectation::PromotionResponse,
            Expectation::PremiumOrientation,
            Expectation::VarietySeeking,
            Expectation::PurchaseFrequency,
        ]);
        kinds
    }

    /// The households x expectations relation: one row per household
    /// (labelled with its identifier), one column per
    /// [`expectation kind`](ChoicePanel::expectation_kinds) (labelled with
    /// [`Expectation::label`]).
    ///
    /// # Errors
    ///
    /// The formulas give shares in [0, 1] and the reader rejects repeated
    /// columns, so the label and degree checks of the relation's
    /// constructor are not expected to fail; they run all the same.
    pub fn expectations(&self) -> Result<FuzzyRelation> {
        let kinds = self.expectation_kinds();
        let counts: Vec<f64> = self.purchases.iter().map(|p| p.len() as f64).collect();
        let frequency = scale::rank(&counts)?;
        let mut values = Array2::zeros((self.households.len(), kinds.len()));
        for (row, purchases) in self.purchases.iter().enumerate() {
            for (col, kind) in kinds.iter().enumerate() {
                values[[row, col]] = match kind {
                    Expectation::Loyalty(brand) => {
                        let brand = self.brands.iter().position(|b| b == brand).unwrap_or(0);
                        share(purchases, |p| p.choice == brand)
                    }
                    Expectation::PriceSensitivity => share(purchases, chose_cheapest),
                    Expectation::PromotionResponse => promotion_response(purchases),
                    Expectation::PremiumOrientation => share(purchases, chose_dearest),
                    Expectation::VarietySeeking => variety_seeking(purchases),
                    Expectation::PurchaseFrequency => frequency[row],
                };
            }
        }
        FuzzyRelation::new(values)?.with_labels(
            Some(self.households.clone()),
            Some(kinds.iter().map(Expectation::label).collect()),
        )
    }
}

fn share(purchases: &[Purchase], keep: impl Fn(&Purchase) -> bool) -> f64 {
    if purchases.is_empty() {
        return 0.0;
    }
    purchases.iter().filter(|p| keep(p)).count() as f64 / purchases.len() as f64
}

fn offered(purchase: &Purchase) -> impl Iterator<Item = f64> + '_ {
    purchase.prices.iter().copied().filter(|&p| p > 0.0)
}

fn chose_cheapest(purchase: &Purchase) -> bool {
    let chosen = purchase.prices[purchase.choice];
    chosen > 0.0 && offered(purchase).all(|p| chosen <= p)
}

fn chose_dearest(purchase: &Purchase) -> bool {
    let chosen = purchase.prices[purchase.choice];
    chosen > 0.0 && offered(purchase).all(|p| chosen >= p)
}

fn promotion_response(purchases: &[Purchase]) -> f64 {
    let occasions: Vec<&Purchase> = purchases
        .iter()
        .filter(|p| p.promoted.iter().any(|&x| x))
        .collect();
    if occasions.is_empty() {
        return 0.0;
    }
    let responded = occasions.iter().filter(|p| p.promoted[p.choice]).count();
    responded as f64 / occasions.len() as f64
}

fn variety_seeking(purchases: &[Purchase]) -> f64 {
    if purchases.len() < 2 {
        return 0.0;
    }
    let switches = purchases
        .windows(2)
        .filter(|w| w[0].choice != w[1].choice)
        .count();
    switches as f64 / (purchases.len() - 1) as f64
}

/// Column positions of a panel file.
struct Layout {
    id: usize,
    choice: usize,
    brands: Vec<String>,
    prices: Vec<usize>,
    promotions: Vec<Vec<usize>>,
}

impl Layout {
    fn from_header(header: &[String]) -> Result<Self> {
        for (index, name) in header.iter().enumerate() {
            if let Some(first) = header[..index].iter().position(|h| h == name) {
                return Err(Error::Csv {
                    line: 1,
                    field: index + 1,
                    message: format!(
                        "the header repeats the column {name:?} (fields {} and {}): \
                         give every column its own name",
                        first + 1,
                        index + 1
                    ),
                });
            }
        }
        let find = |name: &str| header.iter().position(|h| h == name);
        let missing = |name: &str| Error::Csv {
            line: 1,
            field: 0,
            message: format!(
                "the header has no {name:?} column: a panel needs id, choice and price_BRAND columns"
            ),
        };
        let id = find("id").ok_or_else(|| missing("id"))?;
        let choice = find("choice").ok_or_else(|| missing("choice"))?;
        let mut brands = Vec::new();
        let mut prices = Vec::new();
        for (index, name) in header.iter().enumerate() {
            if let Some(brand) = name.strip_prefix("price_") {
                if brand.is_empty() {
                    return Err(Error::Csv {
                        line: 1,
                        field: index + 1,
                        message: "the column \"price_\" names no brand: write price_BRAND".into(),
                    });
                }
                brands.push(brand.to_owned());
                prices.push(index);
            }
        }
        if brands.is_empty() {
            return Err(missing("price_BRAND"));
        }
        let promotions = brands
            .iter()
            .map(|brand| {
                ["feat_", "disp_"]
                    .iter()
                    .filter_map(|prefix| find(&format!("{prefix}{brand}")))
                    .collect()
            })
            .collect();
        Ok(Self {
            id,
            choice,
            brands,
            prices,
            promotions,
        })
    }

    fn purchase(&self, record: &csv::StringRecord, line: u64) -> Result<Purchase> {
        let cell = |field: usize| record.get(field).unwrap_or_default();
        let number = |field: usize| -> Result<f64> {
            let text = cell(field);
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| Error::Csv {
                    line,
                    field: field + 1,
                    message: format!("{text:?} is not a finite number"),
                })
        };
        let chosen = cell(self.choice);
        let choice = self
            .brands
            .iter()
            .position(|b| b == chosen)
            .ok_or_else(|| Error::Csv {
                line,
                field: self.choice + 1,
                message: format!(
                    "the chosen brand {chosen:?} has no price_ column; brands are {}",
                    self.brands.join(", ")
                ),
            })?;
        let prices = self
            .prices
            .iter()
            .map(|&f| number(f))
            .collect::<Result<Vec<_>>>()?;
        let mut promoted = Vec::with_capacity(self.brands.len());
        for fields in &self.promotions {
            let mut any = false;
            for &field in fields {
                let flag = number(field)?;
                if flag != 0.0 && flag != 1.0 {
                    return Err(Error::Csv {
                        line,
                        field: field + 1,
                        message: format!(
                            "{:?} is not a feature or display flag: write 0 or 1",
                            cell(field)
                        ),
                    });
                }
                any |= flag == 1.0;
            }
            promoted.push(any);
        }
        Ok(Purchase {
            choice,
            prices,
            promoted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PANEL: &str = "\
id,feat_a,feat_b,price_a,price_b,choice
1,0,0,2.0,3.0,a
1,1,0,2.5,2.0,a
1,0,0,2.0,2.0,b
2,0,1,4.0,3.0,b
";

    #[test]
    fn hand_computed_degrees() {
        let panel = ChoicePanel::read_csv_from(PANEL.as_bytes()).unwrap();
        assert_eq!(panel.brands(), ["a", "b"]);
        assert_eq!(panel.households(), ["1", "2"]);
        let r = panel.expectations().unwrap();
        let col = |name: &str| {
            r.col_labels()
                .unwrap()
                .iter()
                .position(|l| l == name)
                .unwrap()
        };
        // Household 1: a, a, b.
        assert_eq!(r.get(0, col("loyalty_a")), Some(2.0 / 3.0));
        assert_eq!(r.get(0, col("loyalty_b")), Some(1.0 / 3.0));
        // Cheapest: occasion 1 (2 < 3) and occasion 3 (tie), not occasion 2.
        assert_eq!(r.get(0, col("price_sensitivity")), Some(2.0 / 3.0));
        // Dearest: occasion 2 (2.5 > 2) and occasion 3 (tie).
        assert_eq!(r.get(0, col("premium_orientation")), Some(2.0 / 3.0));
        // One promoted occasion, brand a featured but a bought: responded.
        assert_eq!(r.get(0, col("promotion_response")), Some(1.0));
        // Switches: a->a no, a->b yes.
        assert_eq!(r.get(0, col("variety_seeking")), Some(0.5));
        // Household 2: one purchase of the featured, cheaper brand b.
        assert_eq!(r.get(1, col("promotion_response")), Some(1.0));
        assert_eq!(r.get(1, col("variety_seeking")), Some(0.0));
        assert_eq!(r.get(1, col("purchase_frequency")), Some(0.5));
        assert_eq!(r.get(0, col("purchase_frequency")), Some(1.0));
    }

    #[test]
    fn unknown_brand_names_the_cell() {
        let text = "id,price_a,choice\n1,2.0,zz\n";
        let err = ChoicePanel::read_csv_from(text.as_bytes()).unwrap_err();
        match err {
            Error::Csv {
                line,
                field,
                message,
            } => {
                assert_eq!((line, field), (2, 3));
                assert!(message.contains("zz"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn malformed_headers_and_flags_are_rejected() {
        let cases = [
            ("id,price_a,price_a,choice\n1,1,2,a\n", "repeats"),
            ("id,id,price_a,choice\n1,1,2,a\n", "repeats"),
            ("id,price_,choice\n1,2,a\n", "names no brand"),
            ("id,feat_a,price_a,choice\n1,7,2,a\n", "write 0 or 1"),
        ];
        for (text, needle) in cases {
            let err = ChoicePanel::read_csv_from(text.as_bytes()).unwrap_err();
            assert!(err.to_string().contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn missing_columns_are_named() {
        let err = ChoicePanel::read_csv_from("id,choice\n1,a\n".as_bytes()).unwrap_err();
        assert!(err.to_string().contains("price_BRAND"), "{err}");
        let err = ChoicePanel::read_csv_from("id,price_a,choice\n".as_bytes()).unwrap_err();
        assert!(err.to_string().contains("no purchases"), "{err}");
    }
}
