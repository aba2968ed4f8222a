-- kvarter store, schema version 6: the municipality's screenings in typed tables instead of the
-- JSON document `kvarter screen --format json` prints. Area-level and unit-level values only; no
-- table or column holds a person, and units under the spec's minimum population are never stored.
-- Every figure of the screening (numerators, denominators, shares, intervals, probabilities,
-- indices) is exact decimal TEXT: the shortest decimal that reads back as the engine's value.
--
-- After this script, the store converts every stored `screenings` document into these tables
-- (`kvarter_store::screening::convert_documents`, in the same transaction) and drops
-- `screenings`.

-- One screening: spec, year and view. `cell_size_m` is 0 for polygon specs. `units_suppressed`
-- counts the units under the spec's minimum population (screened, never stored);
-- `components_below_minimum` counts the contiguous groups too small to be designated (only the
-- count: their populations are never stored). `defaults` is kvarter's defaults as a JSON array of
-- [item, reasoning]; `notes` a JSON array of texts; `state_listed` a JSON object of area id →
-- the state's lists it is on that year.
CREATE TABLE screening_runs (
    spec                     TEXT NOT NULL,
    year                     INTEGER NOT NULL,
    without_origin           INTEGER NOT NULL CHECK (without_origin IN (0, 1)),
    municipality             TEXT NOT NULL,
    data_year                INTEGER NOT NULL,
    cell_size_m              INTEGER NOT NULL,
    designate_on             TEXT NOT NULL CHECK (designate_on IN ('raw', 'shrunk')),
    level                    TEXT NOT NULL,
    units_suppressed         INTEGER NOT NULL,
    components_below_minimum INTEGER NOT NULL,
    defaults                 TEXT NOT NULL,
    notes                    TEXT NOT NULL,
    state_listed             TEXT NOT NULL,
    PRIMARY KEY (spec, year, without_origin)
) STRICT;

-- A designated area of a screening. `units`, `districts`, `state_listed_units`, `filled_holes`
-- and `fragile_units` are JSON arrays of ids (every unit of the area, publishable or not: the
-- view serves only the publishable ones). `geometry` is its outline, a GeoJSON geometry object
-- in EPSG:25832.
CREATE TABLE screening_areas (
    spec                TEXT NOT NULL,
    year                INTEGER NOT NULL,
    without_origin      INTEGER NOT NULL,
    area_id             TEXT NOT NULL,
    ord                 INTEGER NOT NULL,
    reason              TEXT NOT NULL,
    population          INTEGER NOT NULL,
    suppressed          INTEGER NOT NULL CHECK (suppressed IN (0, 1)),
    fragile_population  INTEGER NOT NULL,
    met                 INTEGER NOT NULL,
    qualifies_as_whole  INTEGER NOT NULL CHECK (qualifies_as_whole IN (0, 1)),
    vulnerability_index TEXT,
    units               TEXT NOT NULL,
    districts           TEXT NOT NULL,
    state_listed_units  TEXT NOT NULL,
    filled_holes        TEXT NOT NULL,
    fragile_units       TEXT NOT NULL,
    geometry            TEXT,
    PRIMARY KEY (spec, year, without_origin, area_id),
    FOREIGN KEY (spec, year, without_origin) REFERENCES screening_runs (spec, year, without_origin)
) STRICT;

-- A publishable unit (population at least the spec's minimum) of a screening. `cell_x`,
-- `cell_y` are the grid cell's column and row (NULL for polygons); `geometry` its outline,
-- GeoJSON in EPSG:25832.
CREATE TABLE screening_units (
    spec                TEXT NOT NULL,
    year                INTEGER NOT NULL,
    without_origin      INTEGER NOT NULL,
    unit_id             TEXT NOT NULL,
    ord                 INTEGER NOT NULL,
    district            TEXT NOT NULL,
    cell_x              INTEGER,
    cell_y              INTEGER,
    population          INTEGER NOT NULL,
    met                 INTEGER NOT NULL,
    evaluable           INTEGER NOT NULL,
    score               TEXT,
    score_low           TEXT,
    score_high          TEXT,
    qualifies           INTEGER NOT NULL CHECK (qualifies IN (0, 1)),
    undetermined        INTEGER NOT NULL CHECK (undetermined IN (0, 1)),
    fragile             INTEGER NOT NULL CHECK (fragile IN (0, 1)),
    near_miss           INTEGER NOT NULL CHECK (near_miss IN (0, 1)),
    state_listed        INTEGER NOT NULL CHECK (state_listed IN (0, 1)),
    inclusion           TEXT CHECK (inclusion IN ('qualifies', 'state_listed', 'filled_hole')),
    component           TEXT,
    designated          INTEGER NOT NULL CHECK (designated IN (0, 1)),
    vulnerability_index TEXT,
    geometry            TEXT,
    PRIMARY KEY (spec, year, without_origin, unit_id),
    FOREIGN KEY (spec, year, without_origin) REFERENCES screening_runs (spec, year, without_origin)
) STRICT;

-- One criterion of a designated area (`scope = 'area'`) or a publishable unit (`'unit'`):
-- the raw estimate (value = num / den, its interval, the probability of meeting the threshold,
-- the weight on the district) and the shrunk one (NULL when not shrunk), the city value, the gap,
-- the comparison value, the threshold on the indicator's scale, met (NULL: not evaluable) and the
-- certainty (`clear`, `within_interval`, `no_interval`).
CREATE TABLE screening_criteria (
    spec            TEXT NOT NULL,
    year            INTEGER NOT NULL,
    without_origin  INTEGER NOT NULL,
    scope           TEXT NOT NULL CHECK (scope IN ('area', 'unit')),
    owner           TEXT NOT NULL,
    ord             INTEGER NOT NULL,
    criterion       TEXT NOT NULL,
    indicator       TEXT NOT NULL,
    kvarter_default INTEGER NOT NULL CHECK (kvarter_default IN (0, 1)),
    raw_value       TEXT,
    raw_num         TEXT,
    raw_den         TEXT,
    raw_low         TEXT,
    raw_high        TEXT,
    raw_p_meets     TEXT,
    raw_weight      TEXT,
    shrunk_value    TEXT,
    shrunk_num      TEXT,
    shrunk_den      TEXT,
    shrunk_low      TEXT,
    shrunk_high     TEXT,
    shrunk_p_meets  TEXT,
    shrunk_weight   TEXT,
    city            TEXT,
    gap             TEXT,
    comparison      TEXT,
    value_threshold TEXT,
    met             INTEGER CHECK (met IN (0, 1)),
    certainty       TEXT NOT NULL CHECK (certainty IN ('clear', 'within_interval', 'no_interval')),
    PRIMARY KEY (spec, year, without_origin, scope, owner, criterion),
    FOREIGN KEY (spec, year, without_origin) REFERENCES screening_runs (spec, year, without_origin)
) STRICT;

-- The city value of each criterion: Σ numerators / Σ denominators over every unit with the
-- indicator, the denominator-weighted standard deviation of unit values, and how many units.
CREATE TABLE screening_city (
    spec           TEXT NOT NULL,
    year           INTEGER NOT NULL,
    without_origin INTEGER NOT NULL,
    ord            INTEGER NOT NULL,
    criterion      TEXT NOT NULL,
    indicator      TEXT NOT NULL,
    num            TEXT NOT NULL,
    den            TEXT NOT NULL,
    value          TEXT,
    sd             TEXT,
    units          INTEGER NOT NULL,
    PRIMARY KEY (spec, year, without_origin, criterion),
    FOREIGN KEY (spec, year, without_origin) REFERENCES screening_runs (spec, year, without_origin)
) STRICT;
