//! The people: an initial population, and a year-by-year microsimulation of births, deaths,
//! migration, moves, education, work, income and convictions.
//!
//! Two kinds of randomness are kept apart, both derived from the seed:
//!
//! * **Demography** (who dies, who moves where, who is born or immigrates) runs sequentially on
//!   one stream in a fixed order. It changes the population, so it cannot be reordered anyway.
//! * **Yearly outcomes** (work, income, conviction) are drawn from a stream keyed by (seed,
//!   year, person), so they do not depend on processing order and can be computed in chunks,
//!   or in parallel, without changing a byte.
//!
//! Outcomes depend on a person's persistent traits, age, origin and education, and on the
//! *area effect*: the area's deprivation in that year. Traits give persistence (the same
//! people stay on benefits year after year); the yearly noise makes people find and lose jobs.

use crate::rng::{Rng, key, mix};
use crate::world::{BASE_YEAR, World};

/// Marks a person with no fixed address (no area, no coordinates).
pub const NO_AREA: u32 = u32::MAX;

const P_INIT: u64 = 10;
const P_DEMOGRAPHY: u64 = 11;
const P_OUTCOME: u64 = 12;
const P_WALK: u64 = 13;

/// Share of people with no fixed address, kept small: they exercise the nullable `area_id`.
const NO_ADDRESS: f64 = 0.001;

/// Origin codes (docs/REGISTERS.md).
const DANISH: u8 = 0;
const W_IMM: u8 = 1;
const W_DESC: u8 = 2;
pub(crate) const NW_IMM: u8 = 3;
const NW_DESC: u8 = 4;

pub(crate) fn non_western(origin: u8) -> bool {
    origin >= NW_IMM
}

/// One resident. Kept compact (40 bytes): the country holds about six million.
#[derive(Debug, Clone)]
pub struct Person {
    /// Stable pseudonymous id; new persons get increasing ids, so the population stays sorted.
    pub id: u64,
    /// Index into `World::areas`, or `NO_AREA`.
    pub area: u32,
    /// Municipality index (also for people with no fixed address).
    pub muni: u16,
    /// Address inside the area's rectangle, as fractions of its width and height (1/65536).
    pub addr: (u16, u16),
    /// Birth year: the age on 1 January of y + 1 is y − birth_year.
    pub birth: i16,
    /// Year of immigration (or `BASE_YEAR - 100` for people born here).
    pub arrived: i16,
    /// `origin` code.
    pub origin: u8,
    /// Highest level the person will reach through Danish education (1–3).
    pub edu_final: u8,
    /// Extra years the person takes to finish (0–3).
    pub edu_delay: u8,
    /// For people educated abroad: the level (0 unknown) and the source code (1–4); 0 source
    /// means a Danish education path.
    pub foreign_level: u8,
    /// Source code of the foreign education (0 for the Danish path).
    pub foreign_source: u8,
    /// Persistent traits, standard normal in the population: ability (education, earnings),
    /// attachment to the labour market, and propensity to crime.
    pub ability: f32,
    /// See `ability`.
    pub attach: f32,
    /// See `ability`.
    pub crime: f32,
}

impl Person {
    /// Age on 1 January of `year + 1`, the age the files carry for data year `year`.
    pub fn age(&self, year: i16) -> u8 {
        (year - self.birth).clamp(0, 120) as u8
    }

    fn resources(&self) -> f32 {
        self.attach + 0.5 * self.ability - 0.3 * self.crime
    }
}

/// The population at 1 January of the year after `year`, and the state needed to move on.
pub struct Population {
    /// Residents, sorted by id.
    pub persons: Vec<Person>,
    /// The year whose end the population describes (None before the first step).
    pub year: i16,
    /// Each area's deprivation in `year` (trend plus random walk).
    pub dep: Vec<f64>,
    walk: Vec<f64>,
    /// How much the 2018 package has lowered each area's deprivation in `year`
    /// ([`crate::world::Area::package_gain`]); part of it does not show in work
    /// ([`PACKAGE_ON_WORK`]).
    gain: Vec<f64>,
    next_id: u64,
    demo: Rng,
    pub(crate) seed: u64,
}

/// Yearly outcomes of one person (the columns of a person-year row that are not state).
#[derive(Debug, Clone, Copy, Default)]
pub struct Outcome {
    /// Age on 1 January of y + 1.
    pub age: u8,
    /// Part of the year outside the labour market on counted benefits.
    pub outside_fte: f32,
    /// Enrolled in an education on 1 October.
    pub in_education: bool,
    /// Highest completed education level (0–3).
    pub education_level: u8,
    /// Source of the highest education (0–4).
    pub education_source: u8,
    /// Gross income, DKK.
    pub income: f64,
    /// Fully taxable in Denmark.
    pub taxable: bool,
    /// Convicted during the year.
    pub convicted: bool,
}

/// Nominal earnings level of an average full-time worker in `year`: about 2.3 % a year.
pub(crate) fn wage_level(year: i16) -> f64 {
    330_000.0 * (0.023 * f64::from(year - 2006)).exp()
}

pub(crate) fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Yearly death probability by age: Gompertz, with infant mortality, and nobody past 110.
fn death_rate(age: i16) -> f64 {
    match age {
        0 => 0.004,
        a if a >= 110 => 1.0,
        a => (-10.4 + 0.097 * f64::from(a)).exp().min(0.6),
    }
}

/// Yearly probability of moving house, by age.
fn move_rate(age: i16) -> f64 {
    match age {
        0..=17 => 0.07,
        18..=24 => 0.22,
        25..=34 => 0.16,
        35..=49 => 0.08,
        50..=69 => 0.045,
        _ => 0.035,
    }
}

impl Population {
    /// The population on 1 January `BASE_YEAR`: each area filled to its target with an age
    /// pyramid (younger in deprived estates), origins after the area's inflow, and traits
    /// shifted by the area's deprivation.
    pub fn initial(world: &World, seed: u64) -> Population {
        let mut r = Rng::new(key(seed, P_INIT, 0, 0));
        let mut persons = Vec::new();
        let mut next_id = 1u64;
        let year = BASE_YEAR - 1;
        let dep: Vec<f64> = world.areas.iter().map(|a| a.trend(BASE_YEAR)).collect();
        for (ai, a) in world.areas.iter().enumerate() {
            let n = a.target(BASE_YEAR).round() as usize;
            let d = dep[ai];
            let nw = a.nw_inflow(BASE_YEAR) * 0.75;
            for _ in 0..n {
                // Age pyramid: flat to 55, then thinning; deprived estates are younger.
                let age = loop {
                    let age = r.below(100) as i16;
                    let w = if age < 55 {
                        1.0
                    } else {
                        (-0.065 * f64::from(age - 55)).exp()
                    } * (-0.008 * d.max(0.0) * f64::from(age)).exp();
                    if r.chance(w) {
                        break age;
                    }
                };
                let birth = year - age;
                let origin = if r.chance(nw) {
                    if age < 18 && r.chance(0.7) {
                        NW_DESC
                    } else {
                        NW_IMM
                    }
                } else if r.chance(0.045) {
                    if age < 18 { W_DESC } else { W_IMM }
                } else {
                    DANISH
                };
                let arrived = if origin == NW_IMM || origin == W_IMM {
                    (birth + 18 + r.below(30) as i16).min(year)
                } else {
                    BASE_YEAR - 100
                };
                let mut p = new_person(&mut r, next_id, ai as u32, a.muni as u16, birth, origin, d);
                p.arrived = arrived;
                if arrived > BASE_YEAR - 100 && (arrived - birth) >= 18 {
                    foreign_education(&mut r, &mut p);
                }
                if r.chance(NO_ADDRESS) {
                    p.area = NO_AREA;
                }
                next_id += 1;
                persons.push(p);
            }
        }
        Population {
            persons,
            year,
            walk: vec![0.0; world.areas.len()],
            gain: vec![0.0; world.areas.len()],
            dep,
            next_id,
            demo: Rng::new(key(seed, P_DEMOGRAPHY, 0, 0)),
            seed,
        }
    }

    /// Moves the population through one year: from 1 January `year` to 1 January `year + 1`.
    pub fn step(&mut self, world: &World) {
        let year = self.year + 1;
        self.year = year;
        let n_areas = world.areas.len();

        // Area effects: trend plus an AR(1) walk, so a few areas cross thresholds each year.
        for (i, a) in world.areas.iter().enumerate() {
            let mut wr = Rng::new(key(self.seed, P_WALK, i as u64, year as u64));
            let sd = if a.social() { 0.085 } else { 0.02 };
            self.walk[i] = 0.8 * self.walk[i] + sd * wr.normal();
            // On top, a shock that lasts one year (a workplace closing, a few families moving in
            // or out, a spell of crime): areas leave a list and come back, as the published
            // ones did (only 15 of the 29 areas on the 2018 list had been on the four before).
            let shock = if a.social() {
                ESTATE_SHOCK * wr.normal()
            } else {
                0.0
            };
            self.dep[i] = a.trend(year) + self.walk[i] + shock;
            self.gain[i] = a.package_gain(year);
        }

        // Areas above their target lose the excess abroad: births and movers who found no home
        // elsewhere would otherwise let the population drift above the targets.
        let mut count = vec![0i64; n_areas];
        for p in &self.persons {
            if p.area != NO_AREA {
                count[p.area as usize] += 1;
            }
        }
        let excess: Vec<f64> = world
            .areas
            .iter()
            .zip(&count)
            .map(|(a, &n)| (1.0 - a.target(year) / n.max(1) as f64).max(0.0))
            .collect();

        let r = &mut self.demo;
        let mut present = vec![0i64; n_areas];
        let mut babies = Vec::new();
        let mut movers: Vec<u32> = Vec::new();
        let mut keep = vec![true; self.persons.len()];
        for (i, p) in self.persons.iter().enumerate() {
            let age = year - 1 - p.birth; // on 1 January of `year`
            let immigrant = p.origin == NW_IMM || p.origin == W_IMM;
            let emig = if immigrant {
                if year - p.arrived < 5 { 0.045 } else { 0.012 }
            } else {
                0.004
            };
            let over = if p.area == NO_AREA {
                0.0
            } else {
                excess[p.area as usize]
            };
            if r.chance(death_rate(age)) || r.chance(emig + over) {
                keep[i] = false;
                continue;
            }
            // Births: to residents aged 20–44, more often to non-Western immigrants.
            if (20..45).contains(&age) {
                let rate = if p.origin == NW_IMM { 0.085 } else { 0.058 };
                if r.chance(rate) {
                    babies.push(i);
                }
            }
            let m = if p.area == NO_AREA {
                0.5
            } else {
                move_rate(age)
            };
            if r.chance(m) {
                movers.push(i as u32);
            } else if p.area != NO_AREA {
                present[p.area as usize] += 1;
            }
        }
        // Newborns live with the parent, who may still move (they are then placed apart; the
        // simulation does not model households).
        let mut born = Vec::with_capacity(babies.len());
        for &i in &babies {
            let parent = &self.persons[i];
            let origin = match parent.origin {
                NW_IMM => NW_DESC,
                NW_DESC if r.chance(0.6) => NW_DESC,
                W_IMM => W_DESC,
                _ => DANISH,
            };
            let d = if parent.area == NO_AREA {
                0.0
            } else {
                self.dep[parent.area as usize]
            };
            let mut child = new_person(r, self.next_id, parent.area, parent.muni, year, origin, d);
            self.next_id += 1;
            child.addr = parent.addr;
            // Traits run partly in families.
            child.ability = 0.5 * parent.ability + 0.87 * child.ability;
            child.attach = 0.4 * parent.attach + 0.92 * child.attach;
            child.edu_final = edu_final(r, child.ability, d);
            if child.area != NO_AREA {
                present[child.area as usize] += 1;
            }
            born.push(child);
        }

        // Vacancies: each area's target less those who stay.
        let mut vacancies: Vec<i64> = world
            .areas
            .iter()
            .zip(&present)
            .map(|(a, &n)| (a.target(year + 1).round() as i64 - n).max(0))
            .collect();

        // Movers: three in four look within their municipality first.
        r.shuffle(&mut movers);
        let n_munis = world.munis.len();
        let mut local: Vec<Pools> = (0..n_munis).map(|_| Pools::default()).collect();
        let mut national = Pools::default();
        let median = {
            let mut s: Vec<f32> = movers
                .iter()
                .map(|&i| self.persons[i as usize].resources())
                .collect();
            if s.is_empty() {
                0.0
            } else {
                let k = s.len() / 2;
                *s.select_nth_unstable_by(k, |a, b| a.total_cmp(b)).1
            }
        };
        for &i in &movers {
            let p = &self.persons[i as usize];
            let class = Pools::class(p.origin, p.resources() < median);
            if r.chance(0.75) {
                local[p.muni as usize].0[class].push(i);
            } else {
                national.0[class].push(i);
            }
        }
        let mut by_muni: Vec<Vec<u32>> = vec![Vec::new(); n_munis];
        for (ai, a) in world.areas.iter().enumerate() {
            by_muni[a.muni].push(ai as u32);
        }
        let mut placements: Vec<(u32, u32)> = Vec::with_capacity(movers.len()); // (person, area)
        let mut wanted: Vec<(u32, usize)> = Vec::new(); // vacancies left for immigrants
        for (m, areas) in by_muni.iter().enumerate() {
            let mut slots = Vec::new();
            for &a in areas {
                for _ in 0..vacancies[a as usize] {
                    slots.push(a);
                }
            }
            r.shuffle(&mut slots);
            for a in slots {
                let class = want(r, &world.areas[a as usize], self.dep[a as usize], year);
                if let Some(i) = local[m].take(class) {
                    placements.push((i, a));
                    vacancies[a as usize] -= 1;
                }
            }
            // The rest of the local movers look further afield.
            for c in 0..4 {
                national.0[c].append(&mut local[m].0[c]);
            }
        }
        for c in 0..4 {
            r.shuffle(&mut national.0[c]);
        }
        let mut slots = Vec::new();
        for (a, &v) in vacancies.iter().enumerate() {
            for _ in 0..v {
                slots.push(a as u32);
            }
        }
        r.shuffle(&mut slots);
        for a in slots {
            let class = want(r, &world.areas[a as usize], self.dep[a as usize], year);
            match national.take(class) {
                Some(i) => placements.push((i, a)),
                None => wanted.push((a, class)),
            }
        }
        // Movers who found nothing stay where they were.
        for &(i, a) in &placements {
            let p = &mut self.persons[i as usize];
            let area = &world.areas[a as usize];
            p.muni = area.muni as u16;
            p.area = if r.chance(NO_ADDRESS) { NO_AREA } else { a };
            p.addr = (r.u64() as u16, r.u64() as u16);
        }

        // Adults educated abroad sometimes take a Danish education.
        for p in self.persons.iter_mut() {
            let age = year - p.birth;
            if p.foreign_source != 0 && (20..50).contains(&age) && r.chance(0.005) {
                p.foreign_source = 0;
                p.foreign_level = 0;
                p.edu_final = p.edu_final.max(2);
                p.edu_delay = (age - 19).clamp(0, 30) as u8; // finished this year
            }
        }

        // Compact: survivors keep their order, then newborns and immigrants with fresh ids.
        let mut k = 0;
        self.persons.retain(|_| {
            k += 1;
            keep[k - 1]
        });
        self.persons.extend(born);
        for (a, class) in wanted {
            let area = &world.areas[a as usize];
            let origin = match class {
                0 | 1 => NW_IMM,
                _ if r.chance(0.5) => W_IMM,
                _ => DANISH, // Danes returning from abroad
            };
            let age = immigrant_age(r);
            let d = self.dep[a as usize] + if class % 2 == 0 { 0.4 } else { -0.2 };
            let mut p = new_person(r, self.next_id, a, area.muni as u16, year - age, origin, d);
            self.next_id += 1;
            if origin != DANISH {
                p.arrived = year;
                if age >= 18 {
                    foreign_education(r, &mut p);
                }
            }
            self.persons.push(p);
        }
    }

    /// The outcomes of person `p` in data year `self.year`. Pure: the same person in the same
    /// year always gets the same outcome, whatever order persons are processed in.
    pub fn outcome(&self, world: &World, p: &Person) -> Outcome {
        let year = self.year;
        let mut r = Rng::new(key(self.seed, P_OUTCOME, year as u64, mix(p.id)));
        let age = p.age(year);
        let a = i16::from(age);
        let (d, gain, aimed_at) = if p.area == NO_AREA {
            (0.8, 0.0, false)
        } else {
            let i = p.area as usize;
            (self.dep[i], self.gain[i], world.areas[i].package_aimed_at())
        };
        // How much of the 2018 package's gain does not show in the residents' outcomes: all of
        // it in an estate the package did not aim at, and half of it in work elsewhere.
        let (unseen, unseen_in_work) = if aimed_at {
            (0.0, 1.0 - PACKAGE_ON_WORK)
        } else {
            (1.0, 1.0)
        };
        let d_work = area_effect(d + unseen_in_work * gain);
        let d = area_effect(d + unseen * gain);
        let region = world.munis[p.muni as usize].region;

        // Education: Danish path by age, or what the person brought from abroad.
        let basic_at = 16;
        let upper_at = 19 + i16::from(p.edu_delay);
        let higher_at = 24 + i16::from(p.edu_delay);
        let (mut level, mut source, in_education) = if p.foreign_source == 3 && year < 2012 {
            // Imputed foreign educations enter the register from data year 2012 (a synthetic
            // assumption); before that they are unknown, which the 2013 model counts as basic.
            // (From 2016 they made the 2013–2017 lists fall off a cliff in 2017 that the
            // published lists do not show.)
            (0, 4, r.chance(0.03) && a < 50)
        } else if p.foreign_source != 0 {
            (p.foreign_level, p.foreign_source, r.chance(0.03) && a < 50)
        } else if a < basic_at {
            (0, 4, a >= 6)
        } else {
            let done = match p.edu_final {
                3 if a >= higher_at => 3,
                3 | 2 if a >= upper_at => 2,
                _ => 1,
            };
            let studying = done < p.edu_final || (a < 18 && r.chance(0.7));
            (done, 0, studying && a < 35)
        };
        if p.foreign_source == 0 && a >= 30 && r.chance(0.015) {
            // A few records lack the education, as in the real registers.
            level = 0;
            source = 4;
        }

        // Outside the labour market, in full-time equivalents (weeks ÷ 52).
        let mut outside = 0.0f32;
        if (18..=64).contains(&a) && !in_education {
            let reform = integration_reforms(year);
            let origin_effect = match p.origin {
                NW_IMM => 1.0 - 0.04 * f64::from((year - p.arrived).min(15)) - reform,
                NW_DESC => 0.45 - 0.5 * reform,
                W_IMM => 0.15,
                W_DESC => 0.1,
                _ => 0.0,
            };
            let age_effect = match a {
                18..=24 => 0.15,
                25..=29 => 0.0,
                30..=49 => -0.1,
                50..=59 => 0.25,
                _ => 0.6,
            };
            let edu_effect = match level {
                3 => -0.6,
                2 => -0.25,
                _ => 0.2,
            };
            let cycle = business_cycle(year);
            let u = -f64::from(p.attach)
                + origin_effect
                + age_effect
                + edu_effect
                + 0.7 * d_work
                + cycle
                + 0.55 * r.normal();
            let weeks = if u > 1.75 {
                52 - r.below(6)
            } else if u > 1.15 {
                4 + r.below(40)
            } else {
                0
            };
            outside = weeks as f32 / 52.0;
        }

        // Gross income: earnings for the time in work, benefits for the time outside.
        let w = wage_level(year) * world.regions[region].income_level;
        let age_profile = match a {
            0..=14 => 0.0,
            15..=17 => 0.12,
            18..=24 => 0.5,
            25..=29 => 0.8,
            30..=39 => 1.0,
            40..=54 => 1.1,
            55..=64 => 1.0,
            _ => 0.0,
        };
        let edu_gain = match level {
            3 => 0.35,
            2 => 0.1,
            _ => -0.1,
        };
        let origin_gap = if non_western(p.origin) {
            non_western_earnings(year)
        } else {
            0.0
        };
        let earn = w
            * age_profile
            * (0.3 * f64::from(p.ability) + edu_gain + origin_gap - 0.25 * d + 0.25 * r.normal())
                .exp();
        let benefit = 0.42 * wage_level(year);
        let mut income = if a >= 65 {
            0.5 * wage_level(year) * (0.25 * r.normal() + 0.2 * f64::from(p.ability)).exp()
        } else if in_education && a >= 16 {
            0.3 * wage_level(year) * (0.3 * r.normal()).exp()
        } else {
            let employed = if a >= 18 && r.chance(0.04 + 0.1 * d.max(0.0)) {
                // Out of work without counted benefits part of the year (e.g. dagpenge).
                0.6
            } else {
                1.0
            };
            earn * employed * (1.0 - f64::from(outside)) + benefit * f64::from(outside)
        };
        income = income.max(0.0).round();
        let abroad_part_of_year = p.arrived == year && r.chance(0.35);
        let taxable = !abroad_part_of_year && !r.chance(0.004);

        // Convictions: rare, young adults most, with a propensity and an area effect.
        let convicted = a >= 15 && {
            let age_effect = match a {
                15..=17 => 0.9,
                18..=24 => 1.3,
                25..=34 => 0.8,
                35..=49 => 0.1,
                50..=64 => -0.8,
                _ => -2.2,
            };
            let origin_effect = match p.origin {
                NW_DESC => 0.6,
                NW_IMM => 0.3,
                _ => 0.0,
            };
            let x = -5.75
                + crime_trend(year)
                + age_effect
                + origin_effect
                + 0.9 * f64::from(p.crime)
                + 0.85 * d;
            r.chance(logistic(x))
        };

        Outcome {
            age,
            outside_fte: outside,
            in_education,
            education_level: level,
            education_source: source,
            income,
            taxable,
            convicted,
        }
    }
}

/// The standard deviation of an estate's one-year deprivation shock (on top of its trend and
/// its AR(1) walk, see [`Population::step`]).
const ESTATE_SHOCK: f64 = 0.07;

/// The share of the 2018 package's improvement of an estate ([`crate::world::package_effect`])
/// that shows in its residents' work: half. The rest shows in income and convictions in full.
/// The package's letting rules changed who moved in slowly, and the residents outside the
/// labour market (many on disability pension or long-term benefits) mostly stayed, while
/// convictions fell at once. With the full effect on work (before the fourth calibration of
/// issue 16), only 3 estates had 40 % or more of their 18–64-year-olds outside the labour market
/// by list year 2023 against the 7 areas of the published § 51 b list.
const PACKAGE_ON_WORK: f64 = 0.5;

/// How an area's deprivation `d` acts on its residents' work, income and convictions: fully up
/// to 0.55, and 0.6 of each unit beyond. The most deprived estates are then not worlds apart
/// from the merely deprived ones: their figures stay within reach of the thresholds, so they
/// leave the lists when they improve, and the estates between the lower thresholds of the
/// forebyggelsesområder and those of the udsatte boligområder are as many as the published
/// lists show (three to four forebyggelsesområder to each udsat boligområde in 2021–2024).
pub(crate) fn area_effect(d: f64) -> f64 {
    const KNEE: f64 = 0.55;
    if d > KNEE { KNEE + 0.6 * (d - KNEE) } else { d }
}

/// The earnings of non-Western residents against others of the same age, education, ability and
/// area, on the log scale, in data year `year`: −0.2 until 2015, narrowing by 0.012 a year to
/// −0.092 in 2024. Their employment and wages rose with the integration reforms of 2015–2018 and
/// the long upswing to 2023 (before the fourth calibration of issue 16 the gap was a fixed 0.2,
/// and the parallelsamfund lists of 2021–2023 were 14 a year against the published 12, 10 and
/// 12).
pub(crate) fn non_western_earnings(year: i16) -> f64 {
    -0.2 + 0.012 * f64::from((year - 2015).clamp(0, 9))
}

/// The business cycle's shift of the latent index of being outside the labour market in data
/// year `year` (positive: more people outside). It follows Denmark's: a boom to 2008, the
/// financial crisis and high unemployment 2009–2013, a long recovery to record employment in
/// 2019, a short dip in 2020 (COVID-19) and the tightest labour market on record in 2022–2023.
/// The 2013 reforms of cash benefits and disability pensions (kontanthjælpsreformen,
/// førtidspensionsreformen) are part of the fall from 2014.
pub(crate) fn business_cycle(year: i16) -> f64 {
    const CYCLE: [f64; 19] = [
        // 2006 … 2024
        -0.04, -0.08, -0.08, 0.06, 0.12, 0.13, 0.13, 0.11, 0.06, 0.01, -0.04, -0.08, -0.11, -0.14,
        -0.10, -0.12, -0.14, -0.14, -0.12,
    ];
    match year {
        ..2006 => 0.0,
        2006..=2024 => CYCLE[(year - 2006) as usize],
        _ => -0.12,
    }
}

/// How much the integration reforms of 2015–2018 (integrationsydelsen, the benefit ceiling and
/// the 225-hour rule of 2016, the integration basic education IGU) lowered a non-Western
/// immigrant's propensity to be outside the labour market, in the latent index: none before
/// data year 2016, rising to its full effect in 2019. Employment among non-Western immigrants
/// rose markedly in those years, which is what emptied the 2020 lists.
pub(crate) fn integration_reforms(year: i16) -> f64 {
    0.05 * f64::from((year - 2015).clamp(0, 4))
}

/// The national fall in convictions, on the logit scale: about 4 % fewer each year from 2010
/// (youth crime in particular fell through the 2010s), from about 0.9 % of adults in 2010 to
/// about 0.6 % in 2024. The 2010 and 2013 models compare an
/// area's convictions with a fixed 2.70 %, so fewer areas meet it each year; the 2018 model
/// compares with three times the national rate, which falls too.
pub(crate) fn crime_trend(year: i16) -> f64 {
    0.2 - 0.045 * f64::from((year - 2009).max(0))
}

/// Four pools of movers: non-Western or not × fewer or more resources than the median mover.
#[derive(Default)]
struct Pools([Vec<u32>; 4]);

impl Pools {
    /// 0: non-Western, fewer resources; 1: non-Western, more; 2, 3: the same for others.
    fn class(origin: u8, low: bool) -> usize {
        (if non_western(origin) { 0 } else { 2 }) + usize::from(!low)
    }

    /// A mover of the wanted class, or of the other resource class of the same origin group.
    /// Origin groups are not crossed: a vacancy that asks for a group with no movers left is
    /// filled by an immigrant of that group, which is how the non-Western share grows.
    fn take(&mut self, class: usize) -> Option<u32> {
        let other = class ^ 1;
        self.0[class].pop().or_else(|| self.0[other].pop())
    }
}

/// The class an area's vacancy asks for: deprived areas draw movers with fewer resources, and
/// each area draws non-Western movers at its own rate.
fn want(r: &mut Rng, area: &crate::world::Area, dep: f64, year: i16) -> usize {
    let nw = r.chance(area.nw_inflow(year));
    let low = r.chance((0.5 + 0.2 * dep).clamp(0.2, 0.8));
    Pools::class(if nw { NW_IMM } else { DANISH }, low)
}

/// Age at immigration: mostly young adults, some children.
fn immigrant_age(r: &mut Rng) -> i16 {
    if r.chance(0.2) {
        r.below(18) as i16
    } else {
        (18.0 + 9.0 * r.normal().abs() + r.range(0.0, 8.0)).min(80.0) as i16
    }
}

/// A new person with traits drawn around the area's deprivation.
fn new_person(
    r: &mut Rng,
    id: u64,
    area: u32,
    muni: u16,
    birth: i16,
    origin: u8,
    d: f64,
) -> Person {
    let shift = 0.3 * d;
    let ability = (r.normal() - shift - if non_western(origin) { 0.25 } else { 0.0 }) as f32;
    let attach = (r.normal() - shift) as f32;
    let crime = (r.normal() + 0.5 * shift) as f32;
    let edu_final = edu_final(r, ability, d);
    Person {
        id,
        area,
        muni,
        addr: (r.u64() as u16, r.u64() as u16),
        birth,
        arrived: BASE_YEAR - 100,
        origin,
        edu_final,
        edu_delay: r.below(4) as u8,
        foreign_level: 0,
        foreign_source: 0,
        ability,
        attach,
        crime,
    }
}

/// An education brought from abroad: approved in Denmark for some, self-reported, imputed or
/// unknown for the rest. Only approved ones count from the 2018 model on.
fn foreign_education(r: &mut Rng, p: &mut Person) {
    // Non-Western education systems more often end at basic school, so level 1 is the most
    // common level brought from abroad.
    let level = match r.f64() {
        x if x < 0.45 => 1,
        x if x < 0.75 => 2,
        _ => 3,
    };
    let (level, source) = match r.f64() {
        x if x < 0.1 => (level, 1),
        x if x < 0.45 => (level, 2),
        x if x < 0.85 => (level, 3),
        _ => (0, 4),
    };
    p.foreign_level = level;
    p.foreign_source = source;
}

/// The highest level a person reaches through Danish education, from ability, the area grown
/// up in, and luck.
fn edu_final(r: &mut Rng, ability: f32, d: f64) -> u8 {
    let z = f64::from(ability) - 0.9 * d + 0.3 * r.normal();
    if z < -0.9 {
        1
    } else if z < 0.3 {
        2
    } else {
        3
    }
}
