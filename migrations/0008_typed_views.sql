-- `filings` and `officers` become views over `resources` (DESIGN.md lets
-- each typed table be a table or a view over `resources`): their rows live
-- in the resource's own row, as `typed_row`, the row ch-parse extracted
-- (a JSON array of the view's columns between company_number and deleted,
-- in the view's order); ch-store writes it in the same statement as the
-- resource (ch-store/resource_applier.h, "derived tables").
--
-- Why: these are the two busiest streams after companies (90,000 and
-- 15,000 events a day), and a re-published resource is stored anew. In a
-- table of its own each such typed row was a second page at a random place
-- of the database rewritten by every commit that touched it, beside the
-- resource's own: 100,000 officer events wrote a 210 MB WAL through
-- ch-parse | ch-store, the typed rows alone half of it, and cost half of
-- ch-store's time. With the rows in `resources`, ch-parse | ch-store over
-- the bench's 100,000 officer events took 0.87 s instead of 1.40 s, and
-- over 100,000 filing events 0.81 s instead of 1.04 s (medians of 5
-- alternating pairs; README.md "Performance").
--
-- Readers see the same columns in the same order as the tables had, with
-- resource_rowid the resource's id; a resource of the kind without a row
-- (none: ch-parse gives each record of these kinds one) is not in the view,
-- as it would have had no row in the table. A company's rows are found
-- through a partial index of `resources` on company_number for that kind
-- only, so the other streams' resources (a PSC snapshot of millions of
-- lines) pay nothing for it.

-- +up
ALTER TABLE resources ADD COLUMN typed_row TEXT;  -- the row of a typed view (above); else NULL

UPDATE resources SET typed_row = (
  SELECT json_array(f.transaction_id, f.type, f.category, f.subcategory, f.description, f.date,
                    f.action_date, f.barcode, f.pages)
  FROM filings AS f WHERE f.resource_rowid = resources.id)
WHERE id IN (SELECT resource_rowid FROM filings);
UPDATE resources SET typed_row = (
  SELECT json_array(o.appointment_id, o.name, o.officer_role, o.appointed_on, o.resigned_on,
                    o.nationality, o.occupation, o.country_of_residence,
                    o.date_of_birth_month, o.date_of_birth_year, o.premises, o.address_line_1,
                    o.address_line_2, o.locality, o.region, o.postal_code, o.country,
                    o.officer_id)
  FROM officers AS o WHERE o.resource_rowid = resources.id)
WHERE id IN (SELECT resource_rowid FROM officers);

DROP TABLE filings;
DROP TABLE officers;

CREATE VIEW filings AS
SELECT
  resource_uri,
  company_number,
  typed_row ->> 0 AS transaction_id,
  typed_row ->> 1 AS type,
  typed_row ->> 2 AS category,
  typed_row ->> 3 AS subcategory,
  typed_row ->> 4 AS description,
  typed_row ->> 5 AS date,
  typed_row ->> 6 AS action_date,
  typed_row ->> 7 AS barcode,
  typed_row ->> 8 AS pages,
  deleted,
  id AS resource_rowid
FROM resources WHERE resource_kind = 'filing-history' AND typed_row IS NOT NULL;
CREATE INDEX resources_filings_company_number ON resources(company_number)
  WHERE resource_kind = 'filing-history';

CREATE VIEW officers AS
SELECT
  resource_uri,
  company_number,
  typed_row ->> 0 AS appointment_id,
  typed_row ->> 1 AS name,
  typed_row ->> 2 AS officer_role,
  typed_row ->> 3 AS appointed_on,
  typed_row ->> 4 AS resigned_on,
  typed_row ->> 5 AS nationality,
  typed_row ->> 6 AS occupation,
  typed_row ->> 7 AS country_of_residence,
  typed_row ->> 8 AS date_of_birth_month,
  typed_row ->> 9 AS date_of_birth_year,
  typed_row ->> 10 AS premises,
  typed_row ->> 11 AS address_line_1,
  typed_row ->> 12 AS address_line_2,
  typed_row ->> 13 AS locality,
  typed_row ->> 14 AS region,
  typed_row ->> 15 AS postal_code,
  typed_row ->> 16 AS country,
  typed_row ->> 17 AS officer_id,
  deleted,
  id AS resource_rowid
FROM resources WHERE resource_kind = 'company-officers' AND typed_row IS NOT NULL;
CREATE INDEX resources_officers_company_number ON resources(company_number)
  WHERE resource_kind = 'company-officers';

-- +down
CREATE TEMP TABLE filings_rows AS SELECT * FROM filings;
CREATE TEMP TABLE officers_rows AS SELECT * FROM officers;
DROP VIEW filings;
DROP VIEW officers;
DROP INDEX resources_filings_company_number;
DROP INDEX resources_officers_company_number;

CREATE TABLE filings (
  resource_uri TEXT NOT NULL,
  company_number TEXT,
  transaction_id TEXT,
  type TEXT,
  category TEXT,
  subcategory TEXT,
  description TEXT,
  date TEXT,
  action_date TEXT,
  barcode TEXT,
  pages INTEGER,
  deleted INTEGER NOT NULL DEFAULT 0,
  resource_rowid INTEGER PRIMARY KEY
);
CREATE INDEX filings_company_number ON filings(company_number);
INSERT INTO filings SELECT * FROM temp.filings_rows;

CREATE TABLE officers (
  resource_uri TEXT NOT NULL,
  company_number TEXT,
  appointment_id TEXT,
  name TEXT,
  officer_role TEXT,
  appointed_on TEXT,
  resigned_on TEXT,
  nationality TEXT,
  occupation TEXT,
  country_of_residence TEXT,
  date_of_birth_month INTEGER,
  date_of_birth_year INTEGER,
  premises TEXT,
  address_line_1 TEXT,
  address_line_2 TEXT,
  locality TEXT,
  region TEXT,
  postal_code TEXT,
  country TEXT,
  officer_id TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  resource_rowid INTEGER PRIMARY KEY
);
CREATE INDEX officers_company_number ON officers(company_number);
INSERT INTO officers SELECT * FROM temp.officers_rows;

DROP TABLE temp.filings_rows;
DROP TABLE temp.officers_rows;
ALTER TABLE resources DROP COLUMN typed_row;
