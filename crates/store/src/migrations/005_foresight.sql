-- kvarter store, schema version 5: the early warning for the next 1 December (kvarter-foresight),
-- computed at load from the register data, and its backtest against every past list year.

-- Per area and list of the next list year: in how many of `draws` simulated next years the area
-- is on the list. `probability` is on_draws / draws as exact decimal TEXT; `on_now` is whether
-- it is on the list in the latest list year (NULL when undefined); `outlook` is `entering`,
-- `leaving`, `staying_on`, `staying_off` at the flag level of 0.5.
CREATE TABLE foresight (
    list_year   INTEGER NOT NULL,
    area_id     TEXT NOT NULL,
    rule_set    TEXT NOT NULL,
    list        TEXT NOT NULL,
    on_now      INTEGER CHECK (on_now IN (0, 1)),
    on_draws    INTEGER NOT NULL,
    draws       INTEGER NOT NULL,
    probability TEXT NOT NULL,
    outlook     TEXT NOT NULL,
    PRIMARY KEY (list_year, area_id, list)
) STRICT;
CREATE INDEX foresight_list ON foresight (list, list_year);

-- The backtest: per past list year (NULL: all years together) and list, the Brier score of the
-- forecast made with data up to two years before, that of the persistence forecast ("as last
-- year"), and the entries and exits flagged in advance. Decimals are exact TEXT.
CREATE TABLE foresight_backtest (
    list_year          INTEGER,
    list               TEXT NOT NULL,
    areas              INTEGER NOT NULL,
    brier              TEXT,
    brier_persistence  TEXT,
    skill              TEXT,
    entries            INTEGER NOT NULL,
    entries_flagged    INTEGER NOT NULL,
    entry_false_alarms INTEGER NOT NULL,
    exits              INTEGER NOT NULL,
    exits_flagged      INTEGER NOT NULL,
    exit_false_alarms  INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX foresight_backtest_key ON foresight_backtest (COALESCE(list_year, 0), list);
