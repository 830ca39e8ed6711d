-- A PSC snapshot import that stops without its totals line (kill -9, a full
-- disk) left nothing in stream_state, and `ch-store status` said nothing of
-- it. Each commit of snapshot lines now records the snapshot as incomplete
-- ("no totals line yet after N of its lines"), in the same transaction as
-- the lines, and the wall clock of that commit here: status calls the
-- import running while its last commit is recent (within --watchdog), and
-- a problem once it is not. The totals line or the end of the input
-- replaces both (a complete snapshot clears them, as before).

-- +up
ALTER TABLE stream_state ADD COLUMN snapshot_running_at TEXT;  -- wall clock of the last such commit

-- +down
ALTER TABLE stream_state DROP COLUMN snapshot_running_at;
