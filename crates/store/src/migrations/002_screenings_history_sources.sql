-- kvarter store, schema version 2: what the dashboard needs beyond the evaluations.
-- Still area-level only: no table or column holds a person.

-- The rule file's text, so the store can show the rule set as the law reads and re-evaluate an
-- area exactly as the load did (explanations, what-if).
ALTER TABLE rule_sets ADD COLUMN source TEXT NOT NULL DEFAULT '';

-- Published memberships before the data starts (the history file of the load).
CREATE TABLE history_years (
    list_year INTEGER PRIMARY KEY
) STRICT;

CREATE TABLE history (
    list_year INTEGER NOT NULL REFERENCES history_years (list_year),
    area_id   TEXT NOT NULL,
    list      TEXT NOT NULL,
    PRIMARY KEY (list_year, area_id, list)
) STRICT;

-- The municipality's own screenings, one per spec, year and view. `document` is the JSON that
-- `kvarter screen --format json` prints: designated areas and publishable units only (units
-- under the spec's minimum population are never in it). `geometry` is the designated areas as
-- GeoJSON (EPSG:25832); `units` the publishable units' outlines as GeoJSON.
CREATE TABLE screenings (
    spec           TEXT NOT NULL,
    year           INTEGER NOT NULL,
    without_origin INTEGER NOT NULL CHECK (without_origin IN (0, 1)),
    municipality   TEXT NOT NULL,
    data_year      INTEGER NOT NULL,
    document       TEXT NOT NULL,
    geometry       TEXT NOT NULL,
    units          TEXT NOT NULL,
    PRIMARY KEY (spec, year, without_origin)
) STRICT;
