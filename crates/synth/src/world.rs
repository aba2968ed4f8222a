//! The fictional Denmark: regions, municipalities, areas, their places on the map and their
//! persistent character.
//!
//! The layout and the names come from a fixed stream, so every seed draws the same map and a
//! user who knows one synthetic capital recognises it under another seed. What differs between
//! seeds is each area's character (how deprived it is, how fast it improves, who moves in) and
//! every person.

use crate::Scale;
use crate::rng::{Rng, key};

/// The stream of the map itself (names, positions, sizes): independent of the user's seed.
const MAP_SEED: u64 = 0x006B_7661_7274_6572; // "kvarter"

/// Stream purposes.
const P_LAYOUT: u64 = 1;
const P_CHARACTER: u64 = 2;
/// The screening-only character of areas (a stream of its own: adding it changed nothing else).
const P_SCREEN: u64 = 3;

/// A region.
#[derive(Debug, Clone)]
pub struct Region {
    /// DST-style region code, 1081–1085.
    pub code: u16,
    /// Earnings level relative to the country: the capital region earns most, as in Denmark.
    pub income_level: f64,
}

/// A municipality.
#[derive(Debug, Clone)]
pub struct Muni {
    /// Municipality code (the capital is 101).
    pub code: u16,
    /// Fictional name.
    pub name: String,
    /// Index into `World::regions`.
    pub region: usize,
}

/// The two kinds of area in `areas.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaKind {
    /// A social-housing *boligområde*: the state's lists evaluate these.
    SocialHousing,
    /// An ordinary neighbourhood: everybody else lives in one.
    Ordinary,
}

impl AreaKind {
    /// The `kind` cell.
    pub fn code(self) -> &'static str {
        match self {
            AreaKind::SocialHousing => "social_housing",
            AreaKind::Ordinary => "ordinary",
        }
    }
}

/// An area and its persistent character.
#[derive(Debug, Clone)]
pub struct Area {
    /// `B` + municipality + number for social housing, `K` (kvarter) for ordinary ones.
    pub id: String,
    /// Fictional name.
    pub name: String,
    /// Index into `World::munis`.
    pub muni: usize,
    /// Social housing or ordinary.
    pub kind: AreaKind,
    /// The polygon: an axis-parallel rectangle `[east0, north0, east1, north1]`, EPSG:25832.
    /// Rectangles on a grid with a margin can never overlap, which keeps the map valid by
    /// construction.
    pub rect: [f64; 4],
    /// The city district (*bydel*): 1–10 in the capital, the municipality code elsewhere.
    pub district: u16,
    /// The polling district (*afstemningsområde*): `10000 + 100 × district + k` in the
    /// capital (k = 1, 2, ...), the municipality code elsewhere.
    pub polling: u16,
    /// Screening-only character, drawn from its own stream so that it never feeds back into
    /// the simulation (and the state's lists do not change with it); see [`Screen`].
    pub screen: Screen,
    /// Target number of residents in 2024; other years follow `growth`.
    size_2024: f64,
    /// Yearly log growth of the target (social housing is a fixed stock: 0).
    growth: f64,
    /// Deprivation in 2000: 0 is an average neighbourhood, about 1 the worst estates.
    dep0: f64,
    /// Yearly relative improvement of the deprivation (negative: the area gets worse).
    improve: f64,
    /// The share of non-Western people among those who move in, in 2000.
    nw0: f64,
}

/// What the municipal screening's columns need of an area beyond the simulation: the housing
/// stock and what the registers of income and health see that the simulated outcomes do not.
#[derive(Debug, Clone, Copy, Default)]
pub struct Screen {
    /// Share of the dwellings that are old, small flats (pre-1940 blocks), 0–1.
    pub old: f64,
    /// Household income the registers see beyond the simulated gross incomes, as a log shift
    /// (negative: poorer than the incomes alone say: students, part-time work, old-age
    /// pensioners without occupational pensions).
    pub income: f64,
    /// Extra poor health, on the logit scale.
    pub health: f64,
}

/// The whole country (or, at city scale, the capital alone).
#[derive(Debug, Clone)]
pub struct World {
    /// Regions in code order.
    pub regions: Vec<Region>,
    /// Municipalities in code order.
    pub munis: Vec<Muni>,
    /// Areas in municipality order, social housing first, then ordinary.
    pub areas: Vec<Area>,
}

/// The year area trajectories start from.
pub const BASE_YEAR: i16 = 2000;

impl Area {
    /// Target residents on 1 January of `year`.
    pub fn target(&self, year: i16) -> f64 {
        self.size_2024 * (self.growth * f64::from(year - 2024)).exp()
    }

    /// The deterministic part of the deprivation in `year`; a random walk is added by the
    /// simulation.
    pub fn trend(&self, year: i16) -> f64 {
        // From 2018 (the parallel-society package: letting rules, demolition, development
        // plans) the most deprived estates improve, most of it in the first two years
        // (`package_effect`), as the published lists fell most from 2019 to 2020.
        let push = if self.social() {
            package_effect(year) * (self.dep0 - 0.55).max(0.0)
        } else {
            0.0
        };
        self.dep0 * (-self.improve * f64::from(year - BASE_YEAR) - push).exp()
    }

    /// Whether the 2018 package's measures aimed at the estate: those with a non-Western share
    /// of newcomers of at least [`PACKAGE_AIM_NW`] in 2000, the ghetto areas' kind (see
    /// [`PACKAGE_AIM_NW`]).
    pub fn package_aimed_at(&self) -> bool {
        self.social() && self.nw0 >= PACKAGE_AIM_NW
    }

    /// How much the 2018 package ([`package_effect`]) has lowered the estate's deprivation trend
    /// in `year`: the trend without the package less the trend with it (0 for ordinary areas
    /// and before data year 2018).
    pub fn package_gain(&self, year: i16) -> f64 {
        self.dep0 * (-self.improve * f64::from(year - BASE_YEAR)).exp() - self.trend(year)
    }

    /// The share of non-Western people among those who move in, in `year`. It rises slowly, as
    /// immigration from non-Western countries did.
    ///
    /// From 2019 the letting rules of the 2018 parallel-society package (kombineret and
    /// fleksibel udlejning, the municipalities' stop to allocating people on benefits, the
    /// development plans' new tenants) steer fewer non-Western newcomers to the most deprived
    /// estates: their inflow share falls by up to a third by 2024.
    ///
    /// In 2014–2017 the other estates take in more non-Western newcomers: the refugees of those
    /// years, whom the municipalities housed by quota all over the country, mostly in social
    /// housing, and (since 2010) not in the ghetto areas ([`refugee_wave`]).
    pub fn nw_inflow(&self, year: i16) -> f64 {
        let share = (self.nw0 * (1.0 + 0.045 * f64::from(year - BASE_YEAR)))
            .min(self.nw0 + 0.15)
            .min(0.85);
        if self.social() && self.dep0 > 0.55 {
            share * (1.0 - 0.06 * f64::from((year - 2018).clamp(0, 6)))
        } else if self.social() {
            (share + 0.1 * refugee_wave(year)).min(0.85)
        } else {
            share
        }
    }

    /// Whether it is a social-housing area.
    pub fn social(&self) -> bool {
        self.kind == AreaKind::SocialHousing
    }
}

/// The non-Western share of an estate's newcomers in 2000 from which the 2018 package's measures
/// aim at it. The package was written for the ghetto areas, which have a non-Western majority:
/// development plans with demolition and sale, doubled penalties in visitation zones, compulsory
/// day care and language tests. Estates deprived without a non-Western majority got the letting
/// rules only, and their residents' work, income and convictions do not share the improvement
/// (the simulation still lets the package choose their newcomers). Before the fourth
/// calibration of issue 16 every deprived estate improved alike, and the udsatte boligområder
/// without a non-Western majority were 2 or 3 a year from list year 2021 (published: 7 or 8
/// in 2021–2023).
pub(crate) const PACKAGE_AIM_NW: f64 = 0.38;

/// How far the 2018 parallel-society package has lowered the deprivation of the most deprived
/// estates by data year `year`, on the log scale per unit of deprivation above 0.55 in 2000.
/// The package was agreed in March 2018 and its letting rules applied from 2019 (kombineret
/// udlejning, no allocation of people on benefits, the development plans' new tenants), so
/// the effect comes mostly in data years 2019 and 2020; after that the demolitions and sales of
/// the development plans, spread over a decade, add a little each year.
pub(crate) fn package_effect(year: i16) -> f64 {
    match year - 2017 {
        ..=0 => 0.0,
        1 => 0.25,
        2 => 0.8,
        k => 0.75 + 0.03 * f64::from(k - 3),
    }
}

/// The refugee arrivals of 2014–2017 (asylum applications peaked in 2015), as a share of the
/// vacancies of social-housing estates outside the most deprived ones (0 to 1; the inflow
/// share rises by a tenth of a vacancy at the peak): the municipalities had to house the
/// refugees they were allotted, mostly in social housing, and could not allocate people on
/// benefits to the ghetto areas.
pub(crate) fn refugee_wave(year: i16) -> f64 {
    match year {
        2014 | 2017 => 0.5,
        2015 | 2016 => 1.0,
        _ => 0.0,
    }
}

struct MuniSpec {
    code: u16,
    name: String,
    region: usize,
    pop_2024: f64,
    social_share: f64,
    cell: f64,
    growth: f64,
    centre: (f64, f64),
    capital: bool,
}

/// A region's code, name, income level, centre, number of municipalities and 2024 population.
type RegionSpec = (u16, &'static str, f64, (f64, f64), usize, f64);

const REGIONS: [RegionSpec; 5] = [
    // code, name, income level, centre, municipalities, population 2024
    (
        1081,
        "Region Nordmark",
        0.93,
        (555_000.0, 6_340_000.0),
        11,
        595_000.0,
    ),
    (
        1082,
        "Region Midtmark",
        0.98,
        (530_000.0, 6_235_000.0),
        19,
        1_380_000.0,
    ),
    (
        1083,
        "Region Sydmark",
        0.95,
        (520_000.0, 6_125_000.0),
        22,
        1_230_000.0,
    ),
    (
        1084,
        "Region Hovedland",
        1.12,
        (712_000.0, 6_190_000.0),
        29,
        1_900_000.0,
    ),
    (
        1085,
        "Region Østmark",
        0.96,
        (640_000.0, 6_120_000.0),
        17,
        850_000.0,
    ),
];

/// The capital's code, name, centre and districts.
pub const CAPITAL_CODE: u16 = 101;
const CAPITAL_NAME: &str = "Kronstad Kommune";
const CAPITAL_CENTRE: (f64, f64) = (725_000.0, 6_176_000.0);
pub(crate) const DISTRICTS: [&str; 10] = [
    "Indre Kronstad",
    "Nørrevang",
    "Østerled",
    "Vestervold",
    "Sydholm",
    "Bakkely",
    "Kongsmark",
    "Engholm",
    "Havnsø",
    "Ravnsbjerg",
];

const PREFIX: [&str; 30] = [
    "Bjerg", "Lyng", "Hede", "Skov", "Strand", "Sø", "Mose", "Kær", "Vester", "Øster", "Nørre",
    "Sønder", "Bred", "Lang", "Hav", "Fjord", "Ege", "Birke", "Aske", "Elle", "Rønne", "Hvid",
    "Sort", "Grøn", "Rød", "Kilde", "Bro", "Mølle", "Dal", "Holm",
];
const SUFFIX: [&str; 16] = [
    "by", "sted", "rup", "lev", "høj", "borg", "lund", "havn", "næs", "bæk", "vig", "strup",
    "løse", "inge", "ager", "holt",
];
const ESTATE_A: [&str; 26] = [
    "Sol", "Ege", "Birke", "Linde", "Rønne", "Hassel", "Bøge", "Ahorn", "Kastanje", "Valnød",
    "Lærke", "Vibe", "Stære", "Svane", "Hjorte", "Rose", "Lilje", "Kløver", "Æble", "Pile", "Grøn",
    "Lyse", "Vinter", "Sommer", "Høst", "Skrænt",
];
const ESTATE_B: [&str; 15] = [
    "parken", "gården", "bakken", "højen", "vænget", "haven", "lunden", "toften", "engen",
    "marken", "vangen", "hegnet", "husene", "stien", "byen",
];
const QUARTERS: [&str; 9] = [
    "Centrum", "Nord", "Syd", "Øst", "Vest", "Nordøst", "Nordvest", "Sydøst", "Sydvest",
];

/// Builds the world for a scale. `seed` only sets the areas' character.
pub fn build(scale: Scale, seed: u64) -> World {
    let mut map = Rng::new(key(MAP_SEED, P_LAYOUT, 0, 0));
    let regions: Vec<Region> = REGIONS
        .iter()
        .map(|&(code, _, income_level, _, _, _)| Region { code, income_level })
        .collect();
    let specs = match scale {
        Scale::Country => country_specs(&mut map),
        Scale::City => vec![capital_spec(230_000.0)],
        Scale::Tiny => vec![capital_spec(40_000.0)],
    };
    let mut munis = Vec::new();
    let mut areas = Vec::new();
    for (mi, spec) in specs.iter().enumerate() {
        munis.push(Muni {
            code: spec.code,
            name: spec.name.clone(),
            region: spec.region,
        });
        place_areas(spec, mi, &mut map, &mut areas);
    }
    for (i, a) in areas.iter_mut().enumerate() {
        character(
            a,
            &mut Rng::new(key(seed, P_CHARACTER, i as u64, 0)),
            &specs,
        );
    }
    for (i, a) in areas.iter_mut().enumerate() {
        let capital = specs[a.muni].capital;
        screen_character(a, &mut Rng::new(key(seed, P_SCREEN, i as u64, 0)), capital);
    }
    World {
        regions,
        munis,
        areas,
    }
}

fn capital_spec(pop: f64) -> MuniSpec {
    MuniSpec {
        code: CAPITAL_CODE,
        name: CAPITAL_NAME.to_string(),
        region: 3,
        pop_2024: pop,
        social_share: 0.19,
        cell: 650.0,
        growth: 0.013,
        centre: CAPITAL_CENTRE,
        capital: true,
    }
}

/// 98 municipalities: the capital, three large cities (one in each of three other regions), and
/// lognormal sizes for the rest, scaled to each region's population.
fn country_specs(map: &mut Rng) -> Vec<MuniSpec> {
    const BASE_CODE: [u16; 5] = [773, 615, 410, 147, 306];
    let mut used_names = std::collections::BTreeSet::new();
    let mut specs = Vec::new();
    for (r, &(_, _, _, centre, n, pop)) in REGIONS.iter().enumerate() {
        // (population, is capital, is a large city)
        let mut sizes: Vec<(f64, bool, bool)> = Vec::new();
        let mut rest = pop;
        let mut count = n;
        match r {
            3 => {
                sizes.push((655_000.0, true, false));
                rest -= 655_000.0;
                count -= 1;
            }
            0..=2 => {
                let big = [225_000.0, 360_000.0, 205_000.0][r];
                sizes.push((big, false, true));
                rest -= big;
                count -= 1;
            }
            _ => {}
        }
        let weights: Vec<f64> = (0..count)
            .map(|_| (0.55 * map.normal()).exp().clamp(0.25, 4.0))
            .collect();
        let total: f64 = weights.iter().sum();
        sizes.extend(weights.iter().map(|w| (rest * w / total, false, false)));
        // Grid slots around the region centre, nearest first, keeping clear of the capital.
        let spacing = 12_000.0;
        let mut slots = Vec::new();
        for i in -6i32..=6 {
            for j in -6i32..=6 {
                let p = (
                    centre.0 + f64::from(i) * spacing,
                    centre.1 + f64::from(j) * spacing,
                );
                let dc =
                    ((p.0 - CAPITAL_CENTRE.0).powi(2) + (p.1 - CAPITAL_CENTRE.1).powi(2)).sqrt();
                if dc > 17_000.0 {
                    slots.push(p);
                }
            }
        }
        slots.sort_by(|a, b| {
            let da = (a.0 - centre.0).hypot(a.1 - centre.1);
            let db = (b.0 - centre.0).hypot(b.1 - centre.1);
            da.total_cmp(&db)
                .then(a.0.total_cmp(&b.0))
                .then(a.1.total_cmp(&b.1))
        });
        let mut slot = slots.into_iter();
        for (k, &(p, capital, big)) in sizes.iter().enumerate() {
            if capital {
                specs.push(capital_spec(p));
                continue;
            }
            let name = loop {
                let n = format!(
                    "{}{} Kommune",
                    PREFIX[map.below(PREFIX.len())],
                    SUFFIX[map.below(SUFFIX.len())]
                );
                if used_names.insert(n.clone()) {
                    break n;
                }
            };
            specs.push(MuniSpec {
                code: BASE_CODE[r] + 4 * k as u16,
                name,
                region: r,
                pop_2024: p,
                social_share: if big {
                    0.15
                } else {
                    (0.04 + p / 1_000_000.0).min(0.13)
                },
                cell: if big { 800.0 } else { 1_400.0 },
                growth: if big {
                    0.009
                } else {
                    0.001 + 0.004 * map.normal()
                },
                centre: slot.next().expect("enough grid slots"),
                capital: false,
            });
        }
    }
    specs.sort_by_key(|s| s.code);
    specs
}

/// Splits a municipality's population into social-housing areas and ordinary neighbourhoods,
/// and lays them out as rectangles on a grid (the capital: ten district grids in a ring).
fn place_areas(spec: &MuniSpec, mi: usize, map: &mut Rng, areas: &mut Vec<Area>) {
    let social_target = spec.pop_2024 * spec.social_share;
    let mut social = Vec::new();
    let mut sum = 0.0;
    while sum < social_target {
        // About half the estates have 1,000 residents or more; the largest few thousand.
        let size = if map.chance(0.5) {
            (1_000.0 * (0.55 * map.normal()).abs().exp()).min(6_000.0) + 20.0
        } else {
            map.range(300.0, 990.0)
        };
        sum += size;
        social.push(size);
    }
    let ordinary_size = if spec.capital { 6_000.0 } else { 4_500.0 };
    let rest = (spec.pop_2024 - sum).max(ordinary_size);
    let n_ord = (rest / ordinary_size).ceil().max(1.0) as usize;
    let ordinary: Vec<f64> = {
        let w: Vec<f64> = (0..n_ord).map(|_| map.range(0.7, 1.3)).collect();
        let t: f64 = w.iter().sum();
        w.iter().map(|x| rest * x / t).collect()
    };
    let growth_ord = spec.growth * spec.pop_2024 / rest;

    // Names: estates unique within the municipality; neighbourhoods after the district or town.
    let town = spec.name.trim_end_matches(" Kommune").to_string();
    let mut used = std::collections::BTreeSet::new();
    let first = areas.len();
    for (k, &size) in social.iter().enumerate() {
        let name = loop {
            let n = format!(
                "{}{}",
                ESTATE_A[map.below(ESTATE_A.len())],
                ESTATE_B[map.below(ESTATE_B.len())]
            );
            if used.insert(n.clone()) || used.len() > 380 {
                break n;
            }
        };
        areas.push(Area {
            id: format!("B{:03}{:03}", spec.code, k + 1),
            name,
            muni: mi,
            kind: AreaKind::SocialHousing,
            rect: [0.0; 4],
            district: spec.code,
            polling: spec.code,
            screen: Screen::default(),
            size_2024: size,
            growth: 0.0,
            dep0: 0.0,
            improve: 0.0,
            nw0: 0.0,
        });
    }
    let groups = if spec.capital { DISTRICTS.len() } else { 1 };
    for (k, &size) in ordinary.iter().enumerate() {
        let (base, idx) = if spec.capital {
            (DISTRICTS[k % groups].to_string(), k / groups)
        } else {
            (town.clone(), k)
        };
        let name = if idx < QUARTERS.len() {
            format!("{base} {}", QUARTERS[idx])
        } else {
            format!("{base} {}", idx + 1)
        };
        areas.push(Area {
            id: format!("K{:03}{:03}", spec.code, k + 1),
            name,
            muni: mi,
            kind: AreaKind::Ordinary,
            rect: [0.0; 4],
            district: spec.code,
            polling: spec.code,
            screen: Screen::default(),
            size_2024: size,
            growth: growth_ord,
            dep0: 0.0,
            improve: 0.0,
            nw0: 0.0,
        });
    }

    // Layout: the areas are shuffled so that estates sit among neighbourhoods. Outside the
    // capital they fill one square grid; the capital deals them to its ten districts.
    let mut order: Vec<usize> = (first..areas.len()).collect();
    map.shuffle(&mut order);
    if !spec.capital {
        lay_out_grid(&order, spec.centre, spec.cell, areas);
        return;
    }
    for (g, list) in capital_districts(&order, areas).iter().enumerate() {
        // The central district at the centre; the others on a ring.
        let centre = if g == 0 {
            spec.centre
        } else {
            let angle = std::f64::consts::TAU * (g - 1) as f64 / (DISTRICTS.len() - 1) as f64;
            (
                spec.centre.0 + 6_500.0 * angle.cos(),
                spec.centre.1 + 6_500.0 * angle.sin(),
            )
        };
        lay_out_district(list, g as u16 + 1, centre, spec.cell, areas);
    }
}

/// The slot of index `j` of a grid of `cols` columns from `(x0, y0)`: a square of side `c`
/// less a margin.
fn slot(j: usize, cols: usize, x0: f64, y0: f64, c: f64) -> [f64; 4] {
    let (col, row) = ((j % cols) as f64, (j / cols) as f64);
    let m = 0.06 * c;
    [
        x0 + col * c + m,
        y0 + row * c + m,
        x0 + (col + 1.0) * c - m,
        y0 + (row + 1.0) * c - m,
    ]
}

/// A municipality outside the capital: its areas, in `list` order, fill a square grid of slots
/// of side `c` around `centre`; an ordinary neighbourhood fills its slot, an estate is a block
/// in the middle of it ([`estate_rect`]).
fn lay_out_grid(list: &[usize], centre: (f64, f64), c: f64, areas: &mut [Area]) {
    let cols = (list.len() as f64).sqrt().ceil().max(1.0) as usize;
    let rows = list.len().div_ceil(cols);
    let x0 = centre.0 - cols as f64 * c / 2.0;
    let y0 = centre.1 - rows as f64 * c / 2.0;
    for (j, &a) in list.iter().enumerate() {
        let slot = slot(j, cols, x0, y0, c);
        let area = &mut areas[a];
        area.rect = if area.kind == AreaKind::SocialHousing {
            estate_rect(slot, area.size_2024)
        } else {
            slot
        };
    }
}

/// The capital's districts that hold its estates (Østerled, Sydholm and Engholm), each in one
/// estate quarter ([`quarter`]): Copenhagen's large estates lie together in a few of its
/// districts (Tingbjerg and Husum, Bispebjerg and Nordvest, Urbanplanen on Amager), and its
/// udsatte byområder are few and large because neighbouring deprived estates form one area.
/// The old district ([`OLD_DISTRICT`]) has one small estate; the others have none.
pub(crate) const ESTATE_DISTRICTS: [u16; 3] = [3, 5, 8];

/// Deals the capital's areas (in `order`) to its ten districts: the first estate under 1,000
/// residents to the old district, every other estate to the [`ESTATE_DISTRICTS`] in turn, then
/// the ordinary neighbourhoods to every district in turn, those with fewest areas first (so
/// that every district has some).
fn capital_districts(order: &[usize], areas: &[Area]) -> Vec<Vec<usize>> {
    let n = DISTRICTS.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n];
    let (mut dealt, mut old) = (0, false);
    for &a in order.iter().filter(|&&a| areas[a].social()) {
        let d = if !old && areas[a].size_2024 < OWN_POLLING_STATION {
            old = true;
            OLD_DISTRICT
        } else {
            dealt += 1;
            ESTATE_DISTRICTS[(dealt - 1) % ESTATE_DISTRICTS.len()]
        };
        members[usize::from(d) - 1].push(a);
    }
    let mut turn: Vec<usize> = (0..n).collect();
    turn.sort_by_key(|&d| (members[d].len(), d));
    for (k, &a) in order.iter().filter(|&&a| !areas[a].social()).enumerate() {
        members[turn[k % n]].push(a);
    }
    members
}

/// Lays out a capital district around `centre`: its estates as one estate quarter
/// ([`quarter`]) in the corner of a square grid of slots of side `c`, its ordinary
/// neighbourhoods in the other slots; and splits the district into polling districts.
fn lay_out_district(list: &[usize], district: u16, centre: (f64, f64), c: f64, areas: &mut [Area]) {
    let estates: Vec<usize> = list
        .iter()
        .copied()
        .filter(|&a| areas[a].social())
        .collect();
    let ordinary: Vec<usize> = list
        .iter()
        .copied()
        .filter(|&a| !areas[a].social())
        .collect();
    let (blocks, width, height) = quarter(&estates, areas);
    let g = 100.0;
    let m = 0.06 * c;
    // The slots the quarter takes: its blocks with a margin and a cell to spare.
    let (qc, qr) = if estates.is_empty() {
        (0, 0)
    } else {
        (
            ((width as f64 * g + 2.0 * m + g) / c).ceil() as usize,
            ((height as f64 * g + 2.0 * m + g) / c).ceil() as usize,
        )
    };
    let slots = ordinary.len() + qc * qr;
    let cols = ((slots as f64).sqrt().ceil() as usize).max(qc).max(1);
    let rows = slots.div_ceil(cols).max(qr);
    let x0 = centre.0 - cols as f64 * c / 2.0;
    let y0 = centre.1 - rows as f64 * c / 2.0;
    let mut free = (0..rows * cols).filter(|j| j % cols >= qc || j / cols >= qr);
    for &a in &ordinary {
        let j = free.next().expect("a slot for every neighbourhood");
        areas[a].rect = slot(j, cols, x0, y0, c);
    }
    if !estates.is_empty() {
        // The quarter's blocks, centred in its slots and on the 100 m grid.
        let mid = (x0 + qc as f64 * c / 2.0, y0 + qr as f64 * c / 2.0);
        let ox = ((mid.0 - width as f64 * g / 2.0) / g).round() * g;
        let oy = ((mid.1 - height as f64 * g / 2.0) / g).round() * g;
        for (a, [bx0, by0, bx1, by1]) in blocks {
            areas[a].rect = [
                ox + bx0 as f64 * g,
                oy + by0 as f64 * g,
                ox + bx1 as f64 * g,
                oy + by1 as f64 * g,
            ];
        }
    }
    // Polling districts: each estate of 1,000 residents or more votes at its own polling
    // station (its school), as the large estates of a real city do, and the other areas (the
    // small estates, then the neighbourhoods in slot order) form 2–6 runs of two or more.
    // Sizes come from the map, so the polling districts are the same for every seed.
    let own: Vec<bool> = list
        .iter()
        .map(|&a| areas[a].social() && areas[a].size_2024 >= OWN_POLLING_STATION)
        .collect();
    let rest = own.iter().filter(|&&o| !o).count();
    let polls = (rest / 2).clamp(2, 6).min(rest.max(1));
    let (mut jr, mut own_k) = (0, polls);
    for (&a, &own) in list.iter().zip(&own) {
        let k = if own {
            own_k += 1;
            own_k
        } else {
            jr += 1;
            (jr - 1) * polls / rest.max(1) + 1
        };
        let area = &mut areas[a];
        area.district = district;
        area.polling = 10_000 + 100 * district + k as u16;
    }
}

/// A district's estate quarter: its estates as blocks of whole 100 m cells that touch, in rows
/// [`QUARTER_ROW`] cells deep stacked with no gap, each block as wide as its residents need at
/// [`ESTATE_DENSITY`], and about as many rows as make the quarter square. Each estate, largest
/// first, goes to the row that is narrowest so far (the middle one on a tie), and into the
/// middle of that row, so the rows are about as wide and the larger estates lie in the middle,
/// where they touch the rows above and below. So neighbouring estates that qualify in a
/// screening of 100 m cells form one area, as Copenhagen's neighbouring estates do. Returns
/// each estate's block `[x0, y0, x1, y1]` in cells from the quarter's south-west corner, and the
/// quarter's width and height in cells.
#[allow(clippy::type_complexity)]
fn quarter(estates: &[usize], areas: &[Area]) -> (Vec<(usize, [i64; 4])>, i64, i64) {
    if estates.is_empty() {
        return (Vec::new(), 0, 0);
    }
    let h = QUARTER_ROW;
    let mut sorted = estates.to_vec();
    sorted.sort_by(|&a, &b| {
        areas[b]
            .size_2024
            .total_cmp(&areas[a].size_2024)
            .then(a.cmp(&b))
    });
    let width = |a: usize| ((areas[a].size_2024 / ESTATE_DENSITY / h as f64).round() as i64).max(1);
    let cells: i64 = sorted.iter().map(|&a| width(a) * h).sum();
    let rows = ((cells as f64).sqrt() / h as f64).round().max(1.0) as usize;
    let mid = (rows - 1) as f64 / 2.0;
    let mut row_of: Vec<Vec<usize>> = vec![Vec::new(); rows];
    let mut row_w = vec![0i64; rows];
    for &a in &sorted {
        let r = (0..rows)
            .min_by(|&p, &q| {
                row_w[p]
                    .cmp(&row_w[q])
                    .then((p as f64 - mid).abs().total_cmp(&(q as f64 - mid).abs()))
                    .then(p.cmp(&q))
            })
            .expect("a row");
        row_w[r] += width(a);
        // Centre out: the larger estates in the middle of the row.
        if row_of[r].len().is_multiple_of(2) {
            row_of[r].push(a);
        } else {
            row_of[r].insert(0, a);
        }
    }
    let total_w = row_w.iter().copied().max().unwrap_or(0);
    let mut blocks = Vec::new();
    for (r, list) in row_of.iter().enumerate() {
        let mut x = (total_w - row_w[r]) / 2;
        let y = r as i64 * h;
        for &a in list {
            let w = width(a);
            blocks.push((a, [x, y, x + w, y + h]));
            x += w;
        }
    }
    (blocks, total_w, rows as i64 * h)
}

/// How deep (in 100 m cells) the rows of an estate quarter are.
const QUARTER_ROW: i64 = 3;

/// An estate of this many residents (its 2024 size) or more is a polling district of its own.
const OWN_POLLING_STATION: f64 = 1_000.0;

/// Residents per 100 m cell that an estate's blocks are built for.
const ESTATE_DENSITY: f64 = 130.0;

/// An estate's blocks outside the capital (the capital's are in estate quarters, [`quarter`]):
/// a rectangle of whole 100 m cells of the national grid (Det Danske Kvadratnet), at the
/// middle of its slot, sized so that a cell holds about [`ESTATE_DENSITY`] residents (more in
/// the largest estates, which fill the slot). Estates are dense blocks among lawns and roads,
/// and a grid screening needs cells with enough residents to show them: a whole slot would
/// spread an estate of 1,000 over 30 cells.
fn estate_rect(slot: [f64; 4], size: f64) -> [f64; 4] {
    let g = 100.0;
    let (gx0, gy0) = ((slot[0] / g).ceil() * g, (slot[1] / g).ceil() * g);
    let nx_max = (((slot[2] / g).floor() * g - gx0) / g).max(1.0);
    let ny_max = (((slot[3] / g).floor() * g - gy0) / g).max(1.0);
    let cells = (size / ESTATE_DENSITY).max(1.0);
    let nx = cells.sqrt().round().clamp(1.0, nx_max);
    let ny = (cells / nx).round().clamp(1.0, ny_max);
    let ox = ((nx_max - nx) / 2.0).floor();
    let oy = ((ny_max - ny) / 2.0).floor();
    [
        gx0 + ox * g,
        gy0 + oy * g,
        gx0 + (ox + nx) * g,
        gy0 + (oy + ny) * g,
    ]
}

/// Draws an area's persistent character from the user's seed.
fn character(a: &mut Area, r: &mut Rng, specs: &[MuniSpec]) {
    let capital = specs[a.muni].capital;
    match a.kind {
        AreaKind::SocialHousing => {
            // Estates are spread evenly from barely to very deprived (before the third
            // calibration of issue 16: most only mildly deprived and a long tail very deprived,
            // which left too few estates between the forebyggelse and the udsat thresholds).
            let u = r.f64();
            // The capital's estates are more deprived than the country's, as Copenhagen's are:
            // its screening then has listed areas to show.
            a.dep0 =
                (0.1 + 1.15 * u + 0.08 * r.normal() + if capital { 0.18 } else { 0.0 }).max(-0.1);
            // Most improve a little each year, as the real ones did; some get worse.
            a.improve = 0.012 + 0.022 * r.normal();
            a.nw0 = (0.08 + 0.37 * a.dep0 + 0.12 * r.normal() + if capital { 0.05 } else { 0.0 })
                .clamp(0.02, 0.88);
        }
        AreaKind::Ordinary => {
            a.dep0 = (0.12 * r.normal()).clamp(-0.35, 0.5);
            a.improve = 0.0;
            a.nw0 = (0.035
                + 0.12 * a.dep0.max(0.0)
                + 0.015 * r.normal()
                + if capital { 0.04 } else { 0.0 })
            .clamp(0.005, 0.3);
        }
    }
}

/// The capital's old inner-city district (*brokvarter*): Vestervold, district 4. Its ordinary
/// neighbourhoods are old, small flats with low incomes and poor health, but it has few
/// estates, so the municipal screening finds an area there that the state's lists never see.
pub const OLD_DISTRICT: u16 = 4;

/// Draws an area's screening-only character from its own stream (see [`Screen`]).
fn screen_character(a: &mut Area, r: &mut Rng, capital: bool) {
    let (u, n1, n2) = (r.f64(), r.normal(), r.normal());
    a.screen = match a.kind {
        AreaKind::SocialHousing => Screen {
            old: 0.0,
            income: 0.05 * n1,
            health: 0.08 * n2,
        },
        // Vestervold: old flats everywhere, and some streets much poorer than others.
        AreaKind::Ordinary if capital && a.district == OLD_DISTRICT => {
            let income = -0.15 - 0.4 * r.f64() + 0.04 * n1;
            Screen {
                old: 0.6 + 0.3 * u,
                income,
                health: 0.1 - 0.9 * income + 0.05 * n2,
            }
        }
        // The historic centre: old flats, but well-off.
        AreaKind::Ordinary if capital && a.district == 1 => Screen {
            old: 0.35 + 0.25 * u,
            income: 0.1 + 0.05 * n1,
            health: -0.1 + 0.08 * n2,
        },
        AreaKind::Ordinary if capital => Screen {
            old: 0.05 + 0.2 * u,
            income: 0.06 * n1,
            health: 0.08 * n2,
        },
        AreaKind::Ordinary => Screen {
            old: 0.03 + 0.15 * u,
            income: 0.06 * n1,
            health: 0.08 * n2,
        },
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_has_98_municipalities_and_no_overlapping_areas() {
        let w = build(Scale::Country, 1);
        assert_eq!(w.munis.len(), 98);
        let codes: std::collections::BTreeSet<u16> = w.munis.iter().map(|m| m.code).collect();
        assert_eq!(codes.len(), 98);
        let ids: std::collections::BTreeSet<&str> = w.areas.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids.len(), w.areas.len());
        // Sweep in east order: only rectangles whose east ranges meet need a full check.
        let mut rects: Vec<[f64; 4]> = w.areas.iter().map(|a| a.rect).collect();
        rects.sort_by(|a, b| a[0].total_cmp(&b[0]));
        for i in 0..rects.len() {
            for j in i + 1..rects.len() {
                if rects[j][0] >= rects[i][2] {
                    break;
                }
                let (a, b) = (rects[i], rects[j]);
                let overlap = a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
                assert!(!overlap, "{a:?} {b:?}");
            }
        }
        let total: f64 = w.areas.iter().map(|a| a.target(2024)).sum();
        assert!((5.8e6..6.1e6).contains(&total), "{total}");
    }

    #[test]
    fn the_package_acts_mostly_in_2019_2020_and_the_refugees_skip_the_most_deprived_estates() {
        let w = build(Scale::Country, 1);
        let estate = |f: fn(&Area) -> bool| w.areas.iter().find(|a| a.social() && f(a)).unwrap();
        let worst = estate(|a| a.dep0 > 0.9);
        let mid = estate(|a| a.dep0 < 0.5 && a.nw0 < 0.5);
        // The most deprived estate: nothing before 2018, most of the fall in 2019–2020, then
        // only a little a year (the walk aside, the trend is all the simulation adds).
        let log_fall = |a: i16, b: i16| (worst.trend(a) / worst.trend(b)).ln();
        let own = |a: i16, b: i16| worst.improve * f64::from(b - a);
        let early = log_fall(2018, 2020) - own(2018, 2020);
        let late = log_fall(2021, 2024) - own(2021, 2024);
        assert!(early > 0.15 * (worst.dep0 - 0.55), "{early}");
        assert!(late < early / 4.0, "{late} against {early}");
        assert_eq!(
            worst.trend(2017),
            worst.dep0 * (-worst.improve * 17.0).exp()
        );
        // An estate below the package's threshold takes in refugees in 2014–2017 only.
        assert!(mid.nw_inflow(2015) > mid.nw_inflow(2013) + 0.08);
        assert!(mid.nw_inflow(2018) < mid.nw_inflow(2017));
        // The most deprived estate's inflow does not rise with the wave.
        assert!(worst.nw_inflow(2015) - worst.nw_inflow(2013) < 0.05);
    }

    #[test]
    fn capital_estates_are_dense_blocks_of_whole_grid_cells_in_ten_districts() {
        let w = build(Scale::City, 1);
        let mut districts =
            std::collections::BTreeMap::<u16, std::collections::BTreeSet<u16>>::new();
        for a in &w.areas {
            assert!((1..=10).contains(&a.district), "{}", a.id);
            assert_eq!(a.polling / 100, 100 + a.district, "{}", a.id);
            districts.entry(a.district).or_default().insert(a.polling);
            if a.social() && a.target(2024) >= OWN_POLLING_STATION {
                // A large estate votes alone.
                let others = w.areas.iter().filter(|b| b.polling == a.polling).count();
                assert_eq!(others, 1, "{}", a.id);
            }
            if a.social() {
                let [x0, y0, x1, y1] = a.rect;
                for v in a.rect {
                    assert_eq!(v % 100.0, 0.0, "{} {:?}", a.id, a.rect);
                }
                let cells = (x1 - x0) / 100.0 * (y1 - y0) / 100.0;
                let per_cell = a.target(2024) / cells;
                assert!((60.0..=300.0).contains(&per_cell), "{} {per_cell}", a.id);
            }
        }
        assert_eq!(districts.len(), 10);
        for (d, polls) in &districts {
            // 2–6 runs of neighbours, and the large estates.
            let large = w
                .areas
                .iter()
                .filter(|a| a.district == *d && a.social() && a.target(2024) >= OWN_POLLING_STATION)
                .count();
            assert!(
                (2..=6).contains(&(polls.len() - large)),
                "district {d}: {polls:?}, {large} large estates"
            );
        }
    }

    #[test]
    fn capital_estates_lie_together_in_estate_quarters() {
        for scale in [Scale::Tiny, Scale::City, Scale::Country] {
            let w = build(scale, 1);
            let capital: Vec<&Area> = w.areas.iter().filter(|a| a.muni == 0).collect();
            assert_eq!(w.munis[0].code, CAPITAL_CODE);
            // Every district has areas, and the districts do not reach into each other.
            let mut boxes = std::collections::BTreeMap::<u16, [f64; 4]>::new();
            for a in &capital {
                let b = boxes
                    .entry(a.district)
                    .or_insert([f64::MAX, f64::MAX, f64::MIN, f64::MIN]);
                *b = [
                    b[0].min(a.rect[0]),
                    b[1].min(a.rect[1]),
                    b[2].max(a.rect[2]),
                    b[3].max(a.rect[3]),
                ];
            }
            assert_eq!(boxes.len(), 10, "{scale:?}");
            for (d, a) in &boxes {
                for (e, b) in boxes.range(d + 1..) {
                    let apart = a[2] <= b[0] || b[2] <= a[0] || a[3] <= b[1] || b[3] <= a[1];
                    assert!(apart, "{scale:?}: districts {d} and {e} overlap");
                }
            }
            // The estates: one small one in the old district, the others in the estate
            // districts, where each district's estates form one group of blocks that touch
            // (at an edge or a corner: neighbours in a screening of 100 m cells).
            let estates = |d: u16| -> Vec<&Area> {
                capital
                    .iter()
                    .copied()
                    .filter(|a| a.social() && a.district == d)
                    .collect()
            };
            let old = estates(OLD_DISTRICT);
            assert_eq!(old.len(), 1, "{scale:?}");
            assert!(old[0].target(2024) < OWN_POLLING_STATION);
            let in_quarters: usize = ESTATE_DISTRICTS.iter().map(|&d| estates(d).len()).sum();
            assert_eq!(
                in_quarters + 1,
                capital.iter().filter(|a| a.social()).count(),
                "{scale:?}"
            );
            for d in ESTATE_DISTRICTS {
                let quarter = estates(d);
                assert!(!quarter.is_empty(), "{scale:?}: district {d}");
                let touch = |a: &Area, b: &Area| {
                    let (p, q) = (a.rect, b.rect);
                    p[0] <= q[2] && q[0] <= p[2] && p[1] <= q[3] && q[1] <= p[3]
                };
                let mut reached = vec![false; quarter.len()];
                let mut stack = vec![0];
                reached[0] = true;
                while let Some(i) = stack.pop() {
                    for j in 0..quarter.len() {
                        if !reached[j] && touch(quarter[i], quarter[j]) {
                            reached[j] = true;
                            stack.push(j);
                        }
                    }
                }
                assert!(
                    reached.iter().all(|&r| r),
                    "{scale:?}: the estates of district {d} are not one quarter"
                );
                // No neighbourhood lies inside the quarter.
                for a in capital.iter().filter(|a| !a.social()) {
                    for e in &quarter {
                        let (p, q) = (a.rect, e.rect);
                        let overlap = p[0] < q[2] && q[0] < p[2] && p[1] < q[3] && q[1] < p[3];
                        assert!(!overlap, "{scale:?}: {} and {}", a.id, e.id);
                    }
                }
            }
        }
    }
}
