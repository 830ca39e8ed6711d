-- Signals: one row per event a lead team acts on, exactly once
-- (DESIGN.md "Every stream", phase2-spec section 4). The unique signal_key
-- names the event (a filing's transaction, an insolvency case, a status
-- change), so INSERT OR IGNORE adds a re-published or replayed one no
-- second time.
--
-- The upgrade copies every phase-1 lead (a status change into a strike-off
-- proposal or into dissolved, the rule of the phase-1 leads view) into
-- signals with id = its status_changes id, so a consumer that resumed with
-- `leads --after-id` before the upgrade neither misses nor repeats a lead
-- after it. AUTOINCREMENT, and the sequence set past every status change id
-- issued so far: every later signal gets an id above any id such a consumer
-- can hold, even one taken from a status change that was not a lead.

-- +up
CREATE TABLE signals (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_number TEXT,
  signal TEXT NOT NULL,
  stream TEXT NOT NULL,          -- the stream whose record gave it
  timepoint INTEGER,             -- of that record; NULL for bulk
  published_at TEXT,             -- of that record (bulk: the snapshot's as_of)
  occurred_on TEXT,              -- YYYY-MM-DD: when it happened, by the record's data
  resource_uri TEXT,
  detail TEXT,                   -- the filing type, the case type, the new status detail
  recorded_at TEXT NOT NULL,     -- wall clock
  signal_key TEXT NOT NULL UNIQUE,
  status_change_id INTEGER,      -- for a status signal: its status_changes row
  source TEXT NOT NULL DEFAULT 'stream' CHECK (source IN ('stream', 'bulk'))
);
-- No index on company_number: nothing of ch-store's searches signals by
-- company, and each index costs every status change into a strike-off
-- proposal or dissolution a b-tree insert more.

INSERT INTO signals(id, company_number, signal, stream, timepoint, published_at, occurred_on,
                    resource_uri, detail, recorded_at, signal_key, status_change_id, source)
SELECT id, company_number,
       CASE WHEN new_status = 'dissolved' AND old_status IS NOT 'dissolved'
            THEN 'dissolved' ELSE 'proposal-to-strike-off' END,
       'companies', timepoint, published_at, substr(published_at, 1, 10),
       '/company/' || company_number, COALESCE(new_status_detail, new_status), recorded_at,
       'status:' || id, id, source
FROM status_changes
WHERE (new_status = 'dissolved' AND old_status IS NOT 'dissolved')
   OR (new_status_detail = 'active-proposal-to-strike-off'
       AND old_status_detail IS NOT 'active-proposal-to-strike-off')
ORDER BY id;

DELETE FROM sqlite_sequence WHERE name = 'signals';
INSERT INTO sqlite_sequence(name, seq)
SELECT 'signals', max(coalesce((SELECT max(id) FROM status_changes), 0),
                      coalesce((SELECT max(id) FROM signals), 0));

-- +down
DROP TABLE signals;
