//! SVG maps and charts, drawn on the server.
//!
//! Pure functions from data to SVG markup (`String`): no IO, no state. The markup is meant to be
//! inlined in the HTML pages; colours and line styles come from CSS classes (`assets/style.css`),
//! interaction (zoom, pan, tooltips) from `assets/app.js`, so the pages work without script.
//!
//! - [`map`] draws area polygons (GeoJSON `Polygon`/`MultiPolygon` in EPSG:25832, metres) with one
//!   uniform scale, north up, a scale bar and a north arrow.
//! - [`line_chart`] draws a criterion over list years: one line per [`Series`], gaps where a
//!   value is missing, step lines for thresholds, markers with tooltips on the area's own series.
//! - [`escape`] and [`format_number`] are shared with the pages.

use serde_json::Value;
use std::fmt::Write as _;

/// Escapes text for XML and HTML (element content and quoted attribute values):
/// `&`, `<`, `>`, `"` and `'`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Formats `x` with `decimals` decimals and a thousands separator.
///
/// With `decimal_comma` (Danish style) the decimal mark is `,` and thousands are grouped with `.`
/// (`1234.5` → `"1.234,5"`); otherwise `.` and `,` (`"1,234.5"`). A value that rounds to zero has
/// no minus sign. A value that is not finite is written `"–"`.
pub fn format_number(x: f64, decimals: usize, decimal_comma: bool) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    let digits = format!("{:.*}", decimals, x.abs());
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits.as_str(), None),
    };
    let is_zero = digits.bytes().all(|b| b == b'0' || b == b'.');
    let (group, mark) = if decimal_comma {
        ('.', ',')
    } else {
        (',', '.')
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if x < 0.0 && !is_zero {
        out.push('-');
    }
    let n = int_part.len();
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (n - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if let Some(f) = frac_part {
        out.push(mark);
        out.push_str(f);
    }
    out
}

/// A number rounded to one decimal, written as short as possible (`12`, `12.3`, `-0.5`).
fn px(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".to_string()
    } else {
        format!("{r}")
    }
}

// ---------------------------------------------------------------------------------------------
// Map
// ---------------------------------------------------------------------------------------------

/// One area on a [`map`].
#[derive(Debug, Clone, Copy)]
pub struct Shape<'a> {
    /// The area's id; becomes the path's `data-id`.
    pub id: &'a str,
    /// When `Some`, the path is wrapped in `<a href=..>` (the link is then the focus stop).
    pub href: Option<&'a str>,
    /// CSS class(es) of the path, for its colour, e.g. `"st-omdannelsesomraade"`.
    pub class: &'a str,
    /// Tooltip text: the path's `<title>` child, which the page's script also shows as the
    /// tooltip (the path's `data-tip` attribute is empty: the text is written once, not twice).
    pub title: &'a str,
    /// GeoJSON `Polygon` or `MultiPolygon` (or a `Feature` holding one) in EPSG:25832.
    pub geometry: &'a Value,
}

/// Size and texts of a [`map`].
#[derive(Debug, Clone, Copy)]
pub struct MapOptions<'a> {
    /// Width of the `viewBox` in px.
    pub width: u32,
    /// Height of the `viewBox` in px.
    pub height: u32,
    /// The map's `aria-label`; also the text shown when there is nothing to draw.
    pub label: &'a str,
    /// Unit written after the scale bar's length in kilometres, e.g. `"km"`. A bar shorter than
    /// 1 km is labelled in metres (`"500 m"`).
    pub scale_label: &'a str,
    /// The coast, municipal and district outlines and their names, drawn under the shapes
    /// (see [`Underlay`]); `None`: a blank background.
    pub underlay: Option<&'a Underlay>,
    /// The extent to fit (`[min_x, min_y, max_x, max_y]`, EPSG:25832) instead of the shapes'
    /// bounding box, e.g. the municipality around one area.
    pub extent: Option<[f64; 4]>,
}

type Ring = Vec<[f64; 2]>;
type Polygon = Vec<Ring>;

/// Margin around the shapes, px.
const MAP_MARGIN: f64 = 10.0;
/// Room below the shapes for the scale bar, px.
const MAP_BOTTOM: f64 = 34.0;

fn position(v: &Value) -> Option<[f64; 2]> {
    let a = v.as_array()?;
    let x = a.first()?.as_f64()?;
    let y = a.get(1)?.as_f64()?;
    (x.is_finite() && y.is_finite()).then_some([x, y])
}

fn ring(v: &Value) -> Option<Ring> {
    let r = v
        .as_array()?
        .iter()
        .map(position)
        .collect::<Option<Ring>>()?;
    (r.len() >= 3).then_some(r)
}

fn polygon(v: &Value) -> Option<Polygon> {
    let p = v
        .as_array()?
        .iter()
        .map(ring)
        .collect::<Option<Polygon>>()?;
    (!p.is_empty()).then_some(p)
}

/// The polygons of a GeoJSON `Polygon`, `MultiPolygon` or a `Feature` holding one; `None` when
/// the geometry is missing, of another type, or has a malformed ring (a bad position or fewer
/// than three positions).
fn polygons(geometry: &Value) -> Option<Vec<Polygon>> {
    let coordinates = geometry.get("coordinates");
    let ps = match geometry.get("type")?.as_str()? {
        "Polygon" => vec![polygon(coordinates?)?],
        "MultiPolygon" => coordinates?
            .as_array()?
            .iter()
            .map(polygon)
            .collect::<Option<Vec<Polygon>>>()?,
        "Feature" => return polygons(geometry.get("geometry")?),
        _ => return None,
    };
    (!ps.is_empty()).then_some(ps)
}

fn bbox_of(ps: &[Polygon]) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for &[x, y] in ps.iter().flatten().flatten() {
        b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    }
    b
}

fn union(a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

/// Bounding box `[min_x, min_y, max_x, max_y]` of a GeoJSON `Polygon` or `MultiPolygon` (or a
/// `Feature` holding one), in the geometry's own units; `None` when the geometry is missing or
/// invalid (the same geometries [`map`] skips).
pub fn bbox(geometry: &Value) -> Option<[f64; 4]> {
    polygons(geometry).map(|ps| bbox_of(&ps))
}

/// Metres to px: one scale for x and y, y flipped so north is up, centred in the drawing area.
#[derive(Debug, Clone, Copy)]
struct Projection {
    /// px per metre.
    scale: f64,
    min_x: f64,
    max_y: f64,
    off_x: f64,
    off_y: f64,
}

impl Projection {
    /// Fits `bb` into the rectangle at (`x0`, `y0`) of size `w` × `h` px.
    fn fit(bb: [f64; 4], x0: f64, y0: f64, w: f64, h: f64) -> Projection {
        let (dx, dy) = (bb[2] - bb[0], bb[3] - bb[1]);
        let scale = match (dx > 0.0, dy > 0.0) {
            (true, true) => (w / dx).min(h / dy),
            (true, false) => w / dx,
            (false, true) => h / dy,
            (false, false) => 1.0,
        };
        Projection {
            scale,
            min_x: bb[0],
            max_y: bb[3],
            off_x: x0 + (w - dx * scale) / 2.0,
            off_y: y0 + (h - dy * scale) / 2.0,
        }
    }

    fn apply(&self, [x, y]: [f64; 2]) -> (f64, f64) {
        (
            self.off_x + (x - self.min_x) * self.scale,
            self.off_y + (self.max_y - y) * self.scale,
        )
    }
}

/// Path data of polygons: one `M … Z` subpath per ring, coordinates rounded to 0.1 px,
/// repeated points (after rounding) and the closing point dropped (`Z` closes the ring); a
/// step along one axis is written `H x` or `V y` (a rectangle is `M x y H x V y H x Z`).
fn path_data(ps: &[Polygon], proj: &Projection) -> String {
    let mut d = String::new();
    for r in ps.iter().flatten() {
        let mut pts: Vec<(String, String)> = Vec::with_capacity(r.len());
        for &p in r {
            let (x, y) = proj.apply(p);
            let xy = (px(x), px(y));
            if pts.last() != Some(&xy) {
                pts.push(xy);
            }
        }
        if pts.len() > 1 && pts.first() == pts.last() {
            pts.pop();
        }
        if pts.is_empty() {
            continue;
        }
        for (i, (x, y)) in pts.iter().enumerate() {
            if i == 0 {
                let _ = write!(d, "M{x} {y}");
            } else if *x == pts[i - 1].0 {
                let _ = write!(d, "V{y}");
            } else if *y == pts[i - 1].1 {
                let _ = write!(d, "H{x}");
            } else {
                let _ = write!(d, "L{x} {y}");
            }
        }
        d.push('Z');
    }
    d
}

/// The largest length of 1, 2 or 5 × 10ⁿ metres (at least 1 m) not longer than `target` metres.
fn nice_length(target: f64) -> f64 {
    if !target.is_finite() || target < 1.0 {
        return 1.0;
    }
    let p = 10f64.powi(target.log10().floor() as i32);
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&l| l <= target * (1.0 + 1e-9))
        .unwrap_or(p)
}

fn scale_bar(out: &mut String, proj: &Projection, height: f64, options: &MapOptions<'_>) {
    let metres = nice_length(f64::from(options.width) / 5.0 / proj.scale);
    let len = metres * proj.scale;
    let label = if metres >= 1000.0 {
        let km = metres / 1000.0;
        format!(
            "{} {}",
            format_number(km, 0, false).replace(',', ""),
            options.scale_label
        )
    } else {
        format!("{} m", format_number(metres, 0, false).replace(',', ""))
    };
    let _ = write!(
        out,
        r#"<g class="scalebar" transform="translate({} {})"><rect class="scalebar-bar" x="0" y="0" width="{}" height="5"/><text x="{}" y="5">{}</text></g>"#,
        px(MAP_MARGIN),
        px(height - 18.0),
        px(len),
        px(len + 6.0),
        escape(&label)
    );
}

fn north_arrow(out: &mut String, width: f64) {
    let _ = write!(
        out,
        r#"<g class="north" transform="translate({} 28)" aria-hidden="true"><path d="M0 -16 L7 4 L0 -1 L-7 4 Z"/><text x="0" y="18" text-anchor="middle">N</text></g>"#,
        px(width - 22.0)
    );
}

/// A layer of a map's [`Underlay`], from the bottom up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layer {
    /// The land: drawn filled, the sea around it.
    Coast,
    /// Municipal boundaries, named on a map of the country.
    Municipality,
    /// District boundaries, drawn and named on a map of a city.
    District,
}

impl Layer {
    /// The layer of a boundary feature's `layer` property (`coast`, `municipality`,
    /// `district`).
    pub fn parse(s: &str) -> Option<Layer> {
        match s {
            "coast" => Some(Layer::Coast),
            "municipality" => Some(Layer::Municipality),
            "district" => Some(Layer::District),
            _ => None,
        }
    }

    fn class(self) -> &'static str {
        match self {
            Layer::Coast => "coast",
            Layer::Municipality => "muni",
            Layer::District => "district",
        }
    }
}

/// One outline of an [`Underlay`].
#[derive(Debug, Clone)]
pub struct Outline {
    /// Its layer.
    pub layer: Layer,
    /// The municipality code or district number (`""`: none).
    pub code: String,
    /// Its name (`""`: none).
    pub name: String,
    polygons: Vec<Polygon>,
    bbox: [f64; 4],
}

impl Outline {
    /// Its bounding box `[min_x, min_y, max_x, max_y]`, EPSG:25832.
    pub fn bbox(&self) -> [f64; 4] {
        self.bbox
    }
}

/// Where a name goes.
#[derive(Debug, Clone)]
struct Label {
    layer: Layer,
    name: String,
    at: [f64; 2],
    /// The size of its region (the bounding box's larger side, metres), for the order of
    /// placement: the larger regions are named first.
    size: f64,
}

/// The boundaries drawn under a [`map`]'s shapes: the land, municipal and district outlines,
/// and their names. Parsed once (when the dashboard starts) and simplified for each map's
/// scale when drawn.
#[derive(Debug, Clone, Default)]
pub struct Underlay {
    outlines: Vec<Outline>,
    /// Points given in the boundary file: (layer, code, name, point).
    points: Vec<(Layer, String, String, [f64; 2])>,
    labels: Vec<Label>,
}

/// With an underlay, the shapes' bounding box grows by this share of its larger side on each
/// side, so the coast around them shows.
const UNDERLAY_PAD: f64 = 0.04;

/// Outlines are simplified to within this many metres (or 0.7 px, when more): what is left of
/// a raster's staircase (the synthetic country's 100 m cells) is smoothed on a city map.
const SIMPLIFY_METRES: f64 = 20.0;

/// Above this many metres per px a map is a country map: the districts are neither drawn nor
/// named, and the municipalities are named.
const DISTRICT_SCALE: f64 = 100.0;

impl Underlay {
    /// Adds one boundary feature: a `Polygon` or `MultiPolygon` is an outline, a `Point` where
    /// the name of the outline with the same layer and name goes. Returns `false` (and adds
    /// nothing) for any other or an invalid geometry.
    pub fn add(&mut self, layer: Layer, code: &str, name: &str, geometry: &Value) -> bool {
        if geometry.get("type").and_then(Value::as_str) == Some("Point") {
            let Some(p) = geometry.get("coordinates").and_then(position) else {
                return false;
            };
            self.points
                .push((layer, code.to_string(), name.to_string(), p));
            return true;
        }
        let Some(polygons) = polygons(geometry) else {
            return false;
        };
        let bbox = bbox_of(&polygons);
        self.outlines.push(Outline {
            layer,
            code: code.to_string(),
            name: name.to_string(),
            polygons,
            bbox,
        });
        true
    }

    /// Places the names once every feature is added: at the file's point for an outline
    /// with one, else at the centroid of its largest ring (a ring's centroid, so inside a
    /// convex outline).
    pub fn finish(&mut self) {
        self.labels.clear();
        for o in &self.outlines {
            if o.name.is_empty() || o.layer == Layer::Coast {
                continue;
            }
            let size = (o.bbox[2] - o.bbox[0]).max(o.bbox[3] - o.bbox[1]);
            let given = self
                .points
                .iter()
                .find(|(l, c, n, _)| *l == o.layer && *c == o.code && *n == o.name)
                .map(|p| p.3);
            let at = given.or_else(|| {
                o.polygons
                    .iter()
                    .map(|p| &p[0])
                    .max_by(|a, b| ring_area(a).abs().total_cmp(&ring_area(b).abs()))
                    .and_then(centroid)
            });
            if let Some(at) = at {
                self.labels.push(Label {
                    layer: o.layer,
                    name: o.name.clone(),
                    at,
                    size,
                });
            }
        }
        self.labels.sort_by(|a, b| {
            a.layer
                .cmp(&b.layer)
                .reverse()
                .then(b.size.total_cmp(&a.size))
                .then(a.name.cmp(&b.name))
        });
    }

    /// Whether there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.outlines.is_empty()
    }

    /// The outline of `layer` with this code or else this name, e.g. a municipality by its
    /// code (`101`) or its name.
    pub fn outline(&self, layer: Layer, code_or_name: &str) -> Option<&Outline> {
        let of = |o: &&Outline| o.layer == layer && !code_or_name.is_empty();
        self.outlines
            .iter()
            .filter(of)
            .find(|o| o.code == code_or_name)
            .or_else(|| {
                self.outlines
                    .iter()
                    .filter(of)
                    .find(|o| o.name == code_or_name)
            })
    }
}

fn ring_area(r: &Ring) -> f64 {
    let n = r.len();
    (0..n)
        .map(|i| {
            let (a, b) = (r[i], r[(i + 1) % n]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum::<f64>()
        / 2.0
}

fn centroid(r: &Ring) -> Option<[f64; 2]> {
    let a = ring_area(r);
    if a == 0.0 {
        return None;
    }
    let n = r.len();
    let (o0, o1) = (r[0][0], r[0][1]);
    let (mut cx, mut cy) = (0.0, 0.0);
    for i in 0..n {
        let (p, q) = (r[i], r[(i + 1) % n]);
        let (px_, py, qx, qy) = (p[0] - o0, p[1] - o1, q[0] - o0, q[1] - o1);
        let f = px_ * qy - qx * py;
        cx += (px_ + qx) * f;
        cy += (py + qy) * f;
    }
    Some([o0 + cx / (6.0 * a), o1 + cy / (6.0 * a)])
}

/// Douglas–Peucker: the points of `pts` (px) to keep so that none is further than `tol` from
/// the simplified line.
fn simplify(pts: &[(f64, f64)], tol: f64) -> Vec<(f64, f64)> {
    if pts.len() < 3 {
        return pts.to_vec();
    }
    let mut keep = vec![false; pts.len()];
    keep[0] = true;
    keep[pts.len() - 1] = true;
    let mut stack = vec![(0, pts.len() - 1)];
    while let Some((i, j)) = stack.pop() {
        let (a, b) = (pts[i], pts[j]);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = dx.hypot(dy);
        let mut best = (0.0, 0);
        for (k, p) in pts.iter().enumerate().take(j).skip(i + 1) {
            let d = if len == 0.0 {
                (p.0 - a.0).hypot(p.1 - a.1)
            } else {
                ((p.0 - a.0) * dy - (p.1 - a.1) * dx).abs() / len
            };
            if d > best.0 {
                best = (d, k);
            }
        }
        if best.0 > tol {
            keep[best.1] = true;
            stack.push((i, best.1));
            stack.push((best.1, j));
        }
    }
    pts.iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

/// Compact path data of rings in px: whole px, relative after the first point
/// (`M12 30l4-2 0 5…Z`), simplified (Douglas–Peucker, the larger of 0.7 px and
/// [`SIMPLIFY_METRES`]); rings under 2 px across are left out.
fn outline_data(d: &mut String, ps: &[Polygon], proj: &Projection) {
    let tolerance = (SIMPLIFY_METRES * proj.scale).max(0.7);
    for r in ps.iter().flatten() {
        let pts: Vec<(f64, f64)> = r.iter().map(|&p| proj.apply(p)).collect();
        let (mut lo, mut hi) = ((f64::MAX, f64::MAX), (f64::MIN, f64::MIN));
        for p in &pts {
            lo = (lo.0.min(p.0), lo.1.min(p.1));
            hi = (hi.0.max(p.0), hi.1.max(p.1));
        }
        if hi.0 - lo.0 < 2.0 && hi.1 - lo.1 < 2.0 {
            continue;
        }
        let mut simple: Vec<(i64, i64)> = Vec::new();
        for (x, y) in simplify(&pts, tolerance) {
            let p = (x.round() as i64, y.round() as i64);
            if simple.last() != Some(&p) {
                simple.push(p);
            }
        }
        if simple.len() > 1 && simple.first() == simple.last() {
            simple.pop();
        }
        if simple.len() < 3 {
            continue;
        }
        let _ = write!(d, "M{} {}l", simple[0].0, simple[0].1);
        for w in simple.windows(2) {
            let (dx, dy) = (w[1].0 - w[0].0, w[1].1 - w[0].1);
            // A negative number needs no separator before it.
            if !d.ends_with('l') && dx >= 0 {
                d.push(' ');
            }
            let _ = write!(d, "{dx}");
            if dy >= 0 {
                d.push(' ');
            }
            let _ = write!(d, "{dy}");
        }
        d.push('Z');
    }
}

/// The label text of a name on the map: a municipality without the word "Kommune".
fn short_name(name: &str) -> &str {
    name.strip_suffix(" Kommune").unwrap_or(name)
}

/// Draws the outlines of `u` that meet the view (`view`, metres) under the shapes; returns
/// whether the coast was drawn.
fn underlay(out: &mut String, u: &Underlay, proj: &Projection, view: [f64; 4]) -> bool {
    let metres_per_px = 1.0 / proj.scale;
    let meets = |b: [f64; 4]| b[0] < view[2] && b[2] > view[0] && b[1] < view[3] && b[3] > view[1];
    let mut coast = false;
    out.push_str(r#"<g class="underlay" aria-hidden="true">"#);
    for layer in [Layer::Coast, Layer::Municipality, Layer::District] {
        if layer == Layer::District && metres_per_px > DISTRICT_SCALE {
            continue;
        }
        let mut d = String::new();
        for o in u
            .outlines
            .iter()
            .filter(|o| o.layer == layer && meets(o.bbox))
        {
            outline_data(&mut d, &o.polygons, proj);
        }
        if !d.is_empty() {
            coast |= layer == Layer::Coast;
            let _ = write!(out, r#"<path class="{}" d="{d}"/>"#, layer.class());
        }
    }
    out.push_str("</g>");
    coast
}

/// The names of the underlay's regions for the scale, above the shapes (they take no pointer
/// events): districts on a city map, municipalities on a country map and around a city; a
/// name that would overlap one already placed, or leave the map, is left out.
fn labels(out: &mut String, u: &Underlay, proj: &Projection, w: f64, h: f64) {
    let metres_per_px = 1.0 / proj.scale;
    let mut placed: Vec<[f64; 4]> = Vec::new();
    let mut s = String::new();
    for l in &u.labels {
        if l.layer == Layer::District && metres_per_px > DISTRICT_SCALE {
            continue;
        }
        // A region too small on this map to carry its name.
        if l.size / metres_per_px < 40.0 {
            continue;
        }
        let (font, class) = match l.layer {
            Layer::District => (12.0, "lbl-d"),
            _ => (11.0, "lbl-m"),
        };
        let text = short_name(&l.name);
        let half = 0.3 * font * text.chars().count() as f64;
        let (x, y) = proj.apply(l.at);
        let b = [
            x - half - 2.0,
            y - font * 0.8,
            x + half + 2.0,
            y + font * 0.4,
        ];
        if b[0] < MAP_MARGIN || b[2] > w - MAP_MARGIN || b[1] < MAP_MARGIN || b[3] > h - MAP_BOTTOM
        {
            continue;
        }
        if placed
            .iter()
            .any(|p| b[0] < p[2] && b[2] > p[0] && b[1] < p[3] && b[3] > p[1])
        {
            continue;
        }
        placed.push(b);
        let _ = write!(
            s,
            r#"<text class="{class}" x="{}" y="{}">{}</text>"#,
            px(x),
            px(y),
            escape(text)
        );
    }
    if !s.is_empty() {
        let _ = write!(out, r#"<g class="labels" aria-hidden="true">{s}</g>"#);
    }
}

/// A map whose every shape is a stop for the keyboard, behind a link that jumps past it: a
/// keyboard user reaches what follows without tabbing through hundreds of areas or thousands of
/// units (WCAG 2.4.1). The link is hidden until it has focus; `after` names the element after
/// the map that it jumps to (written here), `text` is what it says.
pub fn skippable(map: &str, after: &str, text: &str) -> String {
    let after = escape(after);
    format!(
        "<a class=\"skip-map\" href=\"#{after}\">{}</a>{map}<span id=\"{after}\" tabindex=\"-1\"></span>",
        escape(text)
    )
}

/// A map of `shapes`: `<svg class="map" data-zoom viewBox="0 0 W H" role="img" aria-label=..>`.
///
/// All shapes share one scale (metres → px, the same for x and y), fitted to the bounding box of
/// all of them (grown by 4 % on each side with an underlay; or `options.extent`) with a
/// margin, north up; `options.underlay` is drawn under the shapes and its names above them. Each shape becomes a
/// `<path d=.. class=.. data-id=.. data-tip="" tabindex="0">` (even-odd fill: style.css) with a
/// `<title>` (the tooltip's text: an empty `data-tip` tells the script to show the title), inside `<g class="shapes">`, in the order given; with an `href` the path is wrapped
/// in `<a href=.. aria-label=..>` and the link, not the path, takes the focus. Below the shapes:
/// a scale bar (`g.scalebar`, a round length of about a fifth of the width) and a north arrow
/// (`g.north`). Shapes whose geometry is missing or invalid are skipped; when none is left the
/// SVG holds only `options.label` as centred text (`class="map empty"`, no `data-zoom`).
pub fn map(shapes: &[Shape<'_>], options: &MapOptions<'_>) -> String {
    let (w, h) = (
        f64::from(options.width.max(1)),
        f64::from(options.height.max(1)),
    );
    let parsed: Vec<(&Shape<'_>, Vec<Polygon>)> = shapes
        .iter()
        .filter_map(|s| polygons(s.geometry).map(|p| (s, p)))
        .collect();
    let label = escape(options.label);
    let mut out = String::new();
    if parsed.is_empty() {
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="map empty" viewBox="0 0 {w} {h}" role="img" aria-label="{label}"><text x="{}" y="{}" text-anchor="middle" dominant-baseline="middle">{label}</text></svg>"#,
            px(w / 2.0),
            px(h / 2.0)
        );
        return out;
    }
    let bb = options.extent.unwrap_or_else(|| {
        let b = parsed
            .iter()
            .map(|(_, ps)| bbox_of(ps))
            .reduce(union)
            .expect("parsed is not empty");
        // With an underlay, a little of the land and sea around the shapes shows.
        let pad = if options.underlay.is_some() {
            UNDERLAY_PAD * (b[2] - b[0]).max(b[3] - b[1])
        } else {
            0.0
        };
        [b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad]
    });
    let proj = Projection::fit(
        bb,
        MAP_MARGIN,
        MAP_MARGIN,
        (w - 2.0 * MAP_MARGIN).max(1.0),
        (h - MAP_MARGIN - MAP_BOTTOM).max(1.0),
    );
    // The underlay is drawn first; whether it has a coast (the sea around) is known after.
    let mut under = String::new();
    let coast = options.underlay.is_some_and(|u| {
        let view = [
            proj.min_x - proj.off_x / proj.scale,
            proj.max_y - (h - proj.off_y) / proj.scale,
            proj.min_x + (w - proj.off_x) / proj.scale,
            proj.max_y + proj.off_y / proj.scale,
        ];
        underlay(&mut under, u, &proj, view)
    });
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="map{}" data-zoom="" viewBox="0 0 {w} {h}" role="img" aria-label="{label}">{under}<g class="shapes">"#,
        if coast { " with-coast" } else { "" }
    );
    for (shape, ps) in &parsed {
        let d = path_data(ps, &proj);
        let title = escape(shape.title);
        let class = if shape.class.is_empty() {
            String::new()
        } else {
            format!(r#" class="{}""#, escape(shape.class))
        };
        if let Some(href) = shape.href {
            let _ = write!(out, r#"<a href="{}" aria-label="{title}">"#, escape(href));
        }
        let tabindex = if shape.href.is_some() {
            ""
        } else {
            r#" tabindex="0""#
        };
        let _ = write!(
            out,
            r#"<path d="{d}"{class} data-id="{}" data-tip=""{tabindex}><title>{title}</title></path>"#,
            escape(shape.id)
        );
        if shape.href.is_some() {
            out.push_str("</a>");
        }
    }
    out.push_str("</g>");
    if let Some(u) = options.underlay {
        labels(&mut out, u, &proj, w, h);
    }
    if bb[2] > bb[0] || bb[3] > bb[1] {
        scale_bar(&mut out, &proj, h, options);
    }
    north_arrow(&mut out, w);
    out.push_str("</svg>");
    out
}

// ---------------------------------------------------------------------------------------------
// Line chart
// ---------------------------------------------------------------------------------------------

/// One line of a [`line_chart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Name in the legend.
    pub label: String,
    /// CSS class(es) of the line, e.g. `"s-area"`, `"s-threshold"`, `"s-city"`, `"s-national"`.
    /// A series whose classes include `s-area` gets a marker with a tooltip at each value.
    pub class: String,
    /// (list year, value); `None` breaks the line.
    pub points: Vec<(i32, Option<f64>)>,
    /// Draw as steps: each year's value is a horizontal segment centred on the year (thresholds
    /// change by rule set).
    pub step: bool,
    /// Draw dashed (class `dashed` and `stroke-dasharray`).
    pub dashed: bool,
}

/// A line chart of a criterion over list years, for [`line_chart`].
#[derive(Debug, Clone, Copy)]
pub struct Chart<'a> {
    /// The chart's `aria-label` and `<title>`.
    pub title: &'a str,
    /// Unit after values: `"%"` or `""`.
    pub unit: &'a str,
    /// The lines, drawn in order (later on top).
    pub series: &'a [Series],
    /// Width of the `viewBox` in px.
    pub width: u32,
    /// Height of the `viewBox` in px.
    pub height: u32,
    /// Danish number style (`12,5 %`, `1.234`); also makes the "no data" text Danish.
    pub decimal_comma: bool,
}

/// Approximate width of a text of `s` at 12px, px.
fn text_width(s: &str) -> f64 {
    s.chars().count() as f64 * 7.0
}

/// A "nice" axis `(lo, hi, step)` covering `[min, max]`: the smallest step of 1, 2, 2.5 or
/// 5 × 10ⁿ that needs at most 6 intervals (so 4–6 when `min` is 0).
fn nice_axis(min: f64, max: f64) -> (f64, f64, f64) {
    let (min, max) = if max - min > 0.0 {
        (min, max)
    } else {
        (min, min + 1.0)
    };
    let range = max - min;
    let e0 = range.log10().floor() as i32 - 1;
    for e in e0..e0 + 4 {
        for m in [1.0, 2.0, 2.5, 5.0] {
            let step = m * 10f64.powi(e);
            let lo = (min / step + 1e-9).floor();
            let hi = (max / step - 1e-9).ceil();
            if hi - lo <= 6.0 {
                return (lo * step, hi * step, step);
            }
        }
    }
    (min, max, range / 5.0)
}

/// Number of decimals needed to write multiples of `step` exactly (at most 6).
fn decimals_of(step: f64) -> usize {
    (0..6)
        .find(|&d| {
            let v = step * 10f64.powi(d as i32);
            (v - v.round()).abs() < 1e-6 * v.abs().max(1.0)
        })
        .unwrap_or(6)
}

/// A formatted number with its unit: `"12,5 %"` (Danish), `"12.5%"` (English), `"3 km"`.
fn with_unit(number: String, unit: &str, decimal_comma: bool) -> String {
    match unit {
        "" => number,
        "%" if !decimal_comma => number + "%",
        u => format!("{number} {u}"),
    }
}

fn has_class(classes: &str, class: &str) -> bool {
    classes.split_whitespace().any(|c| c == class)
}

/// Path data of one series: a subpath per run of values without a gap.
fn series_path(s: &Series, x: &dyn Fn(f64) -> f64, y: &dyn Fn(f64) -> f64, half: f64) -> String {
    let mut pts: Vec<(i32, f64)> = s
        .points
        .iter()
        .filter_map(|&(yr, v)| v.map(|v| (yr, v)))
        .collect();
    pts.retain(|&(_, v)| v.is_finite());
    pts.sort_by_key(|&(yr, _)| yr);
    // Years with a gap: a None anywhere in the series, or a year missing between two points.
    let none_years: Vec<i32> = s
        .points
        .iter()
        .filter(|(_, v)| !v.is_some_and(f64::is_finite))
        .map(|&(yr, _)| yr)
        .collect();
    let mut d = String::new();
    let mut prev: Option<(i32, f64)> = None;
    for &(yr, v) in &pts {
        let (px_x, px_y) = (x(f64::from(yr)), y(v));
        let joined = prev.is_some_and(|(pyr, _)| !none_years.iter().any(|&n| n > pyr && n < yr));
        match (prev, joined) {
            (Some((pyr, _)), true) if s.step => {
                // Horizontal to the midpoint, vertical to the new value, on to this year.
                let mid = (x(f64::from(pyr)) + px_x) / 2.0;
                let _ = write!(d, " H{} V{} H{}", px(mid), px(px_y), px(px_x));
            }
            (Some(_), true) => {
                let _ = write!(d, " L{} {}", px(px_x), px(px_y));
            }
            _ => {
                if !d.is_empty() {
                    d.push(' ');
                }
                let next_joined = pts
                    .iter()
                    .find(|&&(nyr, _)| nyr > yr)
                    .is_some_and(|&(nyr, _)| !none_years.iter().any(|&n| n > yr && n < nyr));
                if next_joined {
                    let _ = write!(d, "M{} {}", px(px_x), px(px_y));
                } else if s.step {
                    // A lone step value: a short level centred on its year.
                    let _ = write!(d, "M{} {} h{}", px(px_x - half / 2.0), px(px_y), px(half));
                } else {
                    // A lone value: a tiny segment, so that the round cap shows a dot.
                    let _ = write!(d, "M{} {} h0.1", px(px_x), px(px_y));
                }
            }
        }
        prev = Some((yr, v));
    }
    d.trim().to_string()
}

/// A line chart of `chart.series` over years.
///
/// `<svg class="chart" viewBox="0 0 W H" role="img" aria-label=title>` with a `<title>`;
/// `g.grid` (horizontal gridlines), `g.axis.y` (value labels, 4–6 intervals from 0, or the
/// minimum when negative, up to a round maximum ≥ the largest value), `g.axis.x` (a tick for
/// every year from the first to the last of all points, labelled unless too crowded),
/// `g.series` (a `path.line` per series with the series' classes; `None` values break it into
/// subpaths; `circle.marker` with `<title>` and `data-tip`, e.g. `"2021: 41,3 %"`, at each value
/// of a series with class `s-area`) and `g.legend`. Without any value at all the SVG (class
/// `chart empty`) only says so: "Ingen data" / "No data" after the title.
pub fn line_chart(chart: &Chart<'_>) -> String {
    let dc = chart.decimal_comma;
    let title = escape(chart.title);
    let (w, h) = (
        f64::from(chart.width.max(1)),
        f64::from(chart.height.max(1)),
    );
    let values: Vec<f64> = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|&(_, v)| v))
        .filter(|v| v.is_finite())
        .collect();
    let mut out = String::new();
    if values.is_empty() {
        let msg = if dc { "Ingen data" } else { "No data" };
        let text = if chart.title.is_empty() {
            msg.to_string()
        } else {
            format!("{}: {msg}", chart.title)
        };
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart empty" viewBox="0 0 {w} 40" role="img" aria-label="{title}"><title>{title}</title><text x="{}" y="20" text-anchor="middle" dominant-baseline="middle">{}</text></svg>"#,
            px(w / 2.0),
            escape(&text)
        );
        return out;
    }
    let years = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|&(yr, _)| yr));
    let (y0, y1) = years.fold((i32::MAX, i32::MIN), |(a, b), yr| (a.min(yr), b.max(yr)));
    let vmin = values.iter().copied().fold(f64::INFINITY, f64::min);
    let vmax = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi, step) = nice_axis(vmin.min(0.0), vmax.max(0.0));
    let tick_decimals = decimals_of(step);
    let n_ticks = ((hi - lo) / step).round() as i64;
    let tick_label = |i: i64| {
        with_unit(
            format_number(lo + i as f64 * step, tick_decimals, dc),
            chart.unit,
            dc,
        )
    };
    let value_decimals = if values.iter().all(|v| (v - v.round()).abs() < 1e-9) {
        0
    } else {
        1
    };

    // Layout: y labels on the left, year labels and the legend below.
    let left = (0..=n_ticks)
        .map(|i| text_width(&tick_label(i)))
        .fold(24.0, f64::max)
        + 12.0;
    let (right, top) = (16.0, 12.0);
    let legend_items: Vec<(f64, &Series)> = chart
        .series
        .iter()
        .map(|s| (24.0 + 6.0 + text_width(&s.label) + 20.0, s))
        .collect();
    let mut legend_rows: Vec<Vec<(f64, &Series)>> = vec![Vec::new()];
    let mut row_w = 0.0;
    let legend_w = (w - left - right).max(1.0);
    for item in legend_items {
        if row_w > 0.0 && row_w + item.0 > legend_w {
            legend_rows.push(Vec::new());
            row_w = 0.0;
        }
        row_w += item.0;
        legend_rows.last_mut().expect("one row at least").push(item);
    }
    let rows = if chart.series.is_empty() {
        0
    } else {
        legend_rows.len()
    };
    let bottom = 28.0 + 6.0 + rows as f64 * 18.0;
    let plot_w = (w - left - right).max(1.0);
    let plot_h = (h - top - bottom).max(20.0);
    let pad = 10.0_f64.min(plot_w / 4.0);
    let x = |yr: f64| {
        if y1 > y0 {
            left + pad + (yr - f64::from(y0)) / f64::from(y1 - y0) * (plot_w - 2.0 * pad)
        } else {
            left + plot_w / 2.0
        }
    };
    let y = |v: f64| top + (hi - v) / (hi - lo) * plot_h;
    let year_spacing = if y1 > y0 {
        (plot_w - 2.0 * pad) / f64::from(y1 - y0)
    } else {
        plot_w
    };

    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{title}"><title>{title}</title>"#
    );
    // Gridlines and value labels.
    out.push_str(r#"<g class="grid">"#);
    for i in 0..=n_ticks {
        let gy = px(y(lo + i as f64 * step));
        let _ = write!(
            out,
            r#"<line x1="{}" y1="{gy}" x2="{}" y2="{gy}"/>"#,
            px(left),
            px(left + plot_w)
        );
    }
    out.push_str(r#"</g><g class="axis y">"#);
    for i in 0..=n_ticks {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>"#,
            px(left - 6.0),
            px(y(lo + i as f64 * step)),
            escape(&tick_label(i))
        );
    }
    // Years: a tick for each, a label unless they are too close.
    let every = (40.0 / year_spacing).ceil().max(1.0) as i32;
    let base = px(top + plot_h);
    let _ = write!(
        out,
        r#"</g><g class="axis x"><line class="axis-line" x1="{}" y1="{base}" x2="{}" y2="{base}"/>"#,
        px(left),
        px(left + plot_w)
    );
    for yr in y0..=y1 {
        let tx = px(x(f64::from(yr)));
        let _ = write!(
            out,
            r#"<line class="tick" x1="{tx}" y1="{base}" x2="{tx}" y2="{}"/>"#,
            px(top + plot_h + 4.0)
        );
        if (yr - y0) % every == 0 {
            let _ = write!(
                out,
                r#"<text x="{tx}" y="{}" text-anchor="middle">{yr}</text>"#,
                px(top + plot_h + 18.0)
            );
        }
    }
    out.push_str(r#"</g><g class="series">"#);
    for s in chart.series {
        let d = series_path(s, &x, &y, (year_spacing / 2.0).min(plot_w / 4.0));
        if d.is_empty() {
            continue;
        }
        let (dash_class, dash_attr) = if s.dashed {
            (" dashed", r#" stroke-dasharray="6 4""#)
        } else {
            ("", "")
        };
        let _ = write!(
            out,
            r#"<path class="line {}{dash_class}" d="{d}" fill="none" stroke="currentColor" stroke-linejoin="round" stroke-linecap="round"{dash_attr}/>"#,
            escape(&s.class)
        );
    }
    for s in chart
        .series
        .iter()
        .filter(|s| has_class(&s.class, "s-area"))
    {
        for &(yr, v) in &s.points {
            let Some(v) = v.filter(|v| v.is_finite()) else {
                continue;
            };
            let tip = escape(&format!(
                "{yr}: {}",
                with_unit(format_number(v, value_decimals, dc), chart.unit, dc)
            ));
            let _ = write!(
                out,
                r#"<circle class="marker {}" cx="{}" cy="{}" r="3.5" tabindex="0" data-tip="{tip}"><title>{tip}</title></circle>"#,
                escape(&s.class),
                px(x(f64::from(yr))),
                px(y(v))
            );
        }
    }
    out.push_str("</g>");
    if rows > 0 {
        out.push_str(r#"<g class="legend">"#);
        for (r, row) in legend_rows.iter().enumerate() {
            let ly = top + plot_h + 28.0 + 6.0 + r as f64 * 18.0 + 6.0;
            let mut lx = left;
            for (iw, s) in row {
                let (dash_class, dash_attr) = if s.dashed {
                    (" dashed", r#" stroke-dasharray="6 4""#)
                } else {
                    ("", "")
                };
                let _ = write!(
                    out,
                    r#"<line class="line {}{dash_class}" x1="{}" y1="{ly2}" x2="{}" y2="{ly2}" stroke="currentColor"{dash_attr}/><text x="{}" y="{ly2}" dominant-baseline="middle">{}</text>"#,
                    escape(&s.class),
                    px(lx),
                    px(lx + 24.0),
                    px(lx + 30.0),
                    escape(&s.label),
                    ly2 = px(ly),
                );
                lx += iw;
            }
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The value of the first `name="…"` attribute after `from` in `s`.
    fn attr<'s>(s: &'s str, from: &str, name: &str) -> &'s str {
        let start = s.find(from).unwrap_or_else(|| panic!("{from} not in {s}"));
        let rest = &s[start..];
        let key = format!(" {name}=\"");
        let a = rest
            .find(&key)
            .unwrap_or_else(|| panic!("{name} not after {from}"))
            + key.len();
        let end = rest[a..].find('"').unwrap();
        &rest[a..a + end]
    }

    /// Points of path data made of absolute M/L/H/V commands.
    fn points(d: &str) -> Vec<(f64, f64)> {
        let mut pts: Vec<(f64, f64)> = Vec::new();
        let mut rest = d;
        while let Some(c) = rest.chars().next() {
            let end = rest[1..]
                .find(|c: char| c.is_ascii_alphabetic())
                .map_or(rest.len(), |i| i + 1);
            let nums: Vec<f64> = rest[1..end]
                .split(' ')
                .filter(|t| !t.is_empty())
                .map(|t| t.parse().unwrap())
                .collect();
            let last = pts.last().copied().unwrap_or((0.0, 0.0));
            match c {
                'M' | 'L' => pts.push((nums[0], nums[1])),
                'H' => pts.push((nums[0], last.1)),
                'V' => pts.push((last.0, nums[0])),
                _ => {}
            }
            rest = &rest[end..];
        }
        pts
    }

    fn square(x0: f64, y0: f64, side: f64) -> Value {
        json!({"type": "Polygon", "coordinates": [[
            [x0, y0], [x0 + side, y0], [x0 + side, y0 + side], [x0, y0 + side], [x0, y0]
        ]]})
    }

    fn shape<'a>(geometry: &'a Value, title: &'a str) -> Shape<'a> {
        Shape {
            id: "a1",
            href: None,
            class: "st-none",
            title,
            geometry,
        }
    }

    const OPTS: MapOptions<'static> = MapOptions {
        width: 600,
        height: 400,
        label: "Map",
        scale_label: "km",
        underlay: None,
        extent: None,
    };

    /// A municipality (a square of `side` metres at x0, y0) with one district filling it.
    fn underlay_of(squares: &[(&str, f64, f64, f64)]) -> Underlay {
        let mut u = Underlay::default();
        let all = square(690_000.0, 6_140_000.0, 80_000.0);
        assert!(u.add(Layer::Coast, "", "", &all));
        for (i, &(name, x0, y0, side)) in squares.iter().enumerate() {
            let g = square(x0, y0, side);
            assert!(u.add(Layer::Municipality, &i.to_string(), name, &g));
            let district = format!("{} Nord", short_name(name));
            assert!(u.add(Layer::District, "1", &district, &g));
        }
        assert!(!u.add(
            Layer::Municipality,
            "x",
            "Line",
            &json!({"type": "LineString", "coordinates": [[0, 0], [1, 1]]})
        ));
        u.finish();
        u
    }

    #[test]
    fn the_underlay_is_drawn_under_the_shapes_and_named_for_the_scale() {
        let u = underlay_of(&[
            ("Vestby Kommune", 700_000.0, 6_150_000.0, 20_000.0),
            ("Østby & Co Kommune", 730_000.0, 6_150_000.0, 20_000.0),
        ]);
        // A country map: 60 km of areas across 600 px (100 m per px).
        let a = square(700_000.0, 6_150_000.0, 1_000.0);
        let b = square(759_000.0, 6_169_000.0, 1_000.0);
        let opts = MapOptions {
            underlay: Some(&u),
            ..OPTS
        };
        let svg = map(&[shape(&a, "A"), shape(&b, "B")], &opts);
        let under = svg
            .find(r#"<g class="underlay" aria-hidden="true">"#)
            .unwrap();
        let shapes = svg.find(r#"<g class="shapes">"#).unwrap();
        let labels = svg
            .find(r#"<g class="labels" aria-hidden="true">"#)
            .unwrap();
        assert!(under < shapes && shapes < labels, "{svg}");
        assert!(svg.contains(r#"class="map with-coast""#));
        assert!(svg.contains(r#"<path class="coast" d="M"#));
        let muni = attr(&svg, r#"<path class="muni""#, "d");
        assert_eq!(
            muni.matches('M').count(),
            2,
            "two outlines in one path: {muni}"
        );
        // Above 100 m per px: no district outline and no district name; the municipalities
        // are named without "Kommune", escaped.
        assert!(!svg.contains(r#"class="district""#), "{svg}");
        assert!(svg.contains(r#"<text class="lbl-m""#));
        assert!(svg.contains(">Vestby</text>"), "{svg}");
        assert!(svg.contains(">Østby &amp; Co</text>"), "{svg}");
        assert!(!svg.contains("Nord</text>"));

        // A city map: 6 km across: the district is drawn and named, and its name wins the
        // place over the municipality's, which would overlap it.
        let c = square(705_000.0, 6_155_000.0, 6_000.0);
        let svg = map(&[shape(&c, "C")], &opts);
        assert!(svg.contains(r#"<path class="district" d="M"#));
        assert!(svg.contains(">Vestby Nord</text>"), "{svg}");
        assert!(!svg.contains(">Vestby</text>"), "{svg}");
        // Without an underlay nothing of it is drawn.
        let plain = map(&[shape(&c, "C")], &OPTS);
        assert!(
            !plain.contains("underlay")
                && !plain.contains("labels")
                && !plain.contains("with-coast")
        );
    }

    #[test]
    fn names_that_would_overlap_are_left_out_and_the_extent_can_be_given() {
        // Two municipalities 1 km apart on a 100 m/px map: their names would overlap.
        let u = underlay_of(&[
            ("Aaaaaaaaaaaaaa", 700_000.0, 6_150_000.0, 10_000.0),
            ("Bbbbbbbbbbbbbb", 700_000.0, 6_151_000.0, 10_000.0),
        ]);
        let a = square(690_000.0, 6_130_000.0, 1_000.0);
        let b = square(749_000.0, 6_169_000.0, 1_000.0);
        let svg = map(
            &[shape(&a, "A"), shape(&b, "B")],
            &MapOptions {
                underlay: Some(&u),
                ..OPTS
            },
        );
        assert_eq!(svg.matches("<text class=\"lbl-m\"").count(), 1, "{svg}");
        // An extent fits the map to it rather than to the shapes.
        let svg = map(
            &[shape(&a, "A")],
            &MapOptions {
                extent: Some([690_000.0, 6_130_000.0, 790_000.0, 6_230_000.0]),
                ..OPTS
            },
        );
        let pts = points(attr(&svg, "<path", "d"));
        let width = pts.iter().map(|p| p.0).fold(f64::MIN, f64::max)
            - pts.iter().map(|p| p.0).fold(f64::MAX, f64::min);
        assert!(width < 5.0, "1 km of 100 km is a few px: {pts:?}");
    }

    #[test]
    fn outlines_are_simplified_for_the_scale_and_their_relative_path_closes() {
        // A ring of 400 points on a circle of 10 km: on a 600 px map the 0.7 px rule keeps far
        // fewer, and the relative steps come back to the start.
        let ring: Vec<[f64; 2]> = (0..=400)
            .map(|k| {
                let t = std::f64::consts::TAU * f64::from(k) / 400.0;
                [
                    700_000.0 + 10_000.0 * t.cos(),
                    6_150_000.0 + 10_000.0 * t.sin(),
                ]
            })
            .collect();
        let proj = Projection::fit(
            [690_000.0, 6_140_000.0, 710_000.0, 6_160_000.0],
            0.0,
            0.0,
            400.0,
            400.0,
        );
        let mut d = String::new();
        outline_data(&mut d, &[vec![ring]], &proj);
        let body = d.strip_prefix('M').unwrap().strip_suffix('Z').unwrap();
        let (start, rel) = body.split_once('l').unwrap();
        let nums = |s: &str| -> Vec<i64> {
            s.replace('-', " -")
                .split_whitespace()
                .map(|t| t.parse().unwrap())
                .collect()
        };
        let steps = nums(rel);
        let n = steps.len() / 2;
        assert!((20..120).contains(&n), "{n} points: {d}");
        let start = nums(start);
        let end = steps
            .chunks(2)
            .fold((start[0], start[1]), |p, s| (p.0 + s[0], p.1 + s[1]));
        // The last point is next to the first (Z closes the ring).
        assert!(
            (end.0 - start[0]).abs() <= 20 && (end.1 - start[1]).abs() <= 20,
            "{end:?} {start:?}"
        );
        // Every kept point is on the circle (radius 200 px, centre 200, 200), within 1 px.
        let mut p = (start[0], start[1]);
        for s in steps.chunks(2) {
            p = (p.0 + s[0], p.1 + s[1]);
            let r = ((p.0 - 200) as f64).hypot((p.1 - 200) as f64);
            assert!((r - 200.0).abs() <= 1.0, "{p:?} {r}");
        }
    }

    #[test]
    fn escape_handles_the_five_characters() {
        assert_eq!(
            escape(r#"<a & "b" 'c'>"#),
            "&lt;a &amp; &quot;b&quot; &#39;c&#39;&gt;"
        );
        assert_eq!(escape("æøå"), "æøå");
    }

    #[test]
    fn projection_keeps_the_aspect_ratio_and_puts_north_up() {
        let g = square(700_000.0, 6_170_000.0, 1_000.0);
        let svg = map(&[shape(&g, "A")], &OPTS);
        assert!(
            svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" class="map" data-zoom="""#)
        );
        let pts = points(attr(&svg, "<path", "d"));
        assert_eq!(
            pts.len(),
            4,
            "closing point is dropped as a repeat: {pts:?}"
        );
        let (xs, ys): (Vec<f64>, Vec<f64>) = pts.iter().copied().unzip();
        let span = |v: &[f64]| {
            v.iter().copied().fold(f64::MIN, f64::max) - v.iter().copied().fold(f64::MAX, f64::min)
        };
        assert!((span(&xs) - span(&ys)).abs() <= 0.2, "{pts:?}");
        assert!(span(&ys) > 300.0, "fills the height: {pts:?}");
        // Vertex 0 is the south-west corner, vertex 2 the north-east: north has the smaller y.
        assert!(pts[2].1 < pts[0].1);
        assert!(pts[2].0 > pts[0].0);

        // A 2:1 rectangle stays 2:1.
        let r = json!({"type": "MultiPolygon", "coordinates": [[[
            [0.0, 0.0], [2000.0, 0.0], [2000.0, 1000.0], [0.0, 1000.0]
        ]]]});
        let svg = map(&[shape(&r, "R")], &OPTS);
        let pts = points(attr(&svg, "<path", "d"));
        let (xs, ys): (Vec<f64>, Vec<f64>) = pts.iter().copied().unzip();
        assert!((span(&xs) / span(&ys) - 2.0).abs() < 0.01, "{pts:?}");
        // Everything stays inside the viewBox.
        assert!(
            pts.iter()
                .all(|&(x, y)| (0.0..=600.0).contains(&x) && (0.0..=400.0).contains(&y))
        );
    }

    #[test]
    fn a_hole_is_a_second_subpath() {
        let g = json!({"type": "Polygon", "coordinates": [
            [[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]],
            [[25, 25], [75, 25], [75, 75], [25, 75], [25, 25]]
        ]});
        let svg = map(&[shape(&g, "A")], &OPTS);
        let d = attr(&svg, "<path", "d");
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert_eq!(d.matches('Z').count(), 2, "{d}");
        assert_eq!(bbox(&g), Some([0.0, 0.0, 100.0, 100.0]));
    }

    #[test]
    fn scale_bar_label_matches_its_length() {
        for (side, width) in [
            (10_000.0, 600),
            (3_000.0, 500),
            (800.0, 300),
            (120_000.0, 900),
        ] {
            let g = square(600_000.0, 6_100_000.0, side);
            let opts = MapOptions { width, ..OPTS };
            let svg = map(&[shape(&g, "A")], &opts);
            let pts = points(attr(&svg, "<path", "d"));
            let px_per_m = (pts[1].0 - pts[0].0) / side;
            let bar: f64 = attr(&svg, "scalebar-bar", "width").parse().unwrap();
            let text_start = svg[svg.find("scalebar-bar").unwrap()..]
                .find("\">")
                .unwrap();
            let label = &svg[svg.find("scalebar-bar").unwrap() + text_start + 2..];
            let label = &label[..label.find('<').unwrap()];
            let (n, unit) = label.split_once(' ').unwrap();
            let metres = n.parse::<f64>().unwrap() * if unit == "km" { 1000.0 } else { 1.0 };
            assert!(
                (bar - metres * px_per_m).abs() <= 0.2,
                "{label}: {bar} px vs {px_per_m} px/m"
            );
            let fifth = f64::from(width) / 5.0;
            assert!(bar <= fifth + 0.1 && bar > fifth / 2.6, "{label}: {bar} px");
            assert!(
                [1.0, 2.0, 5.0].contains(&(metres / 10f64.powi(metres.log10().floor() as i32)))
            );
        }
    }

    #[test]
    fn text_is_escaped() {
        let g = square(0.0, 0.0, 10.0);
        let s = Shape {
            href: Some("/areas/1?a=1&b=2"),
            ..shape(&g, r#"<script>&""#)
        };
        let svg = map(
            &[s],
            &MapOptions {
                label: "a<b",
                ..OPTS
            },
        );
        assert!(!svg.contains("<script>"));
        // The tooltip's text is written once, in the title; the empty data-tip points there.
        assert!(svg.contains(r#"data-tip="""#));
        assert!(svg.contains("<title>&lt;script&gt;&amp;&quot;</title>"));
        assert!(svg.contains(r#"href="/areas/1?a=1&amp;b=2""#));
        assert!(svg.contains(r#"aria-label="a&lt;b""#));

        let series = [Series {
            label: "<b>".into(),
            class: "s-area".into(),
            points: vec![(2020, Some(1.0))],
            step: false,
            dashed: false,
        }];
        let svg = line_chart(&Chart {
            title: "x & y",
            unit: "%",
            series: &series,
            width: 400,
            height: 200,
            decimal_comma: true,
        });
        assert!(svg.contains(r#"aria-label="x &amp; y""#));
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
    }

    #[test]
    fn invalid_geometry_is_skipped() {
        let bad = [
            json!(null),
            json!({"type": "Point", "coordinates": [1, 2]}),
            json!({"type": "Polygon", "coordinates": [[[0, 0], [1, "x"], [1, 1]]]}),
            json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}),
            json!({"type": "Polygon"}),
        ];
        for g in &bad {
            assert_eq!(bbox(g), None, "{g}");
        }
        let shapes: Vec<Shape<'_>> = bad.iter().map(|g| shape(g, "bad")).collect();
        let svg = map(
            &shapes,
            &MapOptions {
                label: "Ingen områder",
                ..OPTS
            },
        );
        assert!(svg.contains("class=\"map empty\""));
        assert!(svg.contains(">Ingen områder</text>"));
        assert!(!svg.contains("<path"));

        let good = square(0.0, 0.0, 50.0);
        let mut shapes = shapes;
        shapes.push(shape(&good, "good"));
        let svg = map(&shapes, &OPTS);
        assert_eq!(svg.matches(" data-id=").count(), 1);
        assert!(svg.contains(r#"data-id="a1""#) && svg.contains(r#"tabindex="0""#));
        // A feature wrapping a polygon is accepted.
        assert!(bbox(&json!({"type": "Feature", "geometry": good})).is_some());
    }

    fn chart_of(series: &[Series], decimal_comma: bool) -> String {
        line_chart(&Chart {
            title: "T",
            unit: "%",
            series,
            width: 500,
            height: 260,
            decimal_comma,
        })
    }

    fn area(points: Vec<(i32, Option<f64>)>) -> Series {
        Series {
            label: "Area".into(),
            class: "s-area".into(),
            points,
            step: false,
            dashed: false,
        }
    }

    #[test]
    fn a_missing_value_breaks_the_line() {
        let s = area(vec![
            (2019, Some(30.0)),
            (2020, Some(32.5)),
            (2021, None),
            (2022, Some(35.0)),
            (2023, Some(41.3)),
        ]);
        let svg = chart_of(&[s], true);
        let d = attr(&svg, "<path class=\"line s-area", "d");
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert_eq!(svg.matches("<circle").count(), 4);
        assert!(svg.contains(r#"data-tip="2023: 41,3 %""#), "{svg}");
        // Every year is on the axis, also the one without a value.
        for yr in 2019..=2023 {
            assert!(svg.contains(&format!(">{yr}</text>")), "{yr}");
        }
        assert!(svg.contains(r#"role="img" aria-label="T""#));
        assert!(svg.contains(r#"class="legend""#));
    }

    #[test]
    fn step_series_are_horizontal_around_each_year() {
        let t = Series {
            label: "Threshold".into(),
            class: "s-threshold".into(),
            points: vec![(2019, Some(40.0)), (2020, Some(40.0)), (2021, Some(30.0))],
            step: true,
            dashed: true,
        };
        let svg = chart_of(&[t], false);
        let d = attr(&svg, "<path class=\"line s-threshold", "d");
        assert_eq!(d.matches('M').count(), 1);
        assert_eq!(d.matches('V').count(), 2, "{d}");
        assert!(!d.contains('L'));
        assert!(svg.contains("stroke-dasharray"));
        assert!(!svg.contains("<circle"), "markers only on the area series");
        // Ends at the last year's x, at the last value.
        let last_h: f64 = d.rsplit('H').next().unwrap().trim().parse().unwrap();
        let first_m: f64 = d[1..].split(' ').next().unwrap().parse().unwrap();
        assert!(last_h > first_m);
    }

    #[test]
    fn y_axis_labels_use_the_decimal_comma() {
        let svg = chart_of(&[area(vec![(2020, Some(0.9)), (2021, Some(1.1))])], true);
        assert!(svg.contains(">0,2 %</text>"), "{svg}");
        let svg = chart_of(&[area(vec![(2020, Some(0.9)), (2021, Some(1.1))])], false);
        assert!(svg.contains(">0.2%</text>"), "{svg}");
    }

    #[test]
    fn no_values_says_so() {
        let svg = chart_of(&[area(vec![(2020, None)])], true);
        assert!(svg.contains("class=\"chart empty\"") && svg.contains("T: Ingen data"));
        let svg = chart_of(&[], false);
        assert!(svg.contains("T: No data"));
    }

    #[test]
    fn danish_number_format() {
        assert_eq!(format_number(1234.5, 1, true), "1.234,5");
        assert_eq!(format_number(1234.5, 1, false), "1,234.5");
        assert_eq!(format_number(1_234_567.0, 0, true), "1.234.567");
        assert_eq!(format_number(-1234.56, 1, true), "-1.234,6");
        assert_eq!(format_number(-0.04, 1, true), "0,0");
        assert_eq!(format_number(999.0, 0, true), "999");
        assert_eq!(format_number(12.5, 1, true), "12,5");
        assert_eq!(format_number(f64::NAN, 1, true), "–");
    }

    #[test]
    fn nice_axis_covers_the_data_with_four_to_six_intervals() {
        let (lo, hi, step) = nice_axis(0.0, 41.3);
        assert_eq!((lo, hi, step), (0.0, 50.0, 10.0));
        for max in [
            0.07, 0.9, 1.0, 1.1, 3.3, 7.0, 9.99, 10.0, 11.0, 41.3, 60.0, 99.0, 101.0, 2500.0,
        ] {
            let (lo, hi, step) = nice_axis(0.0, max);
            let n = ((hi - lo) / step).round();
            assert_eq!(lo, 0.0);
            assert!(hi >= max && hi < 2.0 * max, "{max}: {hi}");
            assert!((4.0..=6.0).contains(&n), "{max}: {n} intervals of {step}");
        }
        let (lo, hi, _) = nice_axis(-3.2, 12.0);
        assert!(lo <= -3.2 && hi >= 12.0);
        let (lo, hi, _) = nice_axis(0.0, 0.0);
        assert!(lo == 0.0 && hi > 0.0);
        assert_eq!(decimals_of(2.5), 1);
        assert_eq!(decimals_of(0.25), 2);
        assert_eq!(decimals_of(20.0), 0);
    }
}
