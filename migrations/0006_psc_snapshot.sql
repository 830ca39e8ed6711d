-- The daily PSC snapshot (DESIGN.md "The daily PSC snapshot", issue 15):
-- ch-store heals the gaps of the persons-with-significant-control,
-- persons-with-significant-control-statements and company-exemptions
-- streams only with a complete snapshot (its totals line read, every
-- count matching, no rejected line), and records it in stream_state's
-- last_snapshot_* columns of those three streams. An incomplete one heals
-- nothing and is remembered here, in the same three rows, so that
-- `ch-store status` names what was missing until a complete snapshot at
-- least as new is imported (which clears both columns).

-- +up
ALTER TABLE stream_state ADD COLUMN snapshot_incomplete_as_of TEXT;  -- date of that snapshot
ALTER TABLE stream_state ADD COLUMN snapshot_incomplete TEXT;        -- what it lacked, in words

-- +down
ALTER TABLE stream_state DROP COLUMN snapshot_incomplete;
ALTER TABLE stream_state DROP COLUMN snapshot_incomplete_as_of;
