//! Designation rounds: the municipality designates its udsatte byområder every fourth year
//! (2017, 2021, 2025, …) and holds the designation fixed until the next round. A round freezes
//! the screening's designated areas; this module gives them what a person needs to follow them
//! from round to round:
//!
//! - **stable ids** ([`carry_ids`]): an area that continues an area of the round before (by
//!   shared units, as [`compare_areas`](crate::compare_areas) decides) keeps that area's id, so
//!   the same place is one id across rounds;
//! - **names a person recognises** ([`derived_name`]): the largest housing estate inside and the
//!   largest ordinary area (a district's quarter), e.g. `Sommerbyen m.fl., Nørrevang Nord`;
//!   a continued area keeps its name, and a names file overrides any of them;
//! - the **round years** ([`default_rounds`]).
//!
//! No IO; the caller hands in ids, units and the residents of each area inside.

use crate::time::compare_areas;
use std::collections::{BTreeMap, BTreeSet};

/// The first designation round of the current policy family: the 2017 policy.
pub const FIRST_ROUND: i32 = 2017;

/// Years between two designation rounds.
pub const ROUND_EVERY: i32 = 4;

/// The share of the smaller area's units two areas of successive rounds must share to be the
/// same place (as in `kvarter screen --since`; docs/SCREENING.md).
pub const MIN_OVERLAP: f64 = 0.5;

/// The designation rounds a set of screening years allows: every [`ROUND_EVERY`]th year from
/// [`FIRST_ROUND`] on that is among `screening_years` (earlier years had no policy to designate;
/// `load --rounds` can still ask for them).
/// When none is, the latest screening year alone, so that a short register folder still has
/// one round.
pub fn default_rounds(screening_years: &[i32]) -> Vec<i32> {
    let years: BTreeSet<i32> = screening_years.iter().copied().collect();
    let rounds: Vec<i32> = years
        .iter()
        .copied()
        .filter(|&y| y >= FIRST_ROUND && (y - FIRST_ROUND).rem_euclid(ROUND_EVERY) == 0)
        .collect();
    if rounds.is_empty() {
        years.last().copied().into_iter().collect()
    } else {
        rounds
    }
}

/// An area of the register folder inside a designated area: a housing estate or an ordinary
/// area (the quarters of a district), with the residents it contributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The area's id in the register folder.
    pub id: String,
    /// Its name, as the register folder names it.
    pub name: String,
    /// Residents of it inside the designated area.
    pub residents: u64,
    /// A social-housing estate (else an ordinary area).
    pub estate: bool,
}

/// The name of a designated area from what is inside it: the estate with the most residents
/// (`m.fl.` when there are more), then the ordinary area with the most residents; ties go to
/// the smaller id. `None` when nothing inside has a name.
pub fn derived_name(members: &[Member]) -> Option<String> {
    let ranked = |estate: bool| {
        let mut v: Vec<&Member> = members
            .iter()
            .filter(|m| m.estate == estate && m.residents > 0 && !m.name.trim().is_empty())
            .collect();
        v.sort_by(|a, b| b.residents.cmp(&a.residents).then_with(|| a.id.cmp(&b.id)));
        v
    };
    let (estates, places) = (ranked(true), ranked(false));
    let head = estates.first().map(|e| {
        if estates.len() > 1 {
            format!("{} m.fl.", e.name.trim())
        } else {
            e.name.trim().to_string()
        }
    });
    let place = places.first().map(|p| p.name.trim().to_string());
    match (head, place) {
        (Some(h), Some(p)) => Some(format!("{h}, {p}")),
        (Some(h), None) => Some(h),
        (None, Some(p)) if places.len() > 1 => Some(format!("{p} m.fl.")),
        (None, p) => p,
    }
}

/// Makes names unique within a round: a repeated name gets ` (2)`, ` (3)`, … in order.
pub fn unique_names(names: &mut [String]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for n in names.iter_mut() {
        let k = seen.entry(n.clone()).or_insert(0);
        *k += 1;
        if *k > 1 {
            *n = format!("{n} ({k})");
        }
    }
}

/// An area of a round as [`carry_ids`] reads it: its id of the screening and its units.
pub type RoundArea = (String, Vec<String>);

/// The stable ids of a round's areas, given the round before (already carrying stable ids) and
/// every id used in any earlier round. Each returned pair is (stable id, the earlier area it
/// continues). Areas continuing each other are paired greedily by shared units (most first, ties
/// by id), one to one: of an area split in two, the larger share keeps the id; of two merged,
/// the id of the one sharing more. An area continuing none keeps its own id, with `-YEAR`
/// appended when an earlier round used that id for another place.
pub fn carry_ids(
    before: &[RoundArea],
    after: &[RoundArea],
    used: &BTreeSet<String>,
    year: i32,
) -> Vec<(String, Option<String>)> {
    let revision = compare_areas(before, after, MIN_OVERLAP);
    let mut pairs = revision.continued.clone();
    pairs.sort_by(|a, b| {
        b.shared_units
            .cmp(&a.shared_units)
            .then_with(|| a.before.cmp(&b.before))
            .then_with(|| a.after.cmp(&b.after))
    });
    let mut heir: BTreeMap<&str, &str> = BTreeMap::new();
    let mut taken: BTreeSet<&str> = BTreeSet::new();
    for c in &pairs {
        if heir.contains_key(c.after.as_str()) || taken.contains(c.before.as_str()) {
            continue;
        }
        heir.insert(&c.after, &c.before);
        taken.insert(&c.before);
    }
    let mut out: Vec<(String, Option<String>)> = Vec::with_capacity(after.len());
    let mut given: BTreeSet<String> = heir.values().map(|s| s.to_string()).collect();
    for (id, _) in after {
        if let Some(b) = heir.get(id.as_str()) {
            out.push((b.to_string(), Some(b.to_string())));
            continue;
        }
        let own = if used.contains(id) || given.contains(id) {
            format!("{id}-{year}")
        } else {
            id.clone()
        };
        given.insert(own.clone());
        out.push((own, None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, name: &str, residents: u64, estate: bool) -> Member {
        Member {
            id: id.into(),
            name: name.into(),
            residents,
            estate,
        }
    }

    fn area(id: &str, units: &[&str]) -> RoundArea {
        (id.into(), units.iter().map(|u| u.to_string()).collect())
    }

    #[test]
    fn rounds_fall_every_fourth_year_from_2017() {
        let years: Vec<i32> = (2007..=2025).collect();
        assert_eq!(default_rounds(&years), vec![2017, 2021, 2025]);
        assert_eq!(default_rounds(&[2013, 2014, 2015]), vec![2015]);
        assert_eq!(default_rounds(&[2022, 2023, 2024]), vec![2024]);
        assert_eq!(default_rounds(&[2021, 2022]), vec![2021]);
        assert!(default_rounds(&[]).is_empty());
    }

    #[test]
    fn a_name_is_the_largest_estate_then_the_largest_quarter() {
        let m = [
            member("B2", "Egeengen", 400, true),
            member("B1", "Sommerbyen", 900, true),
            member("O1", "Nørrevang Nord", 300, false),
            member("O2", "Nørrevang Syd", 700, false),
        ];
        assert_eq!(
            derived_name(&m).as_deref(),
            Some("Sommerbyen m.fl., Nørrevang Syd")
        );
        assert_eq!(
            derived_name(&m[1..3]).as_deref(),
            Some("Sommerbyen, Nørrevang Nord")
        );
        // No estate: the largest quarter, with m.fl. when there are more.
        assert_eq!(
            derived_name(&m[2..]).as_deref(),
            Some("Nørrevang Syd m.fl.")
        );
        assert_eq!(derived_name(&m[2..3]).as_deref(), Some("Nørrevang Nord"));
        // Ties go to the smaller id; nobody inside gives no name.
        let tie = [
            member("B9", "Bakken", 500, true),
            member("B3", "Dalen", 500, true),
        ];
        assert_eq!(derived_name(&tie).as_deref(), Some("Dalen m.fl."));
        assert_eq!(derived_name(&[member("B1", "Tom", 0, true)]), None);
    }

    #[test]
    fn repeated_names_are_numbered() {
        let mut n = vec!["A".to_string(), "B".into(), "A".into(), "A".into()];
        unique_names(&mut n);
        assert_eq!(n, ["A", "B", "A (2)", "A (3)"]);
    }

    #[test]
    fn a_continued_area_keeps_its_id_and_a_new_one_gets_its_own() {
        let before = [
            area("area-a", &["a", "b", "c", "d"]),
            area("area-x", &["x", "y"]),
        ];
        // area-a continues with a shifted boundary (smallest unit now b); area-x left; a new
        // area appears.
        let after = [
            area("area-b", &["b", "c", "d", "e"]),
            area("area-p", &["p", "q"]),
        ];
        let used: BTreeSet<String> = ["area-a", "area-x"].map(String::from).into();
        assert_eq!(
            carry_ids(&before, &after, &used, 2021),
            vec![
                ("area-a".to_string(), Some("area-a".to_string())),
                ("area-p".to_string(), None)
            ]
        );
    }

    #[test]
    fn a_split_keeps_the_id_on_its_larger_part_and_an_old_id_is_not_reused() {
        let before = [area("area-a", &["a", "b", "c", "d", "e", "f"])];
        let after = [
            area("area-a", &["a", "b"]),
            area("area-c", &["c", "d", "e"]),
        ];
        let used: BTreeSet<String> = ["area-a"].map(String::from).into();
        assert_eq!(
            carry_ids(&before, &after, &used, 2025),
            vec![
                ("area-a-2025".to_string(), None),
                ("area-a".to_string(), Some("area-a".to_string()))
            ]
        );
    }

    #[test]
    fn a_merger_keeps_the_id_of_the_area_sharing_more() {
        let before = [
            area("area-a", &["a", "b"]),
            area("area-c", &["c", "d", "e"]),
        ];
        let after = [area("area-a", &["a", "b", "c", "d", "e"])];
        let used: BTreeSet<String> = ["area-a", "area-c"].map(String::from).into();
        assert_eq!(
            carry_ids(&before, &after, &used, 2025),
            vec![("area-c".to_string(), Some("area-c".to_string()))]
        );
    }
}
