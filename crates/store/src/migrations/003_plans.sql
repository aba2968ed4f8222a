-- kvarter store, schema version 3: the municipality's plans and goals (kvarter-plans), kept as the
-- CSV files an analyst keeps them in, one row per file, exactly as read and validated at load.
-- The dashboard parses them with kvarter-plans and computes every indicator's progress from
-- area_years.
CREATE TABLE plan_files (
    name    TEXT PRIMARY KEY,
    content TEXT NOT NULL
) STRICT;
