//! The plans' status: every indicator's progress from the stored area-years, with every figure
//! of the data through the disclosure policy. What `/plans`, the plans report and
//! `kvarter plans status` show. Pure: the caller reads the observations, the latest list year
//! and the listed areas from the store and hands them in.

use crate::area::group_of;
use crate::disclosure::Policy;
use crate::{Pool, VALUE_COLUMNS};
use kvarter_plans::{Areas, Indicator, Plans, Progress};
use kvarter_rules::{Decimal, Observation};
use std::collections::BTreeMap;

/// Every indicator's progress, by indicator id, and the list year the missing baselines were
/// taken from (when any was).
pub struct Tracked {
    /// Indicator id → progress.
    pub progress: BTreeMap<String, Progress>,
    /// The list year baselines left empty by the plans were filled from, if any was.
    pub filled_from: Option<(i32, usize)>,
}

/// The areas an indicator measures: its own, or for `*` the `listed` ones.
fn areas_of(i: &Indicator, listed: &[String]) -> Vec<String> {
    match &i.areas {
        Areas::All => listed.to_vec(),
        Areas::Listed(a) => a.clone(),
    }
}

/// A measure (a value column of `area_years`) per list year over some areas, or all: weighted by
/// the measured group, rounded to 2 decimals as the criteria are; for `residents`, the sum.
/// Years without a value for any of the areas are left out, and so are years whose pooled
/// figure the disclosure policy does not let be published: a pool under the minimum (in
/// persons, or in persons counted by a share), or a pool in which the areas whose own figure is
/// suppressed add up to fewer than the minimum (their figure could be recomputed from the pool
/// and the areas shown beside it).
pub fn measure_series(
    observations: &[Observation],
    policy: &Policy,
    measure: &str,
    areas: Option<&[String]>,
) -> Result<BTreeMap<i32, Decimal>, String> {
    if !VALUE_COLUMNS.contains(&measure) {
        return Err(format!(
            "measure '{measure}': expected one of {}",
            VALUE_COLUMNS.join(", ")
        ));
    }
    let group = group_of(measure);
    let mut pools: BTreeMap<i32, Pool> = BTreeMap::new();
    for o in observations {
        if areas.is_some_and(|a| !a.contains(&o.area_id)) {
            continue;
        }
        let Some(&v) = o.values.get(measure) else {
            continue;
        };
        let w = match group {
            None => Decimal::ONE,
            Some(g) => match o.values.get(g) {
                Some(&w) => w,
                None => continue,
            },
        };
        let shown = policy
            .area_year(|c| o.values.get(c).copied())
            .get(measure)
            .shown()
            .is_some();
        pools.entry(o.list_year).or_default().add(v, w, shown);
    }
    Ok(pools
        .into_iter()
        .filter_map(|(y, p)| {
            let v = *p.publish(policy, measure).shown()?;
            Some((y, if group.is_some() { v.round_dp(2) } else { v }))
        })
        .collect())
}

/// Every indicator's progress, with the list years after `up_to` (when given) left out of both
/// the indicator's and the city's series. `listed` are the areas `*` means.
pub fn progress_up_to(
    observations: &[Observation],
    policy: &Policy,
    plans: &Plans,
    listed: &[String],
    up_to: Option<i32>,
) -> Result<BTreeMap<String, Progress>, String> {
    let cut = |mut s: BTreeMap<i32, Decimal>| {
        if let Some(y) = up_to {
            s.retain(|year, _| *year <= y);
        }
        s
    };
    let mut progress = BTreeMap::new();
    // The city series of a measure is the same for every indicator on it: compute it once.
    let mut cities: BTreeMap<&str, BTreeMap<i32, Decimal>> = BTreeMap::new();
    for (ind, _) in plans.indicators() {
        let measure = ind.measure.as_str();
        let data = cut(measure_series(
            observations,
            policy,
            measure,
            Some(&areas_of(ind, listed)),
        )?);
        if !cities.contains_key(measure) {
            cities.insert(
                measure,
                cut(measure_series(observations, policy, measure, None)?),
            );
        }
        progress.insert(
            ind.id.clone(),
            kvarter_plans::progress(ind, &data, &cities[measure]),
        );
    }
    Ok(progress)
}

/// Computes every indicator's progress. `*` means the `listed` areas (those on a state list in
/// the `latest` list year); the city is every area observed. A baseline the plans leave empty
/// is taken from the data four list years before the latest, and the indicator marked
/// illustrative. Every figure of the data goes through the disclosure `policy`
/// ([`measure_series`]).
pub fn track(
    observations: &[Observation],
    policy: &Policy,
    plans: &mut Plans,
    latest: Option<i32>,
    listed: &[String],
) -> Result<Tracked, String> {
    let mut filled_from = None;
    if let Some(latest) = latest {
        let year = latest - 4;
        let mut error = None;
        let n = plans.fill_missing_baselines(year, |ind| {
            match measure_series(
                observations,
                policy,
                ind.measure.as_str(),
                Some(&areas_of(ind, listed)),
            ) {
                Ok(s) => s.get(&year).copied(),
                Err(x) => {
                    error = Some(x);
                    None
                }
            }
        });
        if let Some(x) = error {
            return Err(x);
        }
        if n > 0 {
            filled_from = Some((year, n));
        }
    }
    Ok(Tracked {
        progress: progress_up_to(observations, policy, plans, listed, None)?,
        filled_from,
    })
}

/// The stored plan files ((name, content), as the store reads them), parsed; `None` when the
/// store has none.
pub fn stored(files: &[(String, String)]) -> Result<Option<Plans>, String> {
    if files.is_empty() {
        return Ok(None);
    }
    kvarter_plans::csv::read(files)
        .map(Some)
        .map_err(|e| format!("stored plans: {e}"))
}
