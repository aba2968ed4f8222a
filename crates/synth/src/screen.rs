//! The columns of the municipal screening (`district`, `polling_district`, `low_income`,
//! `poor_health`, `dwelling_area`, `dwelling_residents`, `installation_deficiency`) and the two
//! area-level tables (`safety.csv`, `turnout.csv`).
//!
//! Everything here is drawn *after* the simulation of a year, from streams of its own
//! (purposes 20–29), and nothing here feeds back into the simulation. Adding the screening
//! therefore left every other column, and the state's lists, exactly as they were.
//!
//! * **Households.** The simulation does not model households, so each data year's residents
//!   of an area are grouped into households afresh: families (one or two adults of 20–59 with
//!   the area's children, about 1.8 children a family, single parents more often in deprived
//!   estates), then couples and singles. A household is a dwelling: its members share
//!   `dwelling_residents`, `dwelling_area`, `installation_deficiency` and `low_income`.
//! * **Low income** is the household's equivalised disposable income (gross incomes after a
//!   simple tax, child benefit, the modified OECD scale, and a household factor for what the
//!   gross incomes do not show) below 50 % of the national median. Student households are not
//!   counted, as in Statistics Denmark's poverty measure.
//! * **Poor health** (adults) rises with age, low income, basic education, time outside the
//!   labour market, the area's deprivation and a persistent personal frailty.

use crate::rng::{Rng, key, mix};
use crate::sim::{NO_AREA, NW_IMM, Outcome, Population, logistic, non_western, wage_level};
use crate::world::{AreaKind, CAPITAL_CODE, World};

const P_HOUSEHOLD: u64 = 20;
const P_DWELLING: u64 = 21;
const P_HEALTH: u64 = 22;
const P_FRAILTY: u64 = 23;
const P_SURVEY: u64 = 24;
const P_VOTE: u64 = 25;

/// The screening columns of one person-year row.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Row {
    /// `district`: 1–10 in the capital, the municipality code elsewhere, 0 with no address.
    pub district: u16,
    /// `polling_district`: see `world::Area::polling`; 0 with no address.
    pub polling: u16,
    /// `low_income`.
    pub low_income: bool,
    /// `poor_health`.
    pub poor_health: bool,
    /// `installation_deficiency`.
    pub deficient: bool,
    /// `dwelling_residents`; 0 means unknown (written as null).
    pub residents: u8,
    /// `dwelling_area` in whole m²; 0 means unknown (written as null).
    pub area_m2: f32,
}

/// The area-level tables: the safety survey of every data year written and the turnout of every
/// municipal election those years use.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tables {
    /// `year,district,respondents,unsafe`: the capital's districts, every data year written.
    pub safety: Vec<(i16, u16, u64, u64)>,
    /// `year,polling_district,electorate,votes`: every polling district at every election
    /// (see [`elections`]).
    pub turnout: Vec<(i16, u16, u64, u64)>,
}

impl Tables {
    /// `safety.csv`.
    pub fn safety_csv(&self) -> String {
        let mut s = String::from("year,district,respondents,unsafe\n");
        for (y, d, n, u) in &self.safety {
            s.push_str(&format!("{y},{d},{n},{u}\n"));
        }
        s
    }

    /// `turnout.csv`.
    pub fn turnout_csv(&self) -> String {
        let mut s = String::from("year,polling_district,electorate,votes\n");
        for (y, p, n, v) in &self.turnout {
            s.push_str(&format!("{y},{p},{n},{v}\n"));
        }
        s
    }
}

/// The first municipal election the simulation can hold (they are every fourth year: 2001,
/// 2005, …, 2021, 2025).
const FIRST_ELECTION: i16 = 2001;

/// Whether `year` has a municipal election (held in November, so the electorate is the
/// population at the end of the year, the data year's file).
pub fn is_election(year: i16) -> bool {
    year >= FIRST_ELECTION && (year - FIRST_ELECTION) % 4 == 0
}

/// The elections that data years `first..=last` use: the latest at or before `first` (when the
/// simulation reaches it) and every one after it up to `last`. Data years before 2001 have no
/// election to use.
pub fn elections(first: i16, last: i16) -> Vec<i16> {
    let from = (FIRST_ELECTION..=first).rev().find(|y| is_election(*y));
    (from.unwrap_or(first)..=last)
        .filter(|y| is_election(*y))
        .collect()
}

/// How much more (or less) people vote at an election than at a typical one, on the logit
/// scale: 2001 was held with the general election, and turnout varies a little from one
/// election to the next. Synthetic, but in the direction of Copenhagen's own elections.
fn election_effect(year: i16) -> f64 {
    match year {
        2001 => 0.35,
        2005 => -0.05,
        2013 => 0.12,
        2021 => -0.06,
        _ => 0.0,
    }
}

/// A household (= a dwelling), once formed.
#[derive(Clone, Copy)]
struct Household {
    adults: u16,
    kids: u16,
    net: f64,
    student_head: bool,
    /// Equivalised disposable income.
    eq: f32,
    /// Whole m², 0 for unknown.
    m2: f32,
    deficient: bool,
}

/// Disposable income from gross income: 8 % labour-market contribution, then about 36 % above
/// a personal allowance. Simple on purpose; only its relation to the median matters.
fn net(gross: f64, w: f64) -> f64 {
    let g = 0.92 * gross;
    g - 0.36 * (g - 0.13 * w).max(0.0)
}

/// The number of threads for the per-person passes.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// `out[i] = f(i)` for every index, in parallel. Each value depends only on its index, so the
/// result does not depend on the number of threads.
pub(crate) fn par_fill<R: Send>(out: &mut [R], f: impl Fn(usize) -> R + Sync) {
    let chunk = out.len().div_ceil(threads()).max(1);
    std::thread::scope(|s| {
        for (c, part) in out.chunks_mut(chunk).enumerate() {
            let f = &f;
            s.spawn(move || {
                for (k, slot) in part.iter_mut().enumerate() {
                    *slot = f(c * chunk + k);
                }
            });
        }
    });
}

/// The yearly outcomes of every person (same order), computed once for the files and the
/// screening columns.
pub fn outcomes(world: &World, pop: &Population) -> Vec<Outcome> {
    let mut out = vec![Outcome::default(); pop.persons.len()];
    par_fill(&mut out, |i| pop.outcome(world, &pop.persons[i]));
    out
}

/// The screening columns of every person in `pop.persons` (same order) for data year
/// `pop.year`. `outcomes` are the persons' outcomes of the year ([`outcomes`]).
pub fn year(world: &World, pop: &Population, outcomes: &[Outcome]) -> Vec<Row> {
    let persons = &pop.persons;
    let n = persons.len();
    let yr = pop.year;
    let seed = pop.seed;
    let w = wage_level(yr);

    // Residents grouped by area (a counting sort; people with no address last).
    let n_areas = world.areas.len();
    let slot = |a: u32| if a == NO_AREA { n_areas } else { a as usize };
    let mut start = vec![0usize; n_areas + 2];
    for p in persons {
        start[slot(p.area) + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut order = vec![0u32; n];
    {
        let mut at = start.clone();
        for (i, p) in persons.iter().enumerate() {
            let s = slot(p.area);
            order[at[s]] = i as u32;
            at[s] += 1;
        }
    }

    // Households, area by area, in parallel over runs of areas of about equal population.
    // `local[pos]` is the household of the person at `order[pos]`, numbered within the run.
    let t = threads();
    let mut cuts = vec![0usize];
    for (a, &before) in start.iter().enumerate().take(n_areas + 1).skip(1) {
        if before * t >= n * cuts.len() && cuts.len() < t {
            cuts.push(a);
        }
    }
    cuts.push(n_areas + 1);
    cuts.dedup();
    let mut local = vec![0u32; n];
    let mut runs: Vec<Vec<Household>> = Vec::new();
    std::thread::scope(|s| {
        let mut rest: &mut [u32] = &mut local;
        let mut handles = Vec::new();
        for k in 0..cuts.len() - 1 {
            let (a0, a1) = (cuts[k], cuts[k + 1]);
            let (part, tail) = rest.split_at_mut(start[a1] - start[a0]);
            rest = tail;
            let (order, start) = (&order, &start);
            handles.push(s.spawn(move || {
                let mut hhs = Vec::with_capacity(part.len() / 2 + 1);
                for a in a0..a1 {
                    let (p0, p1) = (start[a] - start[a0], start[a + 1] - start[a0]);
                    area_households(
                        world,
                        pop,
                        outcomes,
                        a,
                        &order[start[a]..start[a + 1]],
                        &mut part[p0..p1],
                        &mut hhs,
                        w,
                    );
                }
                hhs
            }));
        }
        for h in handles {
            runs.push(h.join().expect("household formation does not panic"));
        }
    });
    let mut hh_of = vec![0u32; n];
    let mut hhs: Vec<Household> = Vec::with_capacity(runs.iter().map(Vec::len).sum());
    for (k, run) in runs.into_iter().enumerate() {
        let offset = hhs.len() as u32;
        for pos in start[cuts[k]]..start[cuts[k + 1]] {
            hh_of[order[pos] as usize] = offset + local[pos];
        }
        hhs.extend(run);
    }
    drop((local, order));

    let median = {
        let mut v: Vec<f32> = hh_of.iter().map(|&h| hhs[h as usize].eq).collect();
        if v.is_empty() {
            0.0
        } else {
            let k = v.len() / 2;
            *v.select_nth_unstable_by(k, |a, b| a.total_cmp(b)).1
        }
    };
    let line = 0.5 * median;

    let mut rows = vec![Row::default(); n];
    par_fill(&mut rows, |i| {
        let p = &persons[i];
        let hh = &hhs[hh_of[i] as usize];
        let o = &outcomes[i];
        let low = !hh.student_head && hh.eq < line;
        let (district, polling, d, health_shift) = if p.area == NO_AREA {
            (0, 0, 0.8, 0.0)
        } else {
            let a = &world.areas[p.area as usize];
            (
                a.district,
                a.polling,
                pop.dep[p.area as usize],
                a.screen.health,
            )
        };
        let mut r = Rng::new(key(seed, P_HEALTH, yr as u64, mix(p.id)));
        let poor_health = if o.age >= 18 {
            // A persistent frailty, about standard normal (a sum of four uniforms is close
            // enough, and cheaper than Box–Muller for six million people).
            let mut f = Rng::new(key(seed, P_FRAILTY, 0, mix(p.id)));
            let frailty = (f.f64() + f.f64() + f.f64() + f.f64() - 2.0) * 3f64.sqrt();
            let z = -1.75
                + 0.032 * (f64::from(o.age) - 45.0)
                + 0.55 * f64::from(u8::from(low))
                + if o.education_level == 1 { 0.3 } else { 0.0 }
                + 0.5 * f64::from(o.outside_fte)
                + 0.6 * frailty
                + 0.7 * d.max(0.0)
                + health_shift;
            r.chance(logistic(z))
        } else {
            r.chance(0.04)
        };
        let size = u32::from(hh.adults) + u32::from(hh.kids);
        let housed = p.area != NO_AREA;
        Row {
            district,
            polling,
            low_income: low,
            poor_health,
            deficient: hh.deficient,
            residents: if housed { size.min(255) as u8 } else { 0 },
            area_m2: hh.m2,
        }
    });

    rows
}

/// Forms the households of area `a` (all of `world.areas` and, at `a == areas.len()`, the
/// people with no fixed address, one household each). `members` are the residents' indices;
/// `local[k]` receives the household of `members[k]`, as an index into `hhs`.
#[allow(clippy::too_many_arguments)]
fn area_households(
    world: &World,
    pop: &Population,
    outcomes: &[Outcome],
    a: usize,
    members: &[u32],
    local: &mut [u32],
    hhs: &mut Vec<Household>,
    w: f64,
) {
    if members.is_empty() {
        return;
    }
    let (seed, yr) = (pop.seed, pop.year);
    // Members are handled by their position `k` in `members`.
    let first = hhs.len();
    let outcome = |k: u32| &outcomes[members[k as usize] as usize];
    let mut join = |hhs: &mut Vec<Household>, h: usize, k: u32| {
        let o = outcome(k);
        let hh = &mut hhs[h];
        if o.age >= 18 {
            hh.adults += 1;
        } else {
            hh.kids += 1;
        }
        hh.net += net(o.income, w);
        local[k as usize] = h as u32;
    };
    let new = |hhs: &mut Vec<Household>, head: Option<&Outcome>| {
        hhs.push(Household {
            adults: 0,
            kids: 0,
            net: 0.0,
            student_head: head.is_some_and(|o| o.in_education && o.age >= 18),
            eq: 0.0,
            m2: 0.0,
            deficient: false,
        });
        hhs.len() - 1
    };
    let mut r = Rng::new(key(seed, P_DWELLING, yr as u64, a as u64));
    let Some(area) = world.areas.get(a) else {
        for k in 0..members.len() as u32 {
            let h = new(hhs, Some(outcome(k)));
            join(hhs, h, k);
        }
        finish(hhs, first, None, 0.0, w, &mut r);
        return;
    };
    let mut rh = Rng::new(key(seed, P_HOUSEHOLD, yr as u64, a as u64));
    let (mut kids, mut pool, mut rest) = (Vec::new(), Vec::new(), Vec::new());
    for k in 0..members.len() as u32 {
        match outcome(k).age {
            0..=17 => kids.push(k),
            20..=59 => pool.push(k),
            _ => rest.push(k),
        }
    }
    rh.shuffle(&mut kids);
    rh.shuffle(&mut pool);
    rh.shuffle(&mut rest);
    if pool.is_empty() {
        std::mem::swap(&mut pool, &mut rest);
    }
    let dep = if area.kind == AreaKind::SocialHousing {
        pop.dep[a]
    } else {
        0.0
    };
    // Families: a head, a partner for most, and the children dealt round.
    let families = if kids.is_empty() || pool.is_empty() {
        0
    } else {
        ((kids.len() as f64 / 1.8).ceil() as usize).clamp(1, pool.len())
    };
    let mut cursor = families;
    for &head in &pool[..families] {
        let h = new(hhs, Some(outcome(head)));
        join(hhs, h, head);
        if cursor < pool.len() && rh.chance(0.78 - 0.3 * dep.clamp(0.0, 1.2)) {
            join(hhs, h, pool[cursor]);
            cursor += 1;
        }
    }
    for (j, &k) in kids.iter().enumerate() {
        if families > 0 {
            join(hhs, first + j % families, k);
        } else {
            // Children with no adult in the area (rare): a household of their own.
            let h = new(hhs, None);
            join(hhs, h, k);
        }
    }
    // The other adults: couples and singles.
    rest.extend_from_slice(&pool[cursor..]);
    rh.shuffle(&mut rest);
    let mut k = 0;
    while k < rest.len() {
        let head = rest[k];
        let o = outcome(head);
        let couple = match o.age {
            0..=29 => 0.35,
            30..=64 => 0.55,
            _ => 0.5,
        };
        let h = new(hhs, Some(o));
        join(hhs, h, head);
        k += 1;
        if k < rest.len() && rh.chance(couple) {
            join(hhs, h, rest[k]);
            k += 1;
        }
    }
    // In deprived estates the registers see less than the gross incomes say: more single
    // providers, fewer assets, no second earner in part of the year.
    let shift = area.screen.income - 0.6 * (dep.min(1.3) - 0.6).max(0.0);
    finish(hhs, first, Some(area), shift, w, &mut r);
}

/// Equivalised disposable income and the dwelling of the households `hhs[first..]`.
fn finish(
    hhs: &mut [Household],
    first: usize,
    area: Option<&crate::world::Area>,
    shift: f64,
    w: f64,
    r: &mut Rng,
) {
    for hh in &mut hhs[first..] {
        let kids = f64::from(hh.kids);
        let scale = 1.0 + 0.5 * f64::from(hh.adults.max(1) - 1) + 0.3 * kids;
        let disposable = hh.net + 0.045 * w * kids;
        hh.eq = (disposable / scale * (0.15 * r.normal() + shift).exp()) as f32;
        let Some(a) = area else { continue };
        let s = f64::from((u32::from(hh.adults) + u32::from(hh.kids)).min(6));
        let (m2, deficient) = match a.kind {
            AreaKind::SocialHousing => (
                (42.0 + 11.0 * s + 8.0 * r.normal()).clamp(28.0, 140.0),
                0.002,
            ),
            AreaKind::Ordinary if r.chance(a.screen.old) => {
                ((36.0 + 9.0 * s + 9.0 * r.normal()).clamp(16.0, 120.0), 0.07)
            }
            AreaKind::Ordinary => (
                (58.0 + 20.0 * s + 22.0 * r.normal()).clamp(30.0, 320.0),
                0.004,
            ),
        };
        // BBR lacks the floor area of a few dwellings.
        hh.m2 = if r.chance(0.003) {
            0.0
        } else {
            m2.round() as f32
        };
        hh.deficient = r.chance(deficient);
    }
}

/// The safety survey of the capital's districts in data year `pop.year`.
///
/// The share feeling unsafe at night in a district is 6 % plus a term for its poor old streets
/// and its estates (the streets weigh more: the policy's least safe district is not its most
/// estate-heavy one), plus a *hot spot* term: the deprived estates of a district make the
/// evenings of the whole district feel less safe, beyond their own residents' share of the
/// answers, the more so the more deprived residents they house together (a quarter of
/// neighbouring deprived estates weighs more than one estate), up to a limit. Each term follows
/// the areas' deprivation, so a district becomes safer as its estates improve.
pub fn safety(world: &World, pop: &Population) -> Vec<(i16, u16, u64, u64)> {
    let seed = pop.seed;
    let yr = pop.year;
    let Some(capital) = world.munis.iter().position(|m| m.code == CAPITAL_CODE) else {
        return Vec::new();
    };
    let mut residents = vec![0u64; world.areas.len()];
    for p in &pop.persons {
        if p.area != NO_AREA {
            residents[p.area as usize] += 1;
        }
    }
    // district → (Σ street and estate terms over residents, residents, hot spot: Σ over its
    // estates of their deprivation above SAFETY_HOT_SPOT, at most 0.6, × residents / 1,500).
    let mut districts: std::collections::BTreeMap<u16, (f64, u64, f64)> = Default::default();
    for (i, a) in world.areas.iter().enumerate() {
        if a.muni != capital {
            continue;
        }
        let d = pop.dep[i].max(0.0);
        let n = residents[i];
        let e = districts.entry(a.district).or_default();
        e.1 += n;
        if a.kind == AreaKind::SocialHousing {
            e.0 += 0.6 * d * n as f64;
            e.2 += (d - SAFETY_HOT_SPOT).clamp(0.0, 0.6) * n as f64 / 1500.0;
        } else {
            e.0 += (0.5 * d + (-a.screen.income).max(0.0)) * n as f64;
        }
    }
    districts
        .iter()
        .map(|(&d, &(v, n, hot))| {
            let mut r = Rng::new(key(seed, P_SURVEY, yr as u64, u64::from(d)));
            let share = (0.06
                + SAFETY_AREA_WEIGHT * v / n.max(1) as f64
                + SAFETY_HOT_WEIGHT * hot.min(0.6)
                + 0.015 * r.normal())
            .clamp(0.06, 0.45);
            let respondents = r.range(350.0, 1000.0).round() as u64;
            let unsafe_ = (0..respondents).filter(|_| r.chance(share)).count() as u64;
            (yr, d, respondents, unsafe_)
        })
        .collect()
}

/// How much a district's poor old streets and deprived estates weigh in its share feeling
/// unsafe, per unit of deprivation per resident. The policy's figures are 28–33 % unsafe in its
/// areas and 10 % in the safest district; with this weight and the hot spot
/// ([`SAFETY_HOT_WEIGHT`]) the safest district is at about 9 % and the designated areas at
/// about 34 % in 2023 (seed 1, docs/SYNTH.md, "The capital against the policy's figures").
/// Before the estate quarters of issue 16 the areas were at about 25 %; a stronger weight then
/// reached 28 % but made the safety criterion designate more single estates.
const SAFETY_AREA_WEIGHT: f64 = 0.72;

/// The deprivation above which an estate makes its district's evenings feel less safe.
const SAFETY_HOT_SPOT: f64 = 0.4;
/// How much it does: the share feeling unsafe rises by this much per unit of the hot-spot sum
/// (Σ over the district's estates of their deprivation above [`SAFETY_HOT_SPOT`], at most 0.6,
/// × residents / 1,500), which counts up to 0.6. Until issue 16 the term was the single most
/// deprived estate's, at a weight of 0.1; a district's estates now lie together in one estate
/// quarter (`world::ESTATE_DISTRICTS`), whose deprived residents make its evenings less safe
/// together, so that the safety criterion holds a deprived quarter together as one area.
const SAFETY_HOT_WEIGHT: f64 = 0.2;

/// The turnout of every polling district at the municipal election of data year `pop.year`
/// (call it for election years, [`is_election`]); `outcomes` and `rows` are that year's
/// ([`outcomes`], [`year`]). The electorate is every resident aged 18 or more; each votes with a
/// probability that rises with age and education and falls with low income, non-Western origin
/// and the area's deprivation.
pub fn turnout(
    world: &World,
    pop: &Population,
    outcomes: &[Outcome],
    rows: &[Row],
) -> Vec<(i16, u16, u64, u64)> {
    let seed = pop.seed;
    let yr = pop.year;
    let mut polls: std::collections::BTreeMap<u16, (u64, u64)> = Default::default();
    for (i, p) in pop.persons.iter().enumerate() {
        let row = &rows[i];
        let o = &outcomes[i];
        if p.area == NO_AREA || o.age < 18 {
            continue;
        }
        let a = &world.areas[p.area as usize];
        let d = pop.dep[p.area as usize].max(0.0);
        // Deprived estates and poor old streets.
        let v = if a.kind == AreaKind::SocialHousing {
            d
        } else {
            0.5 * d + (-a.screen.income).max(0.0)
        };
        let z = 0.8
            + election_effect(yr)
            + 0.025 * (f64::from(o.age) - 45.0).clamp(-25.0, 25.0)
            + match o.education_level {
                3 => 0.45,
                2 => 0.0,
                _ => -0.35,
            }
            - 0.45 * f64::from(u8::from(row.low_income))
            - if p.origin == NW_IMM {
                0.7
            } else if non_western(p.origin) {
                0.35
            } else {
                0.0
            }
            - 1.0 * v.min(1.0);
        let mut r = Rng::new(key(seed, P_VOTE, yr as u64, mix(p.id)));
        let e = polls.entry(row.polling).or_default();
        e.0 += 1;
        e.1 += u64::from(r.chance(logistic(z)));
    }
    polls.iter().map(|(&p, &(n, v))| (yr, p, n, v)).collect()
}
