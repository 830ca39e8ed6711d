-- The leads view: what the business sells. One row per status change INTO a
-- proposal to strike off or INTO dissolved, with the change's id (a consumer
-- resumes after the last id it handled), its date and the company's current
-- details. A change between two dissolved states (a petition to restore
-- dropped) or between two strike-off proposals is not a new lead.

-- +up
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

-- +down
DROP VIEW leads;
