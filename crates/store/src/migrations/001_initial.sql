-- kvarter store, schema version 1. Area-level values only: no table or column holds a person.
-- Every number of the law is exact decimal TEXT, never REAL.

CREATE TABLE manifest (
    load_id         INTEGER PRIMARY KEY,
    manifest_hash   TEXT NOT NULL,
    kvarter_version TEXT NOT NULL,
    inputs          TEXT NOT NULL,  -- JSON: [{role, file, sha256, size}]
    rule_sets       TEXT NOT NULL,  -- JSON: [{id, content_hash}]
    options         TEXT NOT NULL,  -- JSON: {option: value}
    loaded_at       TEXT NOT NULL
) STRICT;

CREATE TABLE rule_sets (
    id              TEXT PRIMARY KEY,
    family          TEXT NOT NULL,
    title           TEXT NOT NULL,
    title_en        TEXT NOT NULL,
    first_list_year INTEGER NOT NULL,
    last_list_year  INTEGER,
    file            TEXT NOT NULL,
    content_hash    TEXT NOT NULL
) STRICT;

CREATE TABLE areas (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    municipality      TEXT NOT NULL,
    municipality_name TEXT,
    region            INTEGER,
    kind              TEXT CHECK (kind IN ('social_housing', 'ordinary')),
    geometry          TEXT  -- GeoJSON geometry object, EPSG:25832
) STRICT;

CREATE TABLE area_years (
    area_id                TEXT NOT NULL REFERENCES areas (id),
    list_year              INTEGER NOT NULL,
    area_name              TEXT NOT NULL,
    municipality           TEXT NOT NULL,
    residents              TEXT,
    non_western_pct        TEXT,
    outside_labour_pct     TEXT,
    convicted_pct          TEXT,
    convicted_national_pct TEXT,
    basic_education_pct    TEXT,
    income_pct_of_region   TEXT,
    persons_18_64          TEXT,
    persons_18_plus        TEXT,
    persons_30_59          TEXT,
    persons_15_64_taxable  TEXT,
    PRIMARY KEY (area_id, list_year)
) STRICT;
CREATE INDEX area_years_by_year ON area_years (list_year);

CREATE TABLE criterion_results (
    without_origin INTEGER NOT NULL CHECK (without_origin IN (0, 1)),
    list_year      INTEGER NOT NULL,
    area_id        TEXT NOT NULL,
    rule_set       TEXT NOT NULL REFERENCES rule_sets (id),
    criterion      TEXT NOT NULL,
    value          TEXT,
    threshold      TEXT,
    reference      TEXT,
    operator       TEXT NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('met', 'not_met', 'not_evaluable', 'switched_off')),
    missing        TEXT,  -- JSON array of the empty input columns
    difference     TEXT,
    group_size     TEXT,
    persons        TEXT,  -- margin in persons
    more           INTEGER CHECK (more IN (0, 1)),
    PRIMARY KEY (without_origin, list_year, area_id, rule_set, criterion),
    FOREIGN KEY (area_id, list_year) REFERENCES area_years (area_id, list_year)
) STRICT;
CREATE INDEX criterion_results_by_area ON criterion_results (area_id, list_year);

CREATE TABLE list_results (
    without_origin INTEGER NOT NULL CHECK (without_origin IN (0, 1)),
    list_year      INTEGER NOT NULL,
    area_id        TEXT NOT NULL,
    rule_set       TEXT NOT NULL REFERENCES rule_sets (id),
    list           TEXT NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('on', 'off', 'undefined')),
    incomplete     INTEGER NOT NULL CHECK (incomplete IN (0, 1)),
    excluded_by    TEXT NOT NULL,  -- JSON array of list ids
    reason         TEXT,           -- JSON: the condition trace
    streak         TEXT,           -- JSON: the streak trace
    PRIMARY KEY (without_origin, list_year, area_id, rule_set, list),
    FOREIGN KEY (area_id, list_year) REFERENCES area_years (area_id, list_year)
) STRICT;
CREATE INDEX list_results_by_area ON list_results (area_id, list_year);
CREATE INDEX list_results_by_year ON list_results (list_year, list, outcome);
