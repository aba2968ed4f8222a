//! `boundaries.geojson`: the fictional country's coast, municipalities, the capital's districts
//! and their label points, derived from where the areas lie.
//!
//! The areas are placed by [`crate::world`]; this module only reads their rectangles. It lays a
//! square raster over them (100 m cells for the capital alone, 250 m for the country), and:
//!
//! 1. marks every cell an area's rectangle touches with the area's municipality;
//! 2. makes land of every cell within a reach of an area cell, the reach varying with smooth
//!    value noise from a fixed stream, so the coast is irregular (bays and headlands) but the
//!    same for every seed, like the rest of the map; lakes (water enclosed by land) are filled;
//! 3. grows the municipalities over the land from their areas' cells (a breadth-first flood,
//!    cell by cell, in a fixed order), so they tile the land and every area lies inside its
//!    own municipality; land no area reaches is dropped;
//! 4. grows the capital's ten districts over the capital's cells the same way;
//! 5. traces each region of cells into polygons (outer rings counter-clockwise, holes
//!    clockwise), cuts the raster's staircase corners (each cell edge becomes its midpoint;
//!    a point where three regions meet stays, so neighbours share their boundary exactly), and
//!    puts each name near its region's areas but clear of them (so it is on a map of them and
//!    does not cover them), where the region is widest.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write;

use crate::Scale;
use crate::out::json_str;
use crate::rng::{Rng, key};
use crate::world::{CAPITAL_CODE, DISTRICTS, World};

/// The stream of the coast's noise: fixed, so the coast is the same for every seed.
const COAST_SEED: u64 = 0x636F_6173_746C_696E; // "coastlin"

/// A name goes at least this many cells from any area, where the region allows.
const CLEAR: f64 = 4.0;

/// No municipality (water).
const NONE: u32 = u32::MAX;

/// One polygon: the outer ring, then its holes; each ring closed (first point repeated last).
pub type Polygon = Vec<Vec<[i64; 2]>>;

/// A named region of the map: a municipality or a district.
#[derive(Debug, Clone)]
pub struct Named {
    /// The municipality code, or the district number (1–10).
    pub code: u16,
    /// Its name.
    pub name: String,
    /// Its outline.
    pub polygons: Vec<Polygon>,
    /// Where its name goes: the centre of the cell farthest from its edge.
    pub label: [i64; 2],
}

/// The coast, the municipalities and (when the capital is there) its districts.
#[derive(Debug, Clone)]
pub struct Boundaries {
    /// The land.
    pub coast: Vec<Polygon>,
    /// One per municipality, in `World::munis` order.
    pub municipalities: Vec<Named>,
    /// The capital's districts 1–10, in number order (empty without the capital).
    pub districts: Vec<Named>,
}

/// The raster the boundaries are built on.
struct Grid {
    /// Cell side, metres.
    cell: f64,
    /// South-west corner, metres.
    origin: (f64, f64),
    w: usize,
    h: usize,
}

impl Grid {
    fn idx(&self, i: usize, j: usize) -> usize {
        j * self.w + i
    }

    /// The 4-neighbours of cell `c` inside the grid.
    fn neighbours(&self, c: usize) -> impl Iterator<Item = usize> + use<> {
        let (i, j, w, h) = (c % self.w, c / self.w, self.w, self.h);
        [
            (i > 0).then(|| c - 1),
            (i + 1 < w).then_some(c + 1),
            (j > 0).then(|| c - w),
            (j + 1 < h).then_some(c + w),
        ]
        .into_iter()
        .flatten()
    }

    /// The cells whose interior meets the rectangle `[x0, y0, x1, y1]`.
    fn cells_of(&self, r: [f64; 4]) -> impl Iterator<Item = usize> + '_ {
        let i0 = ((r[0] - self.origin.0) / self.cell).floor() as usize;
        let i1 = ((r[2] - self.origin.0) / self.cell).ceil() as usize;
        let j0 = ((r[1] - self.origin.1) / self.cell).floor() as usize;
        let j1 = ((r[3] - self.origin.1) / self.cell).ceil() as usize;
        (j0..j1).flat_map(move |j| (i0..i1).map(move |i| self.idx(i, j)))
    }

    /// A lattice point given in half cells.
    fn half(&self, p: [i64; 2]) -> [i64; 2] {
        [
            (self.origin.0 + p[0] as f64 * self.cell / 2.0).round() as i64,
            (self.origin.1 + p[1] as f64 * self.cell / 2.0).round() as i64,
        ]
    }

    fn centre(&self, c: usize) -> [i64; 2] {
        let (i, j) = (c % self.w, c / self.w);
        [
            (self.origin.0 + (i as f64 + 0.5) * self.cell).round() as i64,
            (self.origin.1 + (j as f64 + 0.5) * self.cell).round() as i64,
        ]
    }
}

/// Smooth value noise in [-1, 1]: a lattice of random values, bilinearly interpolated with a
/// smoothstep, two octaves.
struct Noise {
    lattice: f64,
}

impl Noise {
    fn corner(&self, octave: u64, i: i64, j: i64) -> f64 {
        let mut r = Rng::new(key(COAST_SEED, octave, i as u64, j as u64));
        2.0 * r.f64() - 1.0
    }

    fn octave(&self, octave: u64, spacing: f64, x: f64, y: f64) -> f64 {
        let (fx, fy) = (x / spacing, y / spacing);
        let (i, j) = (fx.floor() as i64, fy.floor() as i64);
        let s = |t: f64| t * t * (3.0 - 2.0 * t);
        let (tx, ty) = (s(fx - fx.floor()), s(fy - fy.floor()));
        let a = self.corner(octave, i, j);
        let b = self.corner(octave, i + 1, j);
        let c = self.corner(octave, i, j + 1);
        let d = self.corner(octave, i + 1, j + 1);
        let bottom = a + (b - a) * tx;
        let top = c + (d - c) * tx;
        bottom + (top - bottom) * ty
    }

    fn at(&self, x: f64, y: f64) -> f64 {
        0.7 * self.octave(1, self.lattice, x, y) + 0.3 * self.octave(2, self.lattice / 3.0, x, y)
    }
}

/// Builds the boundaries of `world` (laid out at `scale`).
pub fn build(world: &World, scale: Scale) -> Boundaries {
    // (cell, margin, reach, noise amplitude, noise lattice), metres.
    let (cell, margin, reach, amplitude, lattice) = match scale {
        Scale::Country => (250.0, 14_000.0, 7_000.0, 4_000.0, 30_000.0),
        Scale::City | Scale::Tiny => (100.0, 6_000.0, 3_200.0, 1_400.0, 7_000.0),
    };
    let mut bb = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for a in &world.areas {
        bb = [
            bb[0].min(a.rect[0]),
            bb[1].min(a.rect[1]),
            bb[2].max(a.rect[2]),
            bb[3].max(a.rect[3]),
        ];
    }
    let origin = (
        ((bb[0] - margin) / cell).floor() * cell,
        ((bb[1] - margin) / cell).floor() * cell,
    );
    let grid = Grid {
        cell,
        origin,
        w: ((bb[2] + margin - origin.0) / cell).ceil() as usize,
        h: ((bb[3] + margin - origin.1) / cell).ceil() as usize,
    };
    let n = grid.w * grid.h;

    // 1. The areas' cells, with their municipality and (in the capital) district.
    let mut muni = vec![NONE; n];
    let mut district = vec![NONE; n];
    let capital = world.munis.iter().position(|m| m.code == CAPITAL_CODE);
    for a in &world.areas {
        for c in grid.cells_of(a.rect) {
            muni[c] = a.muni as u32;
            if Some(a.muni) == capital {
                district[c] = u32::from(a.district);
            }
        }
    }

    // 2. Land: within a noisy reach of an area cell; then lakes filled.
    let dist = chamfer(&grid, |c| muni[c] != NONE);
    let noise = Noise { lattice };
    let mut land: Vec<bool> = (0..n)
        .map(|c| {
            if muni[c] != NONE {
                return true;
            }
            let [x, y] = grid.centre(c);
            let r = reach + amplitude * noise.at(x as f64, y as f64);
            dist[c] * cell <= r
        })
        .collect();
    let border = |c: usize| {
        let (i, j) = (c % grid.w, c / grid.w);
        i == 0 || j == 0 || i + 1 == grid.w || j + 1 == grid.h
    };
    let sea = bfs_distance(&grid, |c| !land[c] && border(c), |c| !land[c]);
    for c in 0..n {
        if !land[c] && sea[c] == u32::MAX {
            land[c] = true; // a lake
        }
    }

    // 3. Municipalities grow over the land; 4. districts over the capital.
    // Where each municipality's and district's areas are: its name goes near them.
    let (muni_seeds, district_seeds) = (boxes(&grid, &muni), boxes(&grid, &district));
    flood(&grid, &mut muni, |c| land[c]);
    if let Some(k) = capital {
        let k = k as u32;
        flood(&grid, &mut district, |c| muni[c] == k);
    }

    // 5. Outlines and label points.
    let region = |i: isize, j: isize| -> u64 {
        if i < 0 || j < 0 || i as usize >= grid.w || j as usize >= grid.h {
            return u64::MAX;
        }
        let c = grid.idx(i as usize, j as usize);
        if muni[c] == NONE {
            u64::MAX
        } else {
            (u64::from(muni[c]) << 32) | u64::from(district[c] & 0xFFFF)
        }
    };
    let junction = |i: usize, j: usize| {
        let (i, j) = (i as isize, j as isize);
        let (sw, se, nw, ne) = (
            region(i - 1, j - 1),
            region(i, j - 1),
            region(i - 1, j),
            region(i, j),
        );
        let mut all = [sw, se, nw, ne];
        all.sort_unstable();
        let distinct = 1 + all.windows(2).filter(|w| w[0] != w[1]).count();
        distinct >= 3 || (distinct == 2 && sw == ne && se == nw)
    };
    let coast = trace(&grid, |c| muni[c] != NONE, None, &junction);
    let label_of = |labels: &[u32], seeds: &HashMap<u32, [usize; 4]>| {
        let edge = bfs_distance(
            &grid,
            |c| {
                labels[c] != NONE
                    && (grid.neighbours(c).count() < 4
                        || grid.neighbours(c).any(|d| labels[d] != labels[c]))
            },
            |c| labels[c] != NONE,
        );
        // The name goes near the region's areas (within CLEAR cells of their box) but clear
        // of them (at least CLEAR cells from any), where the region is widest; failing that,
        // near them; failing that, where the region is widest.
        let reach = CLEAR as usize;
        let near = |l: u32, c: usize| {
            let (i, j) = (c % grid.w, c / grid.w);
            seeds.get(&l).is_some_and(|b| {
                i + reach >= b[0] && i <= b[2] + reach && j + reach >= b[1] && j <= b[3] + reach
            })
        };
        let mut best: HashMap<u32, ((bool, bool, u32), usize)> = HashMap::new();
        for c in 0..n {
            let l = labels[c];
            if l == NONE {
                continue;
            }
            let near = near(l, c);
            let score = ((near && dist[c] >= CLEAR, near, edge[c]), c);
            let e = best.entry(l).or_insert(score);
            if score.0 > e.0 {
                *e = score;
            }
        }
        let best: HashMap<u32, (u32, usize)> = best
            .into_iter()
            .map(|(k, ((_, _, e), c))| (k, (e, c)))
            .collect();
        best
    };
    let muni_labels = label_of(&muni, &muni_seeds);
    let muni_boxes = boxes(&grid, &muni);
    let municipalities = world
        .munis
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let k = k as u32;
            Named {
                code: m.code,
                name: m.name.clone(),
                polygons: trace(
                    &grid,
                    |c| muni[c] == k,
                    muni_boxes.get(&k).copied(),
                    &junction,
                ),
                label: grid.centre(muni_labels[&k].1),
            }
        })
        .collect();
    let districts = if capital.is_some() {
        let labels = label_of(&district, &district_seeds);
        let boxes = boxes(&grid, &district);
        (1..=DISTRICTS.len() as u32)
            .filter(|d| labels.contains_key(d))
            .map(|d| Named {
                code: d as u16,
                name: DISTRICTS[d as usize - 1].to_string(),
                polygons: trace(
                    &grid,
                    |c| district[c] == d,
                    boxes.get(&d).copied(),
                    &junction,
                ),
                label: grid.centre(labels[&d].1),
            })
            .collect()
    } else {
        Vec::new()
    };
    Boundaries {
        coast,
        municipalities,
        districts,
    }
}

/// Distance in cells from the nearest cell where `source` holds, near Euclidean (a two-pass
/// chamfer transform with steps 1 and √2), so the land grows round, not in diamonds.
fn chamfer(grid: &Grid, source: impl Fn(usize) -> bool) -> Vec<f64> {
    let (w, h) = (grid.w, grid.h);
    let mut d: Vec<f64> = (0..w * h)
        .map(|c| if source(c) { 0.0 } else { f64::INFINITY })
        .collect();
    let diagonal = std::f64::consts::SQRT_2;
    for j in 0..h {
        for i in 0..w {
            let c = j * w + i;
            let mut v = d[c];
            if i > 0 {
                v = v.min(d[c - 1] + 1.0);
            }
            if j > 0 {
                v = v.min(d[c - w] + 1.0);
                if i > 0 {
                    v = v.min(d[c - w - 1] + diagonal);
                }
                if i + 1 < w {
                    v = v.min(d[c - w + 1] + diagonal);
                }
            }
            d[c] = v;
        }
    }
    for j in (0..h).rev() {
        for i in (0..w).rev() {
            let c = j * w + i;
            let mut v = d[c];
            if i + 1 < w {
                v = v.min(d[c + 1] + 1.0);
            }
            if j + 1 < h {
                v = v.min(d[c + w] + 1.0);
                if i + 1 < w {
                    v = v.min(d[c + w + 1] + diagonal);
                }
                if i > 0 {
                    v = v.min(d[c + w - 1] + diagonal);
                }
            }
            d[c] = v;
        }
    }
    d
}

/// The cell box `[i0, j0, i1, j1]` of each label in `labels`.
fn boxes(grid: &Grid, labels: &[u32]) -> HashMap<u32, [usize; 4]> {
    let mut b: HashMap<u32, [usize; 4]> = HashMap::new();
    for (c, &l) in labels.iter().enumerate() {
        if l != NONE {
            let (i, j) = (c % grid.w, c / grid.w);
            let e = b.entry(l).or_insert([i, j, i, j]);
            *e = [e[0].min(i), e[1].min(j), e[2].max(i), e[3].max(j)];
        }
    }
    b
}

/// Steps (4-neighbour) from the nearest cell where `source` holds, moving only through cells
/// where `pass` holds; `u32::MAX` where unreached.
fn bfs_distance(
    grid: &Grid,
    source: impl Fn(usize) -> bool,
    pass: impl Fn(usize) -> bool,
) -> Vec<u32> {
    let n = grid.w * grid.h;
    let mut dist = vec![u32::MAX; n];
    let mut queue = VecDeque::new();
    for (c, d) in dist.iter_mut().enumerate() {
        if source(c) {
            *d = 0;
            queue.push_back(c);
        }
    }
    while let Some(c) = queue.pop_front() {
        for d in grid.neighbours(c) {
            if dist[d] == u32::MAX && pass(d) {
                dist[d] = dist[c] + 1;
                queue.push_back(d);
            }
        }
    }
    dist
}

/// Grows the labelled cells of `labels` over the cells where `inside` holds, breadth first in
/// cell order; cells where `inside` holds that no label reaches are left `NONE`.
fn flood(grid: &Grid, labels: &mut [u32], inside: impl Fn(usize) -> bool) {
    let mut queue: VecDeque<usize> = (0..labels.len()).filter(|&c| labels[c] != NONE).collect();
    while let Some(c) = queue.pop_front() {
        for d in grid.neighbours(c) {
            if labels[d] == NONE && inside(d) {
                labels[d] = labels[c];
                queue.push_back(d);
            }
        }
    }
}

/// The polygons of the cells where `member` holds (within the cell box `[i0, j0, i1, j1]` when
/// given): outer rings counter-clockwise, holes clockwise, straight runs merged.
fn trace(
    grid: &Grid,
    member: impl Fn(usize) -> bool,
    within: Option<[usize; 4]>,
    junction: &dyn Fn(usize, usize) -> bool,
) -> Vec<Polygon> {
    let [i0, j0, i1, j1] = within.unwrap_or([0, 0, grid.w - 1, grid.h - 1]);
    let inside = |i: isize, j: isize| {
        i >= 0
            && j >= 0
            && (i as usize) < grid.w
            && (j as usize) < grid.h
            && member(grid.idx(i as usize, j as usize))
    };
    // Directed boundary edges between lattice vertices (i, j), the region on their left.
    let mut out: HashMap<(usize, usize), Vec<(usize, usize)>> = HashMap::new();
    let mut starts = Vec::new();
    for j in j0..=j1 {
        for i in i0..=i1 {
            let (si, sj) = (i as isize, j as isize);
            if !inside(si, sj) {
                continue;
            }
            let mut edge = |a: (usize, usize), b: (usize, usize)| {
                out.entry(a).or_default().push(b);
                starts.push((a, b));
            };
            if !inside(si, sj - 1) {
                edge((i, j), (i + 1, j));
            }
            if !inside(si + 1, sj) {
                edge((i + 1, j), (i + 1, j + 1));
            }
            if !inside(si, sj + 1) {
                edge((i + 1, j + 1), (i, j + 1));
            }
            if !inside(si - 1, sj) {
                edge((i, j + 1), (i, j));
            }
        }
    }
    let mut rings: Vec<Vec<(usize, usize)>> = Vec::new();
    for (a, b) in starts {
        // Skip edges already used.
        let Some(list) = out.get_mut(&a) else {
            continue;
        };
        let Some(k) = list.iter().position(|&x| x == b) else {
            continue;
        };
        list.swap_remove(k);
        let mut ring = vec![a, b];
        let (mut prev, mut here) = (a, b);
        while here != a {
            let list = out.get_mut(&here).expect("a boundary is closed");
            // At a vertex where two regions touch corner to corner, turn left: each ring
            // keeps to its own cell.
            let dir = (
                here.0 as isize - prev.0 as isize,
                here.1 as isize - prev.1 as isize,
            );
            let k = if list.len() == 1 {
                0
            } else {
                let left = (-dir.1, dir.0);
                list.iter()
                    .position(|&x| {
                        (
                            x.0 as isize - here.0 as isize,
                            x.1 as isize - here.1 as isize,
                        ) == left
                    })
                    .unwrap_or(0)
            };
            let next = list.swap_remove(k);
            ring.push(next);
            prev = here;
            here = next;
        }
        rings.push(ring);
    }
    // Cut the staircase's corners: each unit edge becomes its midpoint, and a junction
    // (where three regions or the sea meet, or two touch corner to corner) stays a vertex.
    // Two regions share the unit edges and the junctions of their common boundary, so their
    // outlines meet exactly; then straight runs are merged. Coordinates are in half cells.
    let smoothed: Vec<Vec<[i64; 2]>> = rings
        .iter()
        .map(|r| {
            let m = r.len() - 1; // r[m] == r[0]
            let mut pts: Vec<[i64; 2]> = Vec::with_capacity(2 * m);
            for k in 0..m {
                let (a, b) = (r[k], r[k + 1]);
                if junction(a.0, a.1) {
                    pts.push([2 * a.0 as i64, 2 * a.1 as i64]);
                }
                pts.push([(a.0 + b.0) as i64, (a.1 + b.1) as i64]);
            }
            let n = pts.len();
            let mut keep: Vec<[i64; 2]> = (0..n)
                .filter(|&k| {
                    let (p, q, s) = (pts[(k + n - 1) % n], pts[k], pts[(k + 1) % n]);
                    (q[0] - p[0]) * (s[1] - q[1]) - (q[1] - p[1]) * (s[0] - q[0]) != 0
                })
                .map(|k| grid.half(pts[k]))
                .collect();
            keep.push(keep[0]);
            keep
        })
        .collect();
    let mut polygons: Vec<Polygon> = Vec::new();
    let mut holes = Vec::new();
    for (raw, ring) in rings.iter().zip(smoothed) {
        if signed_area(&ring) > 0 {
            polygons.push(vec![ring]);
        } else {
            holes.push((raw, ring));
        }
    }
    for (raw, hole) in holes {
        // The centre of the member cell on the left of the hole's first unit edge.
        let (p, q) = (raw[0], raw[1]);
        let (dx, dy) = (q.0 as f64 - p.0 as f64, q.1 as f64 - p.1 as f64);
        let (cx, cy) = (
            (p.0 + q.0) as f64 / 2.0 - dy / 2.0,
            (p.1 + q.1) as f64 / 2.0 + dx / 2.0,
        );
        let probe = [
            grid.origin.0 + cx * grid.cell,
            grid.origin.1 + cy * grid.cell,
        ];
        if let Some(poly) = polygons.iter_mut().find(|poly| contains(&poly[0], probe)) {
            poly.push(hole);
        }
    }
    polygons
}

/// Twice the signed area (positive: counter-clockwise).
fn signed_area(r: &[[i64; 2]]) -> i128 {
    r.windows(2)
        .map(|w| {
            i128::from(w[0][0]) * i128::from(w[1][1]) - i128::from(w[1][0]) * i128::from(w[0][1])
        })
        .sum()
}

/// Whether `p` is inside the closed ring `r` (even-odd rule).
fn contains(r: &[[i64; 2]], p: [f64; 2]) -> bool {
    let mut inside = false;
    for w in r.windows(2) {
        let (a, b) = (
            [w[0][0] as f64, w[0][1] as f64],
            [w[1][0] as f64, w[1][1] as f64],
        );
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if p[0] < x {
                inside = !inside;
            }
        }
    }
    inside
}

#[cfg(test)]
/// Whether `p` lies inside a polygon (its outer ring and none of its holes).
fn polygon_contains(poly: &Polygon, p: [f64; 2]) -> bool {
    contains(&poly[0], p) && !poly[1..].iter().any(|h| contains(h, p))
}

fn multipolygon(ps: &[Polygon]) -> String {
    let mut s = String::from("{\"type\":\"MultiPolygon\",\"coordinates\":[");
    for (k, p) in ps.iter().enumerate() {
        s.push_str(if k == 0 { "[" } else { ",[" });
        for (l, r) in p.iter().enumerate() {
            s.push_str(if l == 0 { "[" } else { ",[" });
            for (m, [x, y]) in r.iter().enumerate() {
                let _ = write!(s, "{}[{x},{y}]", if m == 0 { "" } else { "," });
            }
            s.push(']');
        }
        s.push(']');
    }
    s.push_str("]}");
    s
}

/// `boundaries.geojson`: a FeatureCollection in EPSG:25832 (the legacy named-CRS member, as in
/// `geometry.geojson`). Every feature has a `layer` (`coast`, `municipality` or `district`) and
/// a `name`; municipalities and districts a `code` too. Each municipality and district is a
/// MultiPolygon feature followed by a Point feature of the same layer, code and name: where its
/// name goes on a map.
pub fn geojson(b: &Boundaries) -> String {
    let mut features = Vec::new();
    features.push(format!(
        "{{\"type\":\"Feature\",\"properties\":{{\"layer\":\"coast\",\"name\":{}}},\"geometry\":{}}}",
        json_str("Land (fictional)"),
        multipolygon(&b.coast)
    ));
    for (layer, list) in [
        ("municipality", &b.municipalities),
        ("district", &b.districts),
    ] {
        for n in list {
            let extra = if layer == "district" {
                format!(",\"municipality\":{CAPITAL_CODE}")
            } else {
                String::new()
            };
            let props = format!(
                "\"layer\":\"{layer}\",\"code\":{},\"name\":{}{extra}",
                n.code,
                json_str(&n.name)
            );
            features.push(format!(
                "{{\"type\":\"Feature\",\"properties\":{{{props}}},\"geometry\":{}}}",
                multipolygon(&n.polygons)
            ));
            features.push(format!(
                "{{\"type\":\"Feature\",\"properties\":{{{props}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{},{}]}}}}",
                n.label[0], n.label[1]
            ));
        }
    }
    format!(
        "{{\"type\":\"FeatureCollection\",\"name\":\"kvarter synthetic boundaries (fictional)\",\
         \"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"urn:ogc:def:crs:EPSG::25832\"}}}},\
         \"features\":[\n{}\n]}}\n",
        features.join(",\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world;

    fn inside_any(ps: &[Polygon], p: [f64; 2]) -> bool {
        ps.iter().any(|poly| polygon_contains(poly, p))
    }

    /// The rectangle's corners, pulled 1 m inwards (a corner on a cell edge is on the outline).
    fn corners(r: [f64; 4]) -> [[f64; 2]; 5] {
        [
            [r[0] + 1.0, r[1] + 1.0],
            [r[2] - 1.0, r[1] + 1.0],
            [r[2] - 1.0, r[3] - 1.0],
            [r[0] + 1.0, r[3] - 1.0],
            [(r[0] + r[2]) / 2.0, (r[1] + r[3]) / 2.0],
        ]
    }

    fn bbox(ps: &[Polygon]) -> [f64; 4] {
        let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for &[x, y] in ps.iter().flat_map(|p| &p[0]) {
            let (x, y) = (x as f64, y as f64);
            b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
        }
        b
    }

    /// Samples about 200 × 200 points (off the raster's lines) over `whole`'s box: each point in
    /// `whole` lies in exactly one of `parts`, each point outside it in none. Returns the number
    /// of samples and of samples inside.
    fn tile(whole: &[Polygon], parts: &[&[Polygon]]) -> (usize, usize) {
        let b = bbox(whole);
        let boxes: Vec<[f64; 4]> = parts.iter().map(|p| bbox(p)).collect();
        let step = ((b[2] - b[0]).max(b[3] - b[1]) / 200.0).max(1.0);
        let (mut samples, mut inside) = (0, 0);
        let mut y = b[1] + 0.37 * step;
        while y < b[3] {
            let mut x = b[0] + 0.61 * step;
            while x < b[2] {
                let p = [x + 0.3, y + 0.7];
                let n = parts
                    .iter()
                    .zip(&boxes)
                    .filter(|(_, bb)| p[0] > bb[0] && p[0] < bb[2] && p[1] > bb[1] && p[1] < bb[3])
                    .filter(|(ps, _)| inside_any(ps, p))
                    .count();
                let expected = usize::from(inside_any(whole, p));
                assert_eq!(n, expected, "{p:?}");
                samples += 1;
                inside += expected;
                x += step;
            }
            y += step;
        }
        (samples, inside)
    }

    fn area2(ps: &[Polygon]) -> i128 {
        ps.iter()
            .map(|p| signed_area(&p[0]) + p[1..].iter().map(|h| signed_area(h)).sum::<i128>())
            .sum()
    }

    fn check(scale: Scale) -> (World, Boundaries) {
        let w = world::build(scale, 1);
        let b = build(&w, scale);
        assert_eq!(b.municipalities.len(), w.munis.len());
        for a in &w.areas {
            let m = &b.municipalities[a.muni];
            for p in corners(a.rect) {
                assert!(inside_any(&m.polygons, p), "{} not in {}", a.id, m.name);
                assert!(inside_any(&b.coast, p), "{} not on land", a.id);
            }
            for (k, other) in b.municipalities.iter().enumerate() {
                if k != a.muni {
                    assert!(!inside_any(&other.polygons, corners(a.rect)[4]), "{}", a.id);
                }
            }
        }
        // The municipalities tile the land: their areas add up to the land's, and every sample
        // point lies in exactly one municipality when it is on land and in none at sea.
        let land = area2(&b.coast);
        let munis: i128 = b.municipalities.iter().map(|m| area2(&m.polygons)).sum();
        assert_eq!(land, munis);
        let all: Vec<&[Polygon]> = b.municipalities.iter().map(|m| &m.polygons[..]).collect();
        let (samples, on_land) = tile(&b.coast, &all);
        assert!(samples > 1000 && on_land > 100, "{samples} {on_land}");
        for m in &b.municipalities {
            let p = [m.label[0] as f64, m.label[1] as f64];
            assert!(inside_any(&m.polygons, p), "{}", m.name);
        }
        (w, b)
    }

    #[test]
    fn capital_districts_lie_in_the_capital_and_contain_their_areas() {
        let (w, b) = check(Scale::City);
        assert_eq!(b.districts.len(), 10);
        let capital = &b.municipalities[0];
        assert_eq!(capital.code, CAPITAL_CODE);
        let districts: i128 = b.districts.iter().map(|d| area2(&d.polygons)).sum();
        assert_eq!(districts, area2(&capital.polygons));
        let parts: Vec<&[Polygon]> = b.districts.iter().map(|d| &d.polygons[..]).collect();
        tile(&capital.polygons, &parts);
        for d in &b.districts {
            let l = [d.label[0] as f64, d.label[1] as f64];
            assert!(inside_any(&capital.polygons, l), "{}", d.name);
            assert!(inside_any(&d.polygons, l), "{}", d.name);
        }
        for a in &w.areas {
            let d = &b.districts[a.district as usize - 1];
            for p in corners(a.rect) {
                assert!(inside_any(&d.polygons, p), "{} not in {}", a.id, d.name);
            }
        }
        // The coast is irregular: it has many corners, not a box around the areas.
        let corners: usize = b.coast.iter().map(|p| p[0].len()).sum();
        assert!(corners > 40, "{corners}");
    }

    #[test]
    fn country_municipalities_tile_the_land_and_contain_their_areas() {
        let (_, b) = check(Scale::Country);
        assert!(b.districts.len() == 10);
    }

    #[test]
    fn the_same_boundaries_every_time() {
        let w = world::build(Scale::City, 1);
        let a = geojson(&build(&w, Scale::City));
        let w2 = world::build(Scale::City, 7);
        let b = geojson(&build(&w2, Scale::City));
        assert_eq!(a, b);
        assert!(a.contains("\"layer\":\"district\""));
    }
}
