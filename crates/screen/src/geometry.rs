//! Grid cells to polygons: the outline of a designated area as a planner would draw it, not a
//! speckle of squares. Pure integer geometry on the grid; coordinates come out in the grid's CRS
//! (EPSG:25832 metres).

use std::collections::{BTreeMap, BTreeSet};

/// A polygon: the outer ring first (counter-clockwise), then holes (clockwise), each ring closed
/// (first point repeated last), as RFC 7946 wants them.
pub type Polygon = Vec<Vec<(f64, f64)>>;

type P = (i64, i64);

/// Dissolves grid cells (`(column, row)` with `column = east / size`, `row = north / size`) into
/// polygons. Cells that touch only at a corner become separate polygons.
pub fn dissolve(cells: &[(i64, i64)], size: f64) -> Vec<Polygon> {
    let set: BTreeSet<P> = cells.iter().copied().collect();
    // Each cell's edges, counter-clockwise; an edge shared by two cells is interior and drops.
    let mut edges: BTreeSet<(P, P)> = BTreeSet::new();
    for &(c, r) in &set {
        let corners = [(c, r), (c + 1, r), (c + 1, r + 1), (c, r + 1)];
        for k in 0..4 {
            let (a, b) = (corners[k], corners[(k + 1) % 4]);
            if !edges.remove(&(b, a)) {
                edges.insert((a, b));
            }
        }
    }
    let mut from: BTreeMap<P, Vec<P>> = BTreeMap::new();
    for &(a, b) in &edges {
        from.entry(a).or_default().push(b);
    }
    let mut rings: Vec<Vec<P>> = Vec::new();
    while let Some((&start, _)) = from.iter().find(|(_, v)| !v.is_empty()) {
        let mut ring = vec![start];
        let mut prev = start;
        let mut at = pop_next(&mut from, start, None);
        while at != start {
            ring.push(at);
            let next = pop_next(&mut from, at, Some(prev));
            prev = at;
            at = next;
        }
        ring.push(start);
        rings.push(simplify(ring));
    }
    let (outers, holes): (Vec<Vec<P>>, Vec<Vec<P>>) = rings.into_iter().partition(|r| area2(r) > 0);
    let mut polygons: Vec<(Vec<P>, Vec<Vec<P>>)> =
        outers.into_iter().map(|o| (o, Vec::new())).collect();
    for h in holes {
        // The midpoint of a hole's first edge lies inside exactly the outer ring around it.
        let m = (
            (h[0].0 + h[1].0) as f64 / 2.0,
            (h[0].1 + h[1].1) as f64 / 2.0,
        );
        if let Some(p) = polygons.iter_mut().find(|(o, _)| contains(o, m)) {
            p.1.push(h);
        }
    }
    let scale = |ring: &Vec<P>| {
        ring.iter()
            .map(|&(x, y)| (x as f64 * size, y as f64 * size))
            .collect::<Vec<_>>()
    };
    polygons
        .into_iter()
        .map(|(o, hs)| std::iter::once(&o).chain(hs.iter()).map(scale).collect())
        .collect()
}

/// Takes the next boundary edge out of `at`. Where two leave one corner (cells touching at a
/// corner), turn left, so the ring keeps its own cells on its left and the two cells separate.
fn pop_next(from: &mut BTreeMap<P, Vec<P>>, at: P, prev: Option<P>) -> P {
    let outs = from
        .get_mut(&at)
        .expect("a closed boundary has an edge out of every corner");
    let pick = match (prev, outs.len()) {
        (Some(prev), n) if n > 1 => {
            let (dx, dy) = (at.0 - prev.0, at.1 - prev.1);
            let left = (at.0 - dy, at.1 + dx);
            outs.iter().position(|&o| o == left).unwrap_or(0)
        }
        _ => 0,
    };
    outs.remove(pick)
}

/// Drops corners where the ring goes straight on.
fn simplify(ring: Vec<P>) -> Vec<P> {
    let n = ring.len() - 1; // closed: last == first
    let pts = &ring[..n];
    let mut out: Vec<P> = Vec::new();
    for i in 0..n {
        let (a, b, c) = (pts[(i + n - 1) % n], pts[i], pts[(i + 1) % n]);
        let cross = (b.0 - a.0) * (c.1 - b.1) - (b.1 - a.1) * (c.0 - b.0);
        if cross != 0 {
            out.push(b);
        }
    }
    let first = out[0];
    out.push(first);
    out
}

/// Twice the signed area: positive for counter-clockwise rings.
fn area2(ring: &[P]) -> i64 {
    ring.windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum()
}

fn contains(ring: &[P], (x, y): (f64, f64)) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let ((x1, y1), (x2, y2)) = (
            (w[0].0 as f64, w[0].1 as f64),
            (w[1].0 as f64, w[1].1 as f64),
        );
        if (y1 > y) != (y2 > y) && x < x1 + (y - y1) * (x2 - x1) / (y2 - y1) {
            inside = !inside;
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_of_cells_becomes_one_square() {
        let p = dissolve(&[(0, 0), (1, 0), (0, 1), (1, 1)], 100.0);
        assert_eq!(
            p,
            vec![vec![vec![
                (0.0, 0.0),
                (200.0, 0.0),
                (200.0, 200.0),
                (0.0, 200.0),
                (0.0, 0.0)
            ]]]
        );
    }

    #[test]
    fn a_ring_of_cells_has_a_hole() {
        let cells: Vec<(i64, i64)> = (0..3)
            .flat_map(|c| (0..3).map(move |r| (c, r)))
            .filter(|&c| c != (1, 1))
            .collect();
        let p = dissolve(&cells, 1.0);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].len(), 2, "outer ring and one hole");
        assert_eq!(p[0][0].len(), 5);
        let hole: BTreeSet<(i64, i64)> =
            p[0][1].iter().map(|&(x, y)| (x as i64, y as i64)).collect();
        assert_eq!(hole, BTreeSet::from([(1, 1), (2, 1), (2, 2), (1, 2)]));
        // The hole runs clockwise (RFC 7946).
        let h: Vec<P> = p[0][1].iter().map(|&(x, y)| (x as i64, y as i64)).collect();
        assert!(area2(&h) < 0);
    }

    #[test]
    fn cells_touching_at_a_corner_are_two_polygons() {
        let p = dissolve(&[(0, 0), (1, 1)], 1.0);
        assert_eq!(p.len(), 2);
        assert!(p.iter().all(|poly| poly.len() == 1 && poly[0].len() == 5));
    }
}
