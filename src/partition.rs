//! Partition trees: the nested partitions given by the alpha-cuts of a
//! similarity relation, and their linkage table in SciPy's layout.

use std::io::Write;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_alpha};
use crate::relation::FuzzyRelation;
use crate::spanning_tree::{PrimChain, is_proximity};

/// Elements above which the transitivity check of
/// [`PartitionTree::from_similarity`] runs its O(n^2) row scans on the rayon
/// pool; below it the scans take microseconds.
const CHECK_PARALLEL_CUTOFF: usize = 256;

/// One merge of two classes, as a row of a SciPy linkage table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Merge {
    /// Id of the first class merged, the smaller of the two ids.
    pub left: usize,
    /// Id of the second class merged.
    pub right: usize,
    /// The level at which the two classes join: their similarity degree.
    pub alpha: f64,
    /// Number of elements in the merged class.
    pub size: usize,
}

/// The classes of one alpha-cut of a similarity relation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartitionLevel {
    /// The level: a degree present in the relation.
    pub alpha: f64,
    /// The classes of the cut R >= alpha, each sorted by index, ordered by
    /// their smallest index.
    pub classes: Vec<Vec<usize>>,
    /// The same classes as labels, when the relation has row labels.
    pub labels: Option<Vec<Vec<String>>>,
}

/// The partition tree of a similarity relation: its alpha-cuts are
/// partitions (equivalence relations), nested as alpha decreases.
///
/// The tree is stored as its n - 1 merges in decreasing alpha, the same
/// information as SciPy's single-linkage table. Ties are ordered by
/// element: within one alpha, the classes that form one new class merge in
/// increasing order of their smallest element (the first two first), and new
/// classes are formed in increasing order of their smallest element. The
/// merges thus depend on the similarity relation alone, not on the route
/// that built the tree. A degree of 0 is a level like any other.
///
/// # Examples
///
/// ```
/// use fuzzy_affinity::{FuzzyRelation, PartitionTree};
///
/// let r = FuzzyRelation::from_rows([
///     [1.0, 0.8, 0.4],
///     [0.8, 1.0, 0.4],
///     [0.4, 0.4, 1.0],
/// ])?
/// .with_row_labels(["ana", "ben", "eva"])?;
/// let tree = PartitionTree::from_similarity(&r)?;
/// let levels = tree.levels();
/// assert_eq!(levels.len(), 3);
/// assert_eq!(levels[1].alpha, 0.8);
/// assert_eq!(levels[1].classes, vec![vec![0, 1], vec![2]]);
/// assert_eq!(tree.linkage()[0], [0.0, 1.0, 1.0 - 0.8, 2.0]);
/// assert_eq!(tree.linkage()[1], [2.0, 3.0, 1.0 - 0.4, 3.0]);
/// # Ok::<(), fuzzy_affinity::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartitionTree {
    size: usize,
    labels: Option<Vec<String>>,
    merges: Vec<Merge>,
}

impl PartitionTree {
    /// Builds the partition tree of a similarity relation.
    ///
    /// # Errors
    ///
    /// [`Error::NotSquare`] or [`Error::PropertyViolated`] when the relation
    /// is not reflexive, symmetric and max-min transitive, naming the first
    /// entry that breaks the property.
    ///
    /// # Complexity
    ///
    /// O(n^2) time: a maximum spanning tree by Prim's algorithm, and a check
    /// that every degree equals the bottleneck value the tree gives it.
    pub fn from_similarity(relation: &FuzzyRelation) -> Result<Self> {
        const OPERATION: &str = "partition tree";
        if !is_proximity(relation.view()) {
            relation.require_proximity(OPERATION)?;
        }
        let chain = PrimChain::new(relation.view());
        if !chain_reproduces(&chain, relation) {
            relation.require_similarity(OPERATION)?;
            return Err(Error::PropertyViolated {
                operation: OPERATION,
                property: "max-min transitive",
                detail: "a degree is below the max-min path value between its elements".to_owned(),
            });
        }
        Ok(Self::from_chain(&chain, relation))
    }

    /// Builds the partition tree of the similarity closure of a proximity
    /// relation, without forming the closure.
    ///
    /// # Errors
    ///
    /// [`Error::NotSquare`] or [`Error::PropertyViolated`] when the relation
    /// is not reflexive and symmetric.
    ///
    /// # Complexity
    ///
    /// O(n^2) time (Prim's algorithm on the dense matrix), O(n) extra space.
    ///
    /// # Examples
    ///
    /// ```
    /// use fuzzy_affinity::{FuzzyRelation, PartitionTree};
    ///
    /// let r = FuzzyRelation::from_rows([[1.0, 0.9, 0.1], [0.9, 1.0, 0.6], [0.1, 0.6, 1.0]])?;
    /// let tree = PartitionTree::from_proximity(&r)?;
    /// assert_eq!(tree, PartitionTree::from_similarity(&r.transitive_closure()?)?);
    /// # Ok::<(), fuzzy_affinity::Error>(())
    /// ```
    pub fn from_proximity(relation: &FuzzyRelation) -> Result<Self> {
        if !is_proximity(relation.view()) {
            relation.require_proximity("partition tree of a proximity relation")?;
        }
        let chain = PrimChain::new(relation.view());
        Ok(Self::from_chain(&chain, relation))
    }

    /// Turns Prim's chain into merges. The chain links consecutive elements
    /// at their closure value, so its edges of degree at least alpha join
    /// exactly the classes of the alpha-cut. Within one level, the classes
    /// that form a new class merge in increasing order of their smallest
    /// element, and new classes are formed in increasing order of their
    /// smallest element, so the merges depend on the relation alone.
    fn from_chain(chain: &PrimChain, relation: &FuzzyRelation) -> Self {
        let n = chain.order.len();
        let mut steps: Vec<usize> = (1..n).collect();
        steps.sort_unstable_by(|&s, &t| chain.weights[t].total_cmp(&chain.weights[s]));
        let mut sets = DisjointSets::new(n);
        // Per root: the class id in SciPy numbering and the smallest element.
        let mut cluster_id: Vec<usize> = (0..n).collect();
        let mut smallest: Vec<usize> = (0..n).collect();
        // Per new root during one level: the smallest element of its class.
        let mut class_first = vec![usize::MAX; n];
        let mut merges = Vec::with_capacity(n.saturating_sub(1));
        for level in steps.chunk_by(|&s, &t| chain.weights[s] == chain.weights[t]) {
            let alpha = chain.weights[level[0]];
            let mut roots: Vec<usize> = level
                .iter()
                .flat_map(|&t| [chain.order[t - 1], chain.order[t]])
                .map(|e| sets.find(e))
                .collect();
            roots.sort_unstable();
            roots.dedup();
            // (smallest element, class id, class size) of each joined class.
            let parts: Vec<(usize, usize, usize)> = roots
                .iter()
                .map(|&root| (smallest[root], cluster_id[root], sets.size[root]))
                .collect();
            for &t in level {
                sets.union(chain.order[t - 1], chain.order[t]);
            }
            let mut parts: Vec<(usize, usize, usize, usize)> = parts
                .into_iter()
                .map(|(first, id, size)| (sets.find(first), first, id, size))
                .collect();
            for &(root, first, _, _) in &parts {
                class_first[root] = class_first[root].min(first);
            }
            parts.sort_unstable_by_key(|&(root, first, _, _)| (class_first[root], first));
            for class in parts.chunk_by(|x, y| x.0 == y.0) {
                let root = class[0].0;
                let (mut id, mut size) = (class[0].2, class[0].3);
                for &(_, _, other, other_size) in &class[1..] {
                    size += other_size;
                    merges.push(Merge {
                        left: id.min(other),
                        right: id.max(other),
                        alpha,
                        size,
                    });
                    id = n + merges.len() - 1;
                }
                cluster_id[root] = id;
                smallest[root] = class_first[root];
                class_first[root] = usize::MAX;
            }
        }
        Self {
            size: n,
            labels: relation.row_labels().map(<[String]>::to_vec),
            merges,
        }
    }

    /// Number of elements partitioned.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Element labels, when the relation had row labels.
    pub fn labels(&self) -> Option<&[String]> {
        self.labels.as_deref()
    }

    /// The n - 1 merges in decreasing alpha; merge `i` creates class id
    /// `n + i`, and ids below n are the elements.
    pub fn merges(&self) -> &[Merge] {
        &self.merges
    }

    /// The distinct levels in decreasing order: 1 (the diagonal) and every
    /// degree at which classes merge.
    pub fn alphas(&self) -> Vec<f64> {
        let mut alphas = vec![1.0];
        for merge in &self.merges {
            if merge.alpha != *alphas.last().expect("alphas starts non-empty") {
                alphas.push(merge.alpha);
            }
        }
        alphas
    }

    /// Every level in decreasing alpha with its classes.
    ///
    /// # Complexity
    ///
    /// O(n L) time and output size for L levels.
    pub fn levels(&self) -> Vec<PartitionLevel> {
        let representatives = self.representatives();
        let mut sets = DisjointSets::new(self.size);
        let mut next = 0;
        self.alphas()
            .into_iter()
            .map(|alpha| {
                next = self.apply_merges(&mut sets, &representatives, next, alpha);
                self.level(alpha, &mut sets)
            })
            .collect()
    }

    /// The classes of the cut R >= alpha, each sorted, ordered by their
    /// smallest element.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidThreshold`] when `alpha` is NaN or outside [0, 1].
    pub fn classes_at(&self, alpha: f64) -> Result<PartitionLevel> {
        check_alpha(alpha, None)?;
        let mut sets = DisjointSets::new(self.size);
        self.apply_merges(&mut sets, &self.representatives(), 0, alpha);
        Ok(self.level(alpha, &mut sets))
    }

    /// One element of each class id: the element itself below n, an element
    /// of its left part for a merged class.
    fn representatives(&self) -> Vec<usize> {
        let mut representatives: Vec<usize> = (0..self.size).collect();
        for merge in &self.merges {
            representatives.push(representatives[merge.left]);
        }
        representatives
    }

    /// Applies the merges from index `next` on whose alpha is at least
    /// `alpha`; returns the index of the first merge left.
    fn apply_merges(
        &self,
        sets: &mut DisjointSets,
        representatives: &[usize],
        mut next: usize,
        alpha: f64,
    ) -> usize {
        while let Some(merge) = self.merges.get(next).filter(|m| m.alpha >= alpha) {
            sets.union(representatives[merge.left], representatives[merge.right]);
            next += 1;
        }
        next
    }

    fn level(&self, alpha: f64, sets: &mut DisjointSets) -> PartitionLevel {
        let mut class_of_root = vec![usize::MAX; self.size];
        let mut classes: Vec<Vec<usize>> = Vec::new();
        for element in 0..self.size {
            let root = sets.find(element);
            if class_of_root[root] == usize::MAX {
                class_of_root[root] = classes.len();
                classes.push(Vec::new());
            }
            classes[class_of_root[root]].push(element);
        }
        let labels = self.labels.as_ref().map(|labels| {
            classes
                .iter()
                .map(|class| class.iter().map(|&e| labels[e].clone()).collect())
                .collect()
        });
        PartitionLevel {
            alpha,
            classes,
            labels,
        }
    }

    /// The linkage table in SciPy's layout: one row `[a, b, 1 - alpha, size]`
    /// per merge, in order, where ids below n are elements and id `n + i` is
    /// the class made by row `i`. Pass it to
    /// `scipy.cluster.hierarchy.dendrogram` to draw the tree.
    pub fn linkage(&self) -> Vec<[f64; 4]> {
        self.merges
            .iter()
            .map(|m| [m.left as f64, m.right as f64, 1.0 - m.alpha, m.size as f64])
            .collect()
    }

    /// Writes the linkage table as CSV with the header `a,b,distance,size`;
    /// `numpy.loadtxt(path, delimiter=",", skiprows=1)` reads it back.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be created or written,
    /// [`Error::CsvFormat`] when writing fails.
    pub fn write_linkage_csv(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let mut writer = crate::io::create_file(path)?;
        self.write_linkage_csv_to(&mut writer)?;
        writer
            .flush()
            .map_err(|source| crate::io::io_error(path, source))
    }

    /// Writes the linkage table as CSV text; see
    /// [`PartitionTree::write_linkage_csv`].
    ///
    /// # Errors
    ///
    /// [`Error::CsvFormat`] when writing fails.
    pub fn write_linkage_csv_to(&self, writer: impl Write) -> Result<()> {
        let mut csv_writer = csv::Writer::from_writer(writer);
        csv_writer.write_record(["a", "b", "distance", "size"])?;
        for m in &self.merges {
            csv_writer.write_record([
                m.left.to_string(),
                m.right.to_string(),
                (1.0 - m.alpha).to_string(),
                m.size.to_string(),
            ])?;
        }
        csv_writer.flush().map_err(csv::Error::from)?;
        Ok(())
    }
}

/// Whether every off-diagonal degree equals the bottleneck value that Prim's
/// chain gives it, which holds exactly when the proximity is transitive.
fn chain_reproduces(chain: &PrimChain, relation: &FuzzyRelation) -> bool {
    let n = chain.order.len();
    let values = relation.view();
    let row_matches = |p: usize| {
        let row = values.row(chain.order[p]);
        let mut level = 1.0f64;
        for q in p + 1..n {
            level = level.min(chain.weights[q]);
            if row[chain.order[q]] != level {
                return false;
            }
        }
        true
    };
    if n >= CHECK_PARALLEL_CUTOFF {
        (0..n).into_par_iter().all(row_matches)
    } else {
        (0..n).all(row_matches)
    }
}

/// Union-find with path halving and union by size.
struct DisjointSets {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Joins the sets of `x` and `y`; returns the root of the union.
    fn union(&mut self, x: usize, y: usize) -> usize {
        let (mut x, mut y) = (self.find(x), self.find(y));
        if x == y {
            return x;
        }
        if self.size[x] < self.size[y] {
            std::mem::swap(&mut x, &mut y);
        }
        self.parent[y] = x;
        self.size[x] += self.size[y];
        x
    }
}
