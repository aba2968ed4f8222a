-- The evaluation part of the all-years job (bench/run.sh --all-years): appended by
-- bench/duckdb_lists.py --all-years to the aggregation (`g`, and `p` where there is one) of a
-- formulation file (duckdb_group_by.sql, duckdb_projected.sql, duckdb_count_if.sql), whose
-- read_parquet list is replaced by every persons-*.parquet of the folder. From the per-year
-- counts of every data year it evaluates the lists of every list year under rule set dk-2021
-- (list years 2021 to the last data year + 1) and § 51 b, as bench/duckdb_group_by.sql does for
-- 2024. The earlier rule sets (dk-2010, dk-2013, dk-2018, with their streaks) are not written in
-- SQL; the aggregation over all data years, which is where the time goes, is the same work.
area AS (  -- rolled up over region, in case an area's people carry more than one region
    SELECT year, area_id, sum(residents) AS residents, sum(non_western) AS non_western,
        sum(n_18_64) AS n_18_64, sum(outside) AS outside, sum(n_18_plus) AS n_18_plus,
        sum(convicted) AS convicted, sum(n_30_59) AS n_30_59, sum(basic) AS basic,
        sum(n_income) AS n_income, sum(income_sum) AS income_sum
    FROM g WHERE area_id IS NOT NULL GROUP BY year, area_id
),
region AS (SELECT year, region, sum(income_sum) / sum(n_income) AS income_mean FROM g GROUP BY year, region),
yearly AS (SELECT year, sum(convicted) * 100.0 / sum(n_18_plus) AS conv FROM g GROUP BY year),
list_years AS (
    SELECT y.year + 1 AS list_year FROM yearly y
    WHERE y.year + 1 >= 2021 AND EXISTS (SELECT 1 FROM yearly e WHERE e.year = y.year - 1)
),
nation AS (
    SELECT ly.list_year, round((l.conv + e.conv) / 2, 2)::DECIMAL(18, 2) AS convicted_pct
    FROM list_years ly
    JOIN yearly l ON l.year = ly.list_year - 1
    JOIN yearly e ON e.year = ly.list_year - 2
),
areas AS (SELECT * FROM read_csv('{dir}/areas.csv', header = true, all_varchar = true)),
c AS (
    SELECT n.list_year, a.area_id,
        l.residents,
        round(l.non_western * 100.0 / l.residents, 2)::DECIMAL(18, 2) AS non_western_pct,
        round((l.outside / l.n_18_64 * 100 + e.outside / e.n_18_64 * 100) / 2, 2)::DECIMAL(18, 2) AS labour,
        round((l.convicted * 100.0 / l.n_18_plus + e.convicted * 100.0 / e.n_18_plus) / 2, 2)::DECIMAL(18, 2) AS conv,
        round(l.basic * 100.0 / l.n_30_59, 2)::DECIMAL(18, 2) AS edu,
        round(l.income_sum / l.n_income / r.income_mean * 100, 2)::DECIMAL(18, 2) AS inc,
        n.convicted_pct AS nat
    FROM areas a
    CROSS JOIN nation n
    JOIN area l ON l.area_id = a.area_id AND l.year = n.list_year - 1
    LEFT JOIN area e ON e.area_id = a.area_id AND e.year = n.list_year - 2
    JOIN region r ON r.region = CAST(a.region AS INTEGER) AND r.year = n.list_year - 1
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
SELECT list_year, area_id, list FROM (
    SELECT list_year, area_id, 'udsat_boligomraade' AS list FROM lists WHERE udsat
    UNION ALL SELECT list_year, area_id, 'parallelsamfund' FROM lists WHERE udsat AND non_western_pct > 50
    UNION ALL SELECT list_year, area_id, 'forebyggelsesomraade' FROM lists WHERE fb AND NOT udsat
    UNION ALL SELECT list_year, area_id, 'kombineret_udlejning' FROM lists WHERE kombineret
)
ORDER BY list_year, list, area_id;
