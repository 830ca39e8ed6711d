-- The leads view reads signals (DESIGN.md "Every stream", phase2-spec
-- section 5): one row per signal a lead team sells (a strike-off proposal,
-- application or Gazette notice, a dissolution, a liquidation, an
-- administration, a receivership) unless it is history: a signal whose date
-- is more than 30 days before it was published (an old filing re-published
-- today) is not a lead. Each row carries the company's current details and
-- the people to contact: its current officers and persons with significant
-- control. The id is the signal's, so `leads --after-id` resumes by it; the
-- phase-1 columns stay (changed_at, old and new status and detail: NULL for
-- a signal that is not a status change).

-- +up
DROP VIEW leads;
CREATE VIEW leads AS
SELECT
  s.id AS id,
  s.signal AS signal,
  s.stream AS stream,
  s.occurred_on AS occurred_on,
  s.published_at AS published_at,
  s.detail AS detail,
  s.company_number AS company_number,
  c.company_name AS company_name,
  c.company_status AS company_status,
  c.company_status_detail AS company_status_detail,
  c.address_line_1 AS address_line_1,
  c.address_line_2 AS address_line_2,
  c.locality AS locality,
  c.region AS region,
  c.postal_code AS postal_code,
  c.country AS country,
  c.care_of AS care_of,
  c.po_box AS po_box,
  c.premises AS premises,
  c.sic_codes AS sic_codes,
  c.type AS type,
  c.jurisdiction AS jurisdiction,
  c.date_of_creation AS date_of_creation,
  c.date_of_cessation AS date_of_cessation,
  (SELECT group_concat(entry, '; ') FROM (
     SELECT coalesce(o.name, '(unknown)') || coalesce(' (' || o.officer_role || ')', '') AS entry
     FROM officers AS o
     WHERE o.company_number = s.company_number AND o.resigned_on IS NULL AND o.deleted = 0
     ORDER BY o.name, o.appointment_id)) AS officers,
  (SELECT group_concat(entry, '; ') FROM (
     SELECT coalesce(p.name, '(protected)') || ' (' ||
            CASE WHEN p.resource_kind LIKE 'company-psc-%' THEN substr(p.resource_kind, 13)
                 ELSE coalesce(p.resource_kind, 'unknown') END || ')' AS entry
     FROM pscs AS p
     WHERE p.company_number = s.company_number AND p.ceased_on IS NULL AND p.deleted = 0
       AND p.ceased IS NOT 1
     ORDER BY p.name, p.psc_id)) AS pscs,
  s.resource_uri AS resource_uri,
  s.timepoint AS timepoint,
  s.source AS source,
  s.published_at AS changed_at,
  sc.old_status AS old_status,
  sc.old_status_detail AS old_status_detail,
  sc.new_status AS new_status,
  sc.new_status_detail AS new_status_detail
FROM signals AS s
LEFT JOIN companies AS c ON c.company_number = s.company_number
LEFT JOIN status_changes AS sc ON sc.id = s.status_change_id
WHERE s.signal IN ('proposal-to-strike-off', 'strike-off-applied', 'strike-off-gazetted',
                   'dissolved', 'liquidation', 'administration', 'receivership')
  AND (s.occurred_on IS NULL OR s.published_at IS NULL
       OR s.occurred_on >= date(s.published_at, '-30 days'));

-- +down
DROP VIEW leads;
CREATE VIEW leads AS
SELECT
  s.id AS id,
  s.company_number AS company_number,
  c.company_name AS company_name,
  s.new_status AS new_status,
  s.new_status_detail AS new_status_detail,
  s.published_at AS changed_at,
  s.published_at AS published_at,
  s.old_status AS old_status,
  s.old_status_detail AS old_status_detail,
  s.timepoint AS timepoint,
  s.source AS source,
  c.company_status AS company_status,
  c.company_status_detail AS company_status_detail,
  c.address_line_1 AS address_line_1,
  c.address_line_2 AS address_line_2,
  c.locality AS locality,
  c.region AS region,
  c.postal_code AS postal_code,
  c.country AS country,
  c.care_of AS care_of,
  c.po_box AS po_box,
  c.premises AS premises,
  c.sic_codes AS sic_codes,
  c.type AS type,
  c.jurisdiction AS jurisdiction,
  c.date_of_creation AS date_of_creation,
  c.date_of_cessation AS date_of_cessation
FROM status_changes AS s
LEFT JOIN companies AS c ON c.company_number = s.company_number
WHERE (s.new_status_detail = 'active-proposal-to-strike-off'
       AND s.old_status_detail IS NOT 'active-proposal-to-strike-off')
   OR (s.new_status = 'dissolved' AND s.old_status IS NOT 'dissolved');
