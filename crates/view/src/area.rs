//! One area-year's figures as they may be published, and each criterion's figures with them.
//!
//! [`Policy::area_year`] takes the raw values of one row of the store's `area_years` (the
//! criteria CSV's columns) and applies every rule of the policy at once, secondary suppression
//! included, so that no face can show a figure of the row without it.

use crate::disclosure::{Policy, Published};
use rust_decimal::Decimal;
use serde::Serialize;

/// What a column of `area_years` holds, for the disclosure policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A count of persons.
    Count,
    /// A share in per cent of the group in the named column.
    Share(&'static str),
    /// A mean over the group in the named column (relative to a reference).
    Mean(&'static str),
    /// A figure about no area's persons (a national average).
    Public,
}

/// Every value column of `area_years`, in the store's order, with its kind.
pub const COLUMNS: &[(&str, Kind)] = &[
    ("residents", Kind::Count),
    ("non_western_pct", Kind::Share("residents")),
    ("outside_labour_pct", Kind::Share("persons_18_64")),
    ("convicted_pct", Kind::Share("persons_18_plus")),
    ("convicted_national_pct", Kind::Public),
    ("basic_education_pct", Kind::Share("persons_30_59")),
    ("income_pct_of_region", Kind::Mean("persons_15_64_taxable")),
    ("persons_18_64", Kind::Count),
    ("persons_18_plus", Kind::Count),
    ("persons_30_59", Kind::Count),
    ("persons_15_64_taxable", Kind::Count),
];

/// Groups of which the first contains the second, so that their difference is a count of
/// persons too (residents − persons 18+ = the children).
pub const NESTED: &[(&str, &str)] = &[
    ("residents", "persons_18_plus"),
    ("residents", "persons_18_64"),
    ("residents", "persons_30_59"),
    ("persons_18_plus", "persons_18_64"),
    ("persons_18_plus", "persons_30_59"),
    ("persons_18_64", "persons_30_59"),
];

/// The kind of a column; `None` for a column the policy does not know (never shown).
pub fn kind(column: &str) -> Option<Kind> {
    COLUMNS.iter().find(|(c, _)| *c == column).map(|(_, k)| *k)
}

/// The group a share or mean column is of.
pub fn group_of(column: &str) -> Option<&'static str> {
    match kind(column)? {
        Kind::Share(g) | Kind::Mean(g) => Some(g),
        Kind::Count | Kind::Public => None,
    }
}

/// The column a criterion of the catalog measures (its `measure`), or `""` for a criterion
/// the catalog does not know: a column the policy does not know, so its figures are never
/// shown.
pub fn measure_of<'a>(catalog: &'a kvarter_rules::Catalog, rule_set: &str, id: &str) -> &'a str {
    catalog
        .get(rule_set)
        .and_then(|rs| rs.criterion(id))
        .map_or("", |c| c.measure.as_str())
}

/// Every list year's figures of the given observations (one area's) after the policy.
pub fn disclose(
    policy: &Policy,
    observations: &[kvarter_rules::Observation],
) -> std::collections::BTreeMap<i32, DisclosedYear> {
    observations
        .iter()
        .map(|o| (o.list_year, policy.area_year(|c| o.values.get(c).copied())))
        .collect()
}

/// A criterion's figures in `year` as they may be published, from the area's figures after the
/// policy ([`disclose`]) and the column the catalog says it measures ([`measure_of`]); a year
/// without figures shows nothing.
pub fn criterion_figures(
    policy: &Policy,
    catalog: &kvarter_rules::Catalog,
    years: &std::collections::BTreeMap<i32, DisclosedYear>,
    year: i32,
    (rule_set, id): (&str, &str),
    raw: &RawCriterion,
) -> PublishedCriterion {
    let column = measure_of(catalog, rule_set, id);
    match years.get(&year) {
        Some(y) => y.criterion(column, raw),
        None => policy.area_year(|_| None).criterion(column, raw),
    }
}

/// One area-year's figures after the disclosure policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosedYear {
    values: Vec<(&'static str, Published<Decimal>)>,
    policy: Policy,
}

impl Policy {
    /// Applies the policy to one area-year: `raw` gives each column's stored value.
    pub fn area_year(&self, raw: impl Fn(&str) -> Option<Decimal>) -> DisclosedYear {
        let raw_of = |c: &str| raw(c);
        let mut values: Vec<(&'static str, Published<Decimal>)> = COLUMNS
            .iter()
            .map(|(c, k)| {
                let v = raw_of(c);
                let p = match k {
                    Kind::Count => self.count(v),
                    Kind::Share(g) => self.share(v, raw_of(g)),
                    Kind::Mean(g) => self.mean(v, raw_of(g)),
                    Kind::Public => v.map_or_else(Published::missing, |v| self.public(v)),
                };
                (*c, p)
            })
            .collect();
        // Secondary suppression: two shown nested groups must not differ by fewer than the
        // minimum, or their difference is a small count; hide the smaller group until no such
        // pair is left.
        loop {
            let shown = |vals: &[(&str, Published<Decimal>)], c: &str| {
                vals.iter()
                    .find(|(n, _)| *n == c)
                    .and_then(|(_, p)| p.shown().copied())
            };
            let hit = NESTED.iter().find(|(outer, inner)| {
                match (shown(&values, outer), shown(&values, inner)) {
                    (Some(o), Some(i)) => self.is_small(o - i),
                    _ => false,
                }
            });
            let Some((_, inner)) = hit else { break };
            for (n, p) in &mut values {
                if n == inner {
                    *p = p.clone().suppressed_by(self);
                }
            }
        }
        DisclosedYear {
            values,
            policy: *self,
        }
    }
}

impl DisclosedYear {
    /// A column's figure as it may be published; an unknown column is suppressed.
    pub fn get(&self, column: &str) -> Published<Decimal> {
        self.values.iter().find(|(c, _)| *c == column).map_or_else(
            || Published::missing().suppressed_by(&self.policy),
            |(_, p)| p.clone(),
        )
    }

    /// Every column with its figure, in the store's order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Published<Decimal>)> {
        self.values.iter().map(|(c, p)| (*c, p))
    }

    /// The policy applied.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Whether anything in this year is suppressed.
    pub fn any_suppressed(&self) -> bool {
        self.values.iter().any(|(_, p)| p.is_suppressed())
    }

    /// The figures of one criterion that measures `column`, from its stored result. The value
    /// and the difference to the threshold are shown when the column is; the group size when
    /// the group is; the margin in persons only when both are (together they would give the
    /// group size).
    pub fn criterion(&self, column: &str, raw: &RawCriterion) -> PublishedCriterion {
        let p = &self.policy;
        let value_ok = self.get(column).shown().is_some();
        let group = match kind(column) {
            Some(Kind::Count) => self.get(column),
            _ => group_of(column)
                .map_or_else(|| Published::missing().suppressed_by(p), |g| self.get(g)),
        };
        let group_ok = group.shown().is_some();
        PublishedCriterion {
            value: p.checked(raw.value, value_ok),
            difference: p.checked(raw.difference, value_ok),
            group_size: p.checked(raw.group_size, group_ok),
            persons: p.checked(raw.persons, value_ok && group_ok),
        }
    }
}

impl From<&kvarter_rules::CriterionResult> for RawCriterion {
    /// The figures of an engine's criterion result.
    fn from(r: &kvarter_rules::CriterionResult) -> RawCriterion {
        RawCriterion {
            value: r.value,
            difference: r.difference,
            group_size: r.group_size,
            persons: r.persons.as_ref().map(|p| p.persons),
        }
    }
}

/// A criterion's stored figures, before the policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RawCriterion {
    /// The value measured.
    pub value: Option<Decimal>,
    /// Value − threshold.
    pub difference: Option<Decimal>,
    /// The size of the group measured.
    pub group_size: Option<Decimal>,
    /// The margin in persons.
    pub persons: Option<Decimal>,
}

/// A criterion's figures as they may be published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedCriterion {
    /// The value measured.
    pub value: Published<Decimal>,
    /// Value − threshold.
    pub difference: Published<Decimal>,
    /// The size of the group measured.
    pub group_size: Published<Decimal>,
    /// The margin in persons.
    pub persons: Published<Decimal>,
}

impl DisclosedYear {
    /// A criterion's value before and after a what-if change of residents, as they may be
    /// published. Before follows the column ([`DisclosedYear::criterion`]). After is a
    /// hypothetical figure, not a count of real persons: it is shown when the value before is
    /// and, for a share or a mean, its group is too (after − before = change / group would
    /// otherwise give the group); a value the change left as it was is shown as before.
    pub fn whatif(
        &self,
        column: &str,
        before: Option<Decimal>,
        after: Option<Decimal>,
    ) -> (Published<Decimal>, Published<Decimal>) {
        let p = &self.policy;
        let before_ok = self.get(column).shown().is_some();
        let after_ok = before_ok
            && (after == before
                || match kind(column) {
                    Some(Kind::Public | Kind::Count) => true,
                    Some(Kind::Share(g) | Kind::Mean(g)) => self.get(g).shown().is_some(),
                    None => false,
                });
        (p.checked(before, before_ok), p.checked(after, after_ok))
    }

    /// A number of persons in a group that changes a criterion (a margin, the smallest change
    /// of a what-if lever): shown when the group and every measure it moves are shown, since
    /// together with the share it gives the group's size.
    pub fn persons_in(
        &self,
        group: &str,
        measures: &[&str],
        persons: Option<Decimal>,
    ) -> Published<Decimal> {
        let ok = self.get(group).shown().is_some()
            && measures.iter().all(|m| self.get(m).shown().is_some());
        self.policy.checked(persons, ok)
    }
}

/// A figure pooled over several areas (an average weighted by the measured group, or a sum of
/// counts), published only when the pool is safe: the pool must rest on at least the minimum
/// (persons, and persons counted by a share), and the areas in it whose own figure is
/// suppressed must together rest on at least the minimum too, or their figures could be
/// recomputed from the pool and the areas shown beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pool {
    sum: Decimal,
    weight: Decimal,
    hidden_sum: Decimal,
    hidden_weight: Decimal,
    hidden: bool,
}

impl Pool {
    /// Adds one area-year's figure of `column` (its raw value and its group's size, 1 for a
    /// count), with whether the area's own figure is shown ([`DisclosedYear::get`]).
    pub fn add(&mut self, value: Decimal, weight: Decimal, shown: bool) {
        self.sum += value * weight;
        self.weight += weight;
        if !shown {
            self.hidden = true;
            self.hidden_sum += value * weight;
            self.hidden_weight += weight;
        }
    }

    /// The pooled figure of `column` as it may be published: the sum of a count, or the
    /// weighted mean of a share or mean, unrounded; missing for an empty pool.
    pub fn publish(&self, policy: &Policy, column: &str) -> Published<Decimal> {
        if self.weight.is_zero() {
            return Published::missing();
        }
        let small = |d: Decimal| policy.is_small(d);
        let hundred = Decimal::ONE_HUNDRED;
        let (value, safe) = match kind(column) {
            Some(Kind::Public) => (self.sum / self.weight, true),
            Some(Kind::Count) => (
                self.sum,
                !small(self.sum) && (!self.hidden || !small(self.hidden_sum)),
            ),
            Some(Kind::Share(_)) => (
                self.sum / self.weight,
                !small(self.weight)
                    && !small(self.sum / hundred)
                    && (!self.hidden
                        || (!small(self.hidden_weight) && !small(self.hidden_sum / hundred))),
            ),
            Some(Kind::Mean(_)) => (
                self.sum / self.weight,
                !small(self.weight) && (!self.hidden || !small(self.hidden_weight)),
            ),
            None => (Decimal::ZERO, false),
        };
        policy.checked(Some(value), safe)
    }
}

impl PublishedCriterion {
    /// Every figure shown, unchecked: only for the analyst's own terminal output of their own
    /// input files (`kvarter explain`). Nothing served, exported or stored calls this; a test
    /// of the web crate checks that it never appears there.
    pub fn unrestricted(
        value: Option<Decimal>,
        difference: Option<Decimal>,
        group_size: Option<Decimal>,
        persons: Option<Decimal>,
    ) -> PublishedCriterion {
        let shown =
            |v: Option<Decimal>| v.map_or_else(Published::missing, Published::shown_unchecked);
        PublishedCriterion {
            value: shown(value),
            difference: shown(difference),
            group_size: shown(group_size),
            persons: shown(persons),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::str::FromStr;

    fn year(pairs: &[(&str, &str)]) -> DisclosedYear {
        let m: HashMap<String, Decimal> = pairs
            .iter()
            .map(|(c, v)| (c.to_string(), Decimal::from_str(v).unwrap()))
            .collect();
        Policy::new(5).area_year(|c| m.get(c).copied())
    }

    const NORMAL: &[(&str, &str)] = &[
        ("residents", "1000"),
        ("non_western_pct", "40.00"),
        ("outside_labour_pct", "35.10"),
        ("convicted_pct", "2.40"),
        ("convicted_national_pct", "0.80"),
        ("basic_education_pct", "55.00"),
        ("income_pct_of_region", "61.00"),
        ("persons_18_64", "600"),
        ("persons_18_plus", "800"),
        ("persons_30_59", "400"),
        ("persons_15_64_taxable", "500"),
    ];

    #[test]
    fn a_normal_area_shows_everything() {
        let y = year(NORMAL);
        assert!(!y.any_suppressed());
        assert_eq!(y.get("convicted_pct").shown().unwrap().to_string(), "2.40");
    }

    #[test]
    fn a_small_group_hides_its_count_and_its_share() {
        let mut rows = NORMAL.to_vec();
        rows[9] = ("persons_30_59", "3");
        let y = year(&rows);
        assert!(y.get("persons_30_59").is_suppressed());
        assert!(y.get("basic_education_pct").is_suppressed());
        assert!(y.get("outside_labour_pct").shown().is_some());
    }

    #[test]
    fn a_small_numerator_hides_the_share_but_not_the_group() {
        let mut rows = NORMAL.to_vec();
        rows[3] = ("convicted_pct", "0.50"); // 4 of 800
        let y = year(&rows);
        assert!(y.get("convicted_pct").is_suppressed());
        assert!(y.get("persons_18_plus").shown().is_some());
        // The national average rests on no area's persons.
        assert!(y.get("convicted_national_pct").shown().is_some());
    }

    #[test]
    fn three_children_hide_the_adults_so_the_children_cannot_be_counted() {
        let mut rows = NORMAL.to_vec();
        rows[8] = ("persons_18_plus", "997");
        let y = year(&rows);
        assert!(y.get("residents").shown().is_some());
        assert!(y.get("persons_18_plus").is_suppressed());
        // The share of the adults is still shown: it does not give their number.
        assert!(y.get("convicted_pct").shown().is_some());
    }

    #[test]
    fn secondary_suppression_goes_on_until_no_small_difference_is_left() {
        let mut rows = NORMAL.to_vec();
        rows[8] = ("persons_18_plus", "603"); // 18+ − 18–64 = 3 persons 65+
        rows[7] = ("persons_18_64", "600");
        let y = year(&rows);
        assert!(y.get("persons_18_64").is_suppressed());
        // 18–64 hidden: 18+ − 30–59 = 203 is fine, and so is residents − 18+.
        assert!(y.get("persons_18_plus").shown().is_some());
    }

    #[test]
    fn a_criterion_follows_its_column_and_its_group() {
        let mut rows = NORMAL.to_vec();
        rows[8] = ("persons_18_plus", "997");
        let y = year(&rows);
        let d = |s: &str| Some(Decimal::from_str(s).unwrap());
        let raw = RawCriterion {
            value: d("2.40"),
            difference: d("0.00"),
            group_size: d("997"),
            persons: d("1"),
        };
        let c = y.criterion("convicted_pct", &raw);
        assert!(c.value.shown().is_some());
        assert!(c.difference.shown().is_some());
        // The group is hidden, and share and margin in persons together would give it.
        assert!(c.group_size.is_suppressed());
        assert!(c.persons.is_suppressed());
        // A column the policy does not know is never shown.
        assert!(y.criterion("unknown_pct", &raw).value.is_suppressed());
    }

    #[test]
    fn a_whatif_after_needs_the_value_before_and_the_group() {
        let d = |s: &str| Some(Decimal::from_str(s).unwrap());
        let y = year(NORMAL);
        let (b, a) = y.whatif("convicted_pct", d("2.40"), d("0.53"));
        assert!(b.shown().is_some());
        assert_eq!(a.shown(), d("0.53").as_ref());
        // The group hidden (3 children): after − before would give it, unless unchanged.
        let mut rows = NORMAL.to_vec();
        rows[8] = ("persons_18_plus", "997");
        let y = year(&rows);
        let (b, a) = y.whatif("convicted_pct", d("2.40"), d("1.00"));
        assert!(b.shown().is_some() && a.is_suppressed());
        let (_, a) = y.whatif("convicted_pct", d("2.40"), d("2.40"));
        assert_eq!(a.shown(), d("2.40").as_ref());
        // A value hidden before stays hidden after.
        let mut rows = NORMAL.to_vec();
        rows[3] = ("convicted_pct", "0.50");
        let y = year(&rows);
        let (b, a) = y.whatif("convicted_pct", d("0.50"), d("0.50"));
        assert!(b.is_suppressed() && a.is_suppressed());
        assert!(
            y.persons_in("persons_18_plus", &["convicted_pct"], d("7"))
                .is_suppressed()
        );
        assert!(
            y.persons_in("persons_18_64", &["outside_labour_pct"], d("7"))
                .shown()
                .is_some()
        );
    }

    #[test]
    fn the_residents_criterion_is_a_count() {
        let mut rows = NORMAL.to_vec();
        rows[0] = ("residents", "4");
        let y = year(&rows);
        let raw = RawCriterion {
            value: Some(Decimal::from(4)),
            difference: Some(Decimal::from(-996)),
            group_size: None,
            persons: Some(Decimal::from(997)),
        };
        let c = y.criterion("residents", &raw);
        assert!(
            c.value.is_suppressed() && c.difference.is_suppressed() && c.persons.is_suppressed()
        );
        assert!(y.get("non_western_pct").is_suppressed());
    }
}
