-- kvarter store, schema version 8: designation rounds. A screening of a round year is a
-- designation round; its designated areas carry a stable id across rounds (an area continuing
-- one of the round before keeps its id), a name a person recognises and where the name came
-- from (`derived` from the estates and quarters inside, `earlier round`, `names file`), and the
-- state-listed estates it includes automatically with their lists (JSON: [{id, name, lists}]).
ALTER TABLE screening_areas ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE screening_areas ADD COLUMN name_from TEXT NOT NULL DEFAULT '';
ALTER TABLE screening_areas ADD COLUMN listed_estates TEXT NOT NULL DEFAULT '[]';
