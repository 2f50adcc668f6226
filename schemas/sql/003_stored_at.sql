-- When each row became part of email_scores: end-to-end latency is stored_at - received_at when
-- the MTA produces as it receives (the benchmark does).
ALTER TABLE email_scores ADD COLUMN IF NOT EXISTS stored_at timestamptz NOT NULL DEFAULT clock_timestamp();
