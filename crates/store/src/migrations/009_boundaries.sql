-- kvarter store, schema version 9: the map's boundaries (a coast, municipalities, districts)
-- and where their names go, from `kvarter load --boundaries FILE` or a register folder's
-- boundaries.geojson. One row per feature of the file, in its order: `geometry` is the
-- feature's GeoJSON geometry object as text in EPSG:25832, a Polygon or MultiPolygon (an
-- outline) or a Point (where the name goes).
CREATE TABLE boundaries (
    ord INTEGER PRIMARY KEY,
    layer TEXT NOT NULL CHECK (layer IN ('coast', 'municipality', 'district')),
    code TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    geometry TEXT NOT NULL
);
