-- The lists of 1 December 2024, as bench/duckdb_grouping_sets.sql, but with one plain
-- `GROUP BY year, area_id, region` over the person rows (one hash aggregation), and the area,
-- region and national totals rolled up from its small result (a few thousand rows) in the same
-- statement. People outside every area form the groups with a NULL area_id, so the region and
-- national totals still count them. `{dir}` is replaced by bench/duckdb_lists.py.
WITH g AS (
    SELECT year, area_id, region,
        count(*) AS residents,
        count(*) FILTER (WHERE origin IN (3, 4)) AS non_western,
        count(*) FILTER (WHERE age BETWEEN 18 AND 64) AS n_18_64,
        sum(outside_fte::DOUBLE) FILTER (WHERE age BETWEEN 18 AND 64) AS outside,
        count(*) FILTER (WHERE age >= 18) AS n_18_plus,
        count(*) FILTER (WHERE age >= 18 AND convicted) AS convicted,
        count(*) FILTER (WHERE age BETWEEN 30 AND 59) AS n_30_59,
        count(*) FILTER (WHERE age BETWEEN 30 AND 59
                          AND (education_level <= 1 OR education_source > 1)) AS basic,
        count(*) FILTER (WHERE taxable AND NOT in_education AND age BETWEEN 15 AND 64) AS n_income,
        sum(income) FILTER (WHERE taxable AND NOT in_education AND age BETWEEN 15 AND 64) AS income_sum
    FROM read_parquet(['{dir}/persons-2022.parquet', '{dir}/persons-2023.parquet'])
    GROUP BY year, area_id, region
),
area AS (  -- rolled up over region, in case an area's people carry more than one region
    SELECT year, area_id, sum(residents) AS residents, sum(non_western) AS non_western,
        sum(n_18_64) AS n_18_64, sum(outside) AS outside, sum(n_18_plus) AS n_18_plus,
        sum(convicted) AS convicted, sum(n_30_59) AS n_30_59, sum(basic) AS basic,
        sum(n_income) AS n_income, sum(income_sum) AS income_sum
    FROM g WHERE area_id IS NOT NULL GROUP BY year, area_id
),
region AS (SELECT year, region, sum(income_sum) / sum(n_income) AS income_mean FROM g GROUP BY year, region),
nation AS (
    SELECT round((sum(CASE WHEN year = 2023 THEN convicted END) * 100.0 / sum(CASE WHEN year = 2023 THEN n_18_plus END)
                + sum(CASE WHEN year = 2022 THEN convicted END) * 100.0 / sum(CASE WHEN year = 2022 THEN n_18_plus END)) / 2, 2)::DECIMAL(18, 2) AS convicted_pct
    FROM g
),
areas AS (SELECT * FROM read_csv('{dir}/areas.csv', header = true, all_varchar = true)),
c AS (
    SELECT a.area_id,
        l.residents,
        round(l.non_western * 100.0 / l.residents, 2)::DECIMAL(18, 2) AS non_western_pct,
        round((l.outside / l.n_18_64 * 100 + e.outside / e.n_18_64 * 100) / 2, 2)::DECIMAL(18, 2) AS labour,
        round((l.convicted * 100.0 / l.n_18_plus + e.convicted * 100.0 / e.n_18_plus) / 2, 2)::DECIMAL(18, 2) AS conv,
        round(l.basic * 100.0 / l.n_30_59, 2)::DECIMAL(18, 2) AS edu,
        round(l.income_sum / l.n_income / r.income_mean * 100, 2)::DECIMAL(18, 2) AS inc,
        n.convicted_pct AS nat
    FROM areas a
    JOIN area l ON l.area_id = a.area_id AND l.year = 2023
    LEFT JOIN area e ON e.area_id = a.area_id AND e.year = 2022
    JOIN region r ON r.region = CAST(a.region AS INTEGER) AND r.year = 2023
    CROSS JOIN nation n
    WHERE a.kind = 'social_housing'
),
lists AS (
    SELECT *,
        residents >= 1000 AND ((labour > 40)::INT + (conv >= 3 * nat)::INT + (edu > 60)::INT + (inc < 55)::INT) >= 2 AS udsat,
        residents >= 1000 AND non_western_pct > 30
            AND ((labour > 30)::INT + (conv >= 2 * nat)::INT + (edu > 60)::INT + (inc < 65)::INT) >= 2 AS fb,
        residents >= 1000 AND (labour >= 40 OR (residents >= 5000 AND labour >= 30)) AS kombineret
    FROM c
)
SELECT 2024 AS list_year, area_id, list FROM (
    SELECT area_id, 'udsat_boligomraade' AS list FROM lists WHERE udsat
    UNION ALL SELECT area_id, 'parallelsamfund' FROM lists WHERE udsat AND non_western_pct > 50
    UNION ALL SELECT area_id, 'forebyggelsesomraade' FROM lists WHERE fb AND NOT udsat
    UNION ALL SELECT area_id, 'kombineret_udlejning' FROM lists WHERE kombineret
)
ORDER BY list, area_id;
