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
