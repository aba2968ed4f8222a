-- kvarter store, schema version 7: the counts of every screening indicator over the populations
-- the municipality's policy measures its indicators on, per data year (kvarter_view::population).
-- A population is the designated areas of one designation round held fixed (`designated`), one
-- of those areas (`area:ID`), the whole municipality (`municipality`), or one housing estate of
-- the state's model (`estate:ID`; pooled by the view). Only populations are stored: no unit,
-- and no person; `num` and `den` are sums over every unit of the population, small units
-- included, as exact decimal TEXT.
CREATE TABLE population_counts (
    spec       TEXT NOT NULL,
    round      INTEGER NOT NULL,
    population TEXT NOT NULL,
    data_year  INTEGER NOT NULL,
    indicator  TEXT NOT NULL,
    num        TEXT NOT NULL,
    den        TEXT NOT NULL,
    PRIMARY KEY (spec, round, population, data_year, indicator)
) STRICT;
