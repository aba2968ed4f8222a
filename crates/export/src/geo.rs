//! Polygons from the store's GeoJSON geometry (EPSG:25832), their ring orientation, and the
//! inverse of the UTM zone 32N projection to longitude and latitude.

use crate::ExportError;
use serde_json::Value;

/// The coordinate reference system an export is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Crs {
    /// WGS 84 longitude and latitude in degrees (EPSG:4326, axis order lon/lat), as RFC 7946
    /// GeoJSON requires. The store's ETRS89 coordinates are projected back to ETRS89
    /// longitude/latitude, which is taken as WGS 84 (they differ by well under a metre in
    /// Denmark, the usual convention: PROJ's EPSG:25832 → EPSG:4326 does the same).
    Wgs84,
    /// ETRS89 / UTM zone 32N (EPSG:25832), easting and northing in metres: the coordinates as
    /// the store holds them, and the reference system of Danish municipal GIS.
    Utm32,
}

impl Crs {
    /// The EPSG code: 4326 or 25832.
    pub fn epsg(self) -> i32 {
        match self {
            Crs::Wgs84 => 4326,
            Crs::Utm32 => 25832,
        }
    }
}

/// One ring: closed (the first position repeated last), at least four positions.
pub(crate) type Ring = Vec<[f64; 2]>;

/// A polygon: the exterior ring, then the holes.
pub(crate) type Polygon = Vec<Ring>;

/// A Polygon or a MultiPolygon, oriented by the right-hand rule (exterior counter-clockwise,
/// holes clockwise), in the coordinates of a [`Crs`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shape {
    /// Whether it was a MultiPolygon.
    pub multi: bool,
    /// The polygons (one for a Polygon).
    pub polygons: Vec<Polygon>,
}

impl Shape {
    /// Reads a stored GeoJSON geometry (EPSG:25832) and writes it in `crs`, oriented by the
    /// right-hand rule. `row` names the row in errors.
    pub(crate) fn from_stored(g: &Value, crs: Crs, row: usize) -> Result<Shape, ExportError> {
        let bad = |message: String| ExportError::Geometry { row, message };
        let (multi, polygons) = match g.get("type").and_then(Value::as_str) {
            Some("Polygon") => (false, vec![&g["coordinates"]]),
            Some("MultiPolygon") => (
                true,
                g["coordinates"]
                    .as_array()
                    .ok_or_else(|| bad("MultiPolygon without a coordinates array".into()))?
                    .iter()
                    .collect(),
            ),
            Some(other) => {
                return Err(bad(format!(
                    "a {other}; expected a Polygon or a MultiPolygon"
                )));
            }
            None => return Err(bad("no geometry type; expected a GeoJSON geometry".into())),
        };
        let mut out = Vec::with_capacity(polygons.len());
        for (p, polygon) in polygons.into_iter().enumerate() {
            let rings = polygon
                .as_array()
                .ok_or_else(|| bad(format!("polygon {p}: expected an array of rings")))?;
            if rings.is_empty() {
                return Err(bad(format!("polygon {p}: has no ring")));
            }
            let mut parsed = Vec::with_capacity(rings.len());
            for (r, ring) in rings.iter().enumerate() {
                let at = |m: &str| bad(format!("polygon {p}, ring {r}: {m}"));
                let mut pts: Ring = ring
                    .as_array()
                    .ok_or_else(|| at("expected an array of positions"))?
                    .iter()
                    .map(|pos| {
                        let x = pos.get(0).and_then(Value::as_f64);
                        let y = pos.get(1).and_then(Value::as_f64);
                        match (x, y) {
                            (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok([x, y]),
                            _ => Err(at(&format!(
                                "position {pos}: expected two finite numbers (easting, northing)"
                            ))),
                        }
                    })
                    .collect::<Result<_, _>>()?;
                if pts.first() != pts.last() {
                    pts.push(pts[0]);
                }
                if pts.len() < 4 {
                    return Err(at(&format!(
                        "{} positions; a ring needs at least three corners",
                        pts.len()
                    )));
                }
                if crs == Crs::Wgs84 {
                    for p in &mut pts {
                        let (lon, lat) = utm32_to_wgs84(p[0], p[1]);
                        *p = [lon, lat];
                    }
                }
                // Exterior counter-clockwise (positive area), holes clockwise.
                let exterior = r == 0;
                if (signed_area(&pts) > 0.0) != exterior {
                    pts.reverse();
                }
                parsed.push(pts);
            }
            out.push(parsed);
        }
        Ok(Shape {
            multi,
            polygons: out,
        })
    }

    /// The bounding box: `[min_x, min_y, max_x, max_y]`.
    pub(crate) fn envelope(&self) -> [f64; 4] {
        let mut e = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in self.polygons.iter().flatten().flatten() {
            e[0] = e[0].min(p[0]);
            e[1] = e[1].min(p[1]);
            e[2] = e[2].max(p[0]);
            e[3] = e[3].max(p[1]);
        }
        e
    }
}

/// Twice the signed area of a closed ring (shoelace): positive when counter-clockwise.
pub(crate) fn signed_area(ring: &[[f64; 2]]) -> f64 {
    // Relative to the first corner, so that large UTM coordinates lose no precision.
    let o = ring[0];
    ring.windows(2)
        .map(|w| (w[0][0] - o[0]) * (w[1][1] - o[1]) - (w[1][0] - o[0]) * (w[0][1] - o[1]))
        .sum()
}

// GRS80 (the ellipsoid of ETRS89) and UTM zone 32N.
const A: f64 = 6_378_137.0;
const F: f64 = 1.0 / 298.257_222_101;
const K0: f64 = 0.9996;
const FALSE_EASTING: f64 = 500_000.0;
const CENTRAL_MERIDIAN_DEG: f64 = 9.0;

/// The inverse of ETRS89 / UTM zone 32N (EPSG:25832): easting and northing in metres to
/// longitude and latitude in degrees, `(lon, lat)`.
///
/// Krüger's series to sixth order in the third flattening `n`, as in Karney, "Transverse
/// Mercator with an accuracy of a few nanometers" (J. Geodesy 85, 2011), eqs. (11), (15), (36),
/// with the latitude recovered from the conformal latitude by Newton's method (eqs. 7–9, 19–21);
/// this is PROJ's `tmerc` (approx. off) and agrees with it to far better than a millimetre within
/// a few thousand kilometres of the central meridian (9° E), Denmark included.
pub fn utm32_to_wgs84(easting: f64, northing: f64) -> (f64, f64) {
    let n = F / (2.0 - F);
    let (n2, n3) = (n * n, n * n * n);
    let (n4, n5, n6) = (n3 * n, n3 * n2, n3 * n3);
    // The rectifying radius.
    let rect = A / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0 + n6 / 256.0);
    let beta = [
        n / 2.0 - 2.0 * n2 / 3.0 + 37.0 * n3 / 96.0 - n4 / 360.0 - 81.0 * n5 / 512.0
            + 96_199.0 * n6 / 604_800.0,
        n2 / 48.0 + n3 / 15.0 - 437.0 * n4 / 1440.0 + 46.0 * n5 / 105.0
            - 1_118_711.0 * n6 / 3_870_720.0,
        17.0 * n3 / 480.0 - 37.0 * n4 / 840.0 - 209.0 * n5 / 4480.0 + 5569.0 * n6 / 90_720.0,
        4397.0 * n4 / 161_280.0 - 11.0 * n5 / 504.0 - 830_251.0 * n6 / 7_257_600.0,
        4583.0 * n5 / 161_280.0 - 108_847.0 * n6 / 3_991_680.0,
        20_648_693.0 * n6 / 638_668_800.0,
    ];
    let xi = northing / (K0 * rect);
    let eta = (easting - FALSE_EASTING) / (K0 * rect);
    let (mut xi1, mut eta1) = (xi, eta);
    for (j, b) in beta.iter().enumerate() {
        let k = 2.0 * (j as f64 + 1.0);
        xi1 -= b * (k * xi).sin() * (k * eta).cosh();
        eta1 -= b * (k * xi).cos() * (k * eta).sinh();
    }
    // The conformal latitude's tangent, and the longitude from the central meridian.
    let tau_c = xi1.sin() / (eta1.sinh().hypot(xi1.cos()));
    let lam = eta1.sinh().atan2(xi1.cos());
    let tau = tau_from_conformal(tau_c);
    let lat = tau.atan().to_degrees();
    let lon = CENTRAL_MERIDIAN_DEG + lam.to_degrees();
    (lon, lat)
}

/// The tangent of the geographic latitude from that of the conformal latitude (Karney 2011,
/// eqs. 7–9 and 19–21), by Newton's method.
fn tau_from_conformal(tau_c: f64) -> f64 {
    let e2 = F * (2.0 - F);
    let e = e2.sqrt();
    let conformal = |tau: f64| {
        let sigma = (e * (e * tau / (1.0 + tau * tau).sqrt()).atanh()).sinh();
        tau * (1.0 + sigma * sigma).sqrt() - sigma * (1.0 + tau * tau).sqrt()
    };
    let mut tau = tau_c;
    for _ in 0..5 {
        let tc = conformal(tau);
        let step = (tau_c - tc) / (1.0 + tc * tc).sqrt() * (1.0 + (1.0 - e2) * tau * tau)
            / ((1.0 - e2) * (1.0 + tau * tau).sqrt());
        tau += step;
        if step.abs() <= 1e-15 * tau.abs().max(1.0) {
            break;
        }
    }
    tau
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// (easting, northing, lon, lat): EPSG:25832 → EPSG:4326 by PyPI's pyproj 3.7.2 (PROJ
    /// 9.5.1), `Transformer.from_crs(25832, 4326, always_xy=True)`, printed to 10 decimals.
    const REFERENCE: &[(f64, f64, f64, f64)] = &[
        (500000.0, 6000000.0, 9.0000000000, 54.1481041050),
        (725000.0, 6175000.0, 12.5779261265, 55.6685898672),
        (590000.0, 6400000.0, 10.5114516460, 57.7331013961),
        (870000.0, 6120000.0, 14.8002603424, 55.0883266555),
        (465000.0, 6150000.0, 8.4460139906, 55.4948542818),
        (700000.0, 6040000.0, 12.0863409523, 54.4681884722),
        (441000.0, 6049000.0, 8.0870562774, 54.5850420932),
        (892000.0, 6135000.0, 15.1636889206, 55.2054780497),
        (724123.456, 6176543.21, 12.5652777250, 55.6828345166),
    ];

    #[test]
    fn the_inverse_projection_agrees_with_proj_to_a_millimetre() {
        for &(e, n, lon, lat) in REFERENCE {
            let (x, y) = utm32_to_wgs84(e, n);
            // 1e-8 degrees is about 1.1 mm of latitude and 0.6 mm of longitude here; the
            // reference itself is printed to 1e-10.
            let (dx, dy) = ((x - lon).abs(), (y - lat).abs());
            assert!(
                dx < 1e-8 && dy < 1e-8,
                "({e}, {n}): got ({x}, {y}), PROJ ({lon}, {lat})"
            );
            // In metres, to make the bound plain: well under a centimetre.
            let metres_north = dy * 111_320.0;
            let metres_east = dx * 111_320.0 * lat.to_radians().cos();
            assert!(metres_north < 0.001 && metres_east < 0.001);
        }
    }

    #[test]
    fn rings_are_closed_and_follow_the_right_hand_rule() {
        // A clockwise exterior without the closing position, and a counter-clockwise hole.
        let g = json!({"type": "Polygon", "coordinates": [
            [[0.0, 0.0], [0.0, 10.0], [10.0, 10.0], [10.0, 0.0]],
            [[2.0, 2.0], [4.0, 2.0], [4.0, 4.0], [2.0, 4.0], [2.0, 2.0]],
        ]});
        let s = Shape::from_stored(&g, Crs::Utm32, 0).unwrap();
        let rings = &s.polygons[0];
        assert_eq!(rings[0].first(), rings[0].last());
        assert_eq!(rings[0].len(), 5);
        assert!(signed_area(&rings[0]) > 0.0);
        assert!(signed_area(&rings[1]) < 0.0);
        assert!(!s.multi);
        assert_eq!(s.envelope(), [0.0, 0.0, 10.0, 10.0]);
        // The orientation survives the projection (it is conformal, not a mirror).
        let g = json!({"type": "MultiPolygon", "coordinates": [[
            [[725000.0, 6175000.0], [725000.0, 6175100.0], [725100.0, 6175100.0], [725000.0, 6175000.0]],
        ]]});
        let s = Shape::from_stored(&g, Crs::Wgs84, 0).unwrap();
        assert!(s.multi);
        assert!(signed_area(&s.polygons[0][0]) > 0.0);
    }

    #[test]
    fn what_is_not_a_polygon_is_refused_with_its_row() {
        for (g, says) in [
            (json!({"type": "Point", "coordinates": [1, 2]}), "a Point"),
            (json!({"coordinates": []}), "no geometry type"),
            (
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}),
                "at least three",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[0, 0], ["a", 1], [1, 0]]]}),
                "finite",
            ),
            (json!({"type": "Polygon", "coordinates": []}), "no ring"),
        ] {
            let e = Shape::from_stored(&g, Crs::Wgs84, 7).unwrap_err();
            assert!(matches!(e, ExportError::Geometry { row: 7, .. }), "{e:?}");
            assert!(e.to_string().contains(says), "{e}");
        }
    }
}
