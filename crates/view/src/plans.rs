//! The plans' status: every indicator's progress on the population it names, beside the rest
//! of the same whole, with every figure of the data through the disclosure policy. What
//! `/plans`, the plans report and `kvarter plans status` show. Pure: the caller reads the
//! area-years, the listed estates and the population counts from the store ([`Data`]).
//!
//! | measure | population | years | compared with |
//! |---|---|---|---|
//! | a column of the area-year table | the estates on a state list, or named estates | list years | the other estates observed |
//! | an indicator of the screening | the udsatte byområder of the latest round, one of them, the municipality, or estates | data years | the rest of the municipality (nothing for the municipality itself) |
//! | `none` | any | – | – (no data source; the indicator names the one that would feed it) |

use crate::area::group_of;
use crate::disclosure::Policy;
use crate::population::{Counted, Population as Counts, measure};
use crate::{Pool, VALUE_COLUMNS};
use kvarter_plans::{Areas, Indicator, Plans, Population, Progress};
use kvarter_rules::{Decimal, Observation};
use std::collections::BTreeMap;

/// Every indicator's progress, by indicator id, and the list year the missing baselines were
/// taken from (when any was).
pub struct Tracked {
    /// Indicator id → progress.
    pub progress: BTreeMap<String, Progress>,
    /// The list year baselines left empty by the plans were filled from, if any was.
    pub filled_from: Option<(i32, usize)>,
    /// The designation round the screening's indicators are measured on: (spec, year).
    pub round: Option<(String, i32)>,
}

/// What the plans are measured from, as the store holds it.
pub struct Data<'a> {
    /// Every area-year.
    pub observations: &'a [Observation],
    /// The estates on a state list in the latest list year.
    pub listed: &'a [String],
    /// The population counts of the latest designation round.
    pub counted: &'a Counted,
}

/// The estates an indicator measures on the area-year table: the listed ones, or its own.
fn areas_of(i: &Indicator, listed: &[String]) -> Vec<String> {
    match (&i.population, &i.areas) {
        (Population::Estates, Areas::Listed(a)) => a.clone(),
        _ => listed.to_vec(),
    }
}

/// The estates observed that are not among `areas`: the comparator of an estate population.
fn other_estates(observations: &[Observation], areas: &[String]) -> Vec<String> {
    let mut rest: Vec<String> = observations
        .iter()
        .filter(|o| !areas.contains(&o.area_id))
        .map(|o| o.area_id.clone())
        .collect();
    rest.sort();
    rest.dedup();
    rest
}

/// The counted population an indicator of the screening is measured on.
fn counted_population(i: &Indicator, listed: &[String]) -> Counts {
    match &i.population {
        Population::Designated => Counts::Designated,
        Population::Area(id) => Counts::Area(id.clone()),
        Population::Municipality => Counts::Municipality,
        Population::StateListed => Counts::Estates(listed.to_vec()),
        Population::Estates => Counts::Estates(areas_of(i, listed)),
    }
}

/// A series: year → value.
pub type Series = BTreeMap<i32, Decimal>;

/// An indicator's series and its comparator's, only figures the policy lets be shown.
pub fn series(
    data: &Data<'_>,
    policy: &Policy,
    ind: &Indicator,
) -> Result<(Series, Series), String> {
    if ind.measure.is_area_year() {
        let areas = areas_of(ind, data.listed);
        let measure = ind.measure.as_str();
        let own = measure_series(data.observations, policy, measure, Some(&areas))?;
        let rest = measure_series(
            data.observations,
            policy,
            measure,
            Some(&other_estates(data.observations, &areas)),
        )?;
        return Ok((own, rest));
    }
    if !ind.measure.is_screening() {
        return Ok(Default::default());
    }
    let measured = measure(
        data.counted,
        policy,
        &counted_population(ind, data.listed),
        ind.measure.as_str(),
        ind.measure.is_share(),
    );
    let pick = |f: fn(&crate::population::Measured) -> Option<Decimal>| {
        measured
            .iter()
            .filter_map(|(y, m)| Some((*y, f(m)?)))
            .collect::<BTreeMap<_, _>>()
    };
    Ok((
        pick(|m| m.value.shown().copied()),
        pick(|m| m.rest.shown().copied()),
    ))
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

/// Every indicator's progress as of list year `up_to` (when given): the list years after it,
/// or the data years from it on (the list of 1 December Y rests on data year Y − 1), left out
/// of both its series and its comparator's.
pub fn progress_up_to(
    data: &Data<'_>,
    policy: &Policy,
    plans: &Plans,
    up_to: Option<i32>,
) -> Result<BTreeMap<String, Progress>, String> {
    let mut progress = BTreeMap::new();
    for (ind, _) in plans.indicators() {
        let last = up_to.map(|y| if ind.measure.is_area_year() { y } else { y - 1 });
        let cut = |mut s: BTreeMap<i32, Decimal>| {
            if let Some(y) = last {
                s.retain(|year, _| *year <= y);
            }
            s
        };
        let (own, rest) = series(data, policy, ind)?;
        progress.insert(
            ind.id.clone(),
            kvarter_plans::progress(ind, &cut(own), &cut(rest)),
        );
    }
    Ok(progress)
}

/// Computes every indicator's progress on its population ([`series`]). A baseline the plans
/// leave empty is taken from the data four years before the latest list year (a list year of
/// the area-year table, a data year of the screening's counts), and the indicator marked
/// illustrative.
pub fn track(
    data: &Data<'_>,
    policy: &Policy,
    plans: &mut Plans,
    latest: Option<i32>,
) -> Result<Tracked, String> {
    let mut filled_from = None;
    if let Some(latest) = latest {
        let year = latest - 4;
        let mut error = None;
        let n = plans.fill_missing_baselines(year, |ind| match series(data, policy, ind) {
            Ok((s, _)) => s.get(&year).copied(),
            Err(x) => {
                error = Some(x);
                None
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
        progress: progress_up_to(data, policy, plans, None)?,
        filled_from,
        round: data.counted.round().map(|(s, y)| (s.to_string(), y)),
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
