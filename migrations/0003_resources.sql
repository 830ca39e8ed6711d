-- Every stream (DESIGN.md "Every stream"): `resources` holds the newest
-- state of every resource of every stream except company-profile, and the
-- typed tables hold the rows ch-parse extracted from it (README.md "Record
-- formats", phase2-spec section 3).
--
-- A typed table is: resource_uri, company_number, the row columns in the
-- order ch-parse writes them, deleted, then resource_rowid: the `id` of its
-- resource in `resources`. ch-store builds its INSERT from the table's
-- columns (PRAGMA table_info), so a new typed table needs only a migration,
-- no C++: the table keyed by resource_rowid (its INTEGER PRIMARY KEY when a
-- resource has one row; else a unique index on resource_rowid and the row's
-- position), and the indexes readers need.
--
-- Nothing here is keyed by a resource's URI, which comes in no order: an
-- index keyed by one takes each new resource at a random place, and once
-- it outgrows SQLite's page cache (6 MB; a 60-byte URI a key, 100,000
-- resources make 7.5 MB) nearly every insert dirties a page of its own,
-- which the commit writes whole to the WAL (and a checkpoint again to the
-- database), or the cache spills mid-transaction. So:
-- - `resources` is found by uri_hash, the FNV-1a hash of the URI (an
--   integer: 100,000 resources make 1.8 MB of index, and ten days of every
--   stream fit in the cache), then by comparing the URI itself. ch-store
--   is its only writer and keeps resource_uri unique (one transaction
--   looks the URI up and inserts it only when absent); a unique index on
--   the URI would cost that random index all the same.
-- - Typed rows hang off the resource's integer id (resource_rowid): a new
--   resource takes the next id, so its typed row is appended.
-- 100,000 filing records (tests/gen_streams.py) through ch-store: bytes
-- written 2.0 GB -> 0.9 GB, CPU 3.9 s -> 2.3 s with resource_rowid instead
-- of a unique index on each typed table's resource_uri; see README.md
-- "Performance" for uri_hash.
--
-- Rowid tables, not WITHOUT ROWID keyed by resource_uri: a secondary index
-- of a WITHOUT ROWID table carries the whole key (a 60-byte URI) instead of
-- an 8-byte rowid, and rows are inserted at random places of a b-tree of
-- whole rows instead of appended. Measured on 100,000 hand-made filing
-- records (CPU of ch-store, 2 runs each): WITHOUT ROWID 4.5-5.6 s, rowid
-- 3.5-3.7 s.

-- +up
-- A rowid table: rows carry the whole resource as JSON (1-2 KB), which a
-- WITHOUT ROWID table would keep in its interior pages too.
CREATE TABLE resources (
  resource_uri TEXT NOT NULL,              -- normalised: one leading slash; unique
  stream TEXT NOT NULL,                    -- whose record wrote this state
  resource_kind TEXT NOT NULL,
  resource_id TEXT,
  company_number TEXT,                     -- NULL: the kind has none
  timepoint INTEGER,                       -- of the stream record; NULL for bulk
  published_at TEXT,
  as_of TEXT,                              -- when this state was true
  source TEXT NOT NULL CHECK (source IN ('stream', 'bulk')),
  deleted INTEGER NOT NULL DEFAULT 0,
  data TEXT,                               -- the last `data` received (kept on delete)
  updated_at TEXT NOT NULL,                -- wall clock of the last write
  -- The key of the typed rows (their resource_rowid): an explicit INTEGER
  -- PRIMARY KEY, because VACUUM may renumber an implicit rowid.
  id INTEGER PRIMARY KEY,
  uri_hash INTEGER NOT NULL                -- FNV-1a of resource_uri (ch-store/raw_hash.h)
);
CREATE INDEX resources_uri_hash ON resources(uri_hash);

CREATE TABLE filings (
  resource_uri TEXT NOT NULL,
  company_number TEXT,
  transaction_id TEXT,
  type TEXT,
  category TEXT,
  subcategory TEXT,          -- an array in `data` is comma-joined
  description TEXT,
  date TEXT,
  action_date TEXT,
  barcode TEXT,
  pages INTEGER,
  deleted INTEGER NOT NULL DEFAULT 0,
  resource_rowid INTEGER PRIMARY KEY  -- resources.id of the row's resource
);
CREATE INDEX filings_company_number ON filings(company_number);

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
  officer_id TEXT,           -- from links.officer.appointments: the person across companies
  deleted INTEGER NOT NULL DEFAULT 0,
  resource_rowid INTEGER PRIMARY KEY  -- resources.id of the row's resource
);
CREATE INDEX officers_company_number ON officers(company_number);

CREATE TABLE pscs (
  resource_uri TEXT NOT NULL,
  company_number TEXT,
  psc_id TEXT,
  resource_kind TEXT,
  name TEXT,
  natures_of_control TEXT,   -- comma-joined
  notified_on TEXT,
  ceased_on TEXT,
  ceased INTEGER,            -- data.ceased as 0/1, NULL when absent
  nationality TEXT,
  country_of_residence TEXT,
  premises TEXT,
  address_line_1 TEXT,
  locality TEXT,
  postal_code TEXT,
  country TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  resource_rowid INTEGER PRIMARY KEY  -- resources.id of the row's resource
);
CREATE INDEX pscs_company_number ON pscs(company_number);

CREATE TABLE charges (
  resource_uri TEXT NOT NULL,
  company_number TEXT,
  charge_id TEXT,
  charge_code TEXT,
  charge_number INTEGER,
  status TEXT,
  classification TEXT,
  created_on TEXT,
  delivered_on TEXT,
  satisfied_on TEXT,
  persons_entitled TEXT,     -- the names joined with "; "
  deleted INTEGER NOT NULL DEFAULT 0,
  resource_rowid INTEGER PRIMARY KEY  -- resources.id of the row's resource
);
CREATE INDEX charges_company_number ON charges(company_number);

-- One row per element of data.cases; a company's rows are replaced whenever
-- its insolvency resource is.
CREATE TABLE insolvency_cases (
  resource_uri TEXT NOT NULL,
  company_number TEXT,
  case_index INTEGER NOT NULL,  -- position in data.cases, from 0
  case_number TEXT,
  case_type TEXT,
  started_on TEXT,              -- the earliest date of the case
  practitioners TEXT,           -- the names joined with "; "
  deleted INTEGER NOT NULL DEFAULT 0,
  resource_rowid INTEGER NOT NULL  -- resources.id of the row's resource
);
CREATE UNIQUE INDEX insolvency_cases_resource ON insolvency_cases(resource_rowid, case_index);
CREATE INDEX insolvency_cases_company_number ON insolvency_cases(company_number);

CREATE TABLE psc_statements (
  resource_uri TEXT NOT NULL,
  company_number TEXT,
  statement_id TEXT,
  statement TEXT,
  notified_on TEXT,
  ceased_on TEXT,
  linked_psc_name TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  resource_rowid INTEGER PRIMARY KEY  -- resources.id of the row's resource
);

CREATE TABLE disqualified_officers (
  resource_uri TEXT NOT NULL,
  company_number TEXT,          -- always NULL: the register names companies only by name
  officer_id TEXT,
  officer_kind TEXT,            -- natural or corporate
  name TEXT,
  date_of_birth TEXT,
  nationality TEXT,
  disqualified_from TEXT,       -- the earliest of the disqualifications
  disqualified_until TEXT,      -- the latest
  company_names TEXT,           -- joined with "; "
  deleted INTEGER NOT NULL DEFAULT 0,
  resource_rowid INTEGER PRIMARY KEY  -- resources.id of the row's resource
);

CREATE TABLE company_exemptions (
  resource_uri TEXT NOT NULL,
  company_number TEXT,
  exemption_types TEXT,         -- the keys of data.exemptions, comma-joined
  deleted INTEGER NOT NULL DEFAULT 0,
  resource_rowid INTEGER PRIMARY KEY  -- resources.id of the row's resource
);

-- +down
-- The resources of every stream go with these tables. A stream whose
-- records they were must lose its checkpoint too: kept, it would claim
-- records the database no longer holds, and an upgrade would resume that
-- stream after them, losing them without a gap. Without one, the stream
-- starts again like a new one (CH_TIMEPOINT_<STREAM>, or live with a
-- started-live gap). The companies stream keeps its own: its companies stay.
DELETE FROM stream_state
WHERE stream <> 'companies' AND stream IN (SELECT stream FROM resources);
DROP TABLE company_exemptions;
DROP TABLE disqualified_officers;
DROP TABLE psc_statements;
DROP TABLE insolvency_cases;
DROP TABLE charges;
DROP TABLE pscs;
DROP TABLE officers;
DROP TABLE filings;
DROP TABLE resources;
