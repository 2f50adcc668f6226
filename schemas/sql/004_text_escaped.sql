-- Issue 7: text PostgreSQL cannot hold (NUL, lone surrogates) is stored in a reversible escaped
-- form instead of being altered or refused. True when mail_from, from_address, subject and the
-- string values of reasons and explanations are stored escaped; the escape is described at the
-- top of sinks/postgres/rows.ts (unescapeStoredText undoes it). Rows stored before this column
-- existed were stored verbatim (with NUL deleted), so false is their truth as far as it goes.
ALTER TABLE email_scores ADD COLUMN IF NOT EXISTS text_escaped boolean NOT NULL DEFAULT false;
