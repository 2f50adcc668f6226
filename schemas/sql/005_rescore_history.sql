-- Issue 9: `mailscore replay rescore` replaces a row's score when a different model scores it
-- again. The row it replaces is kept here, written in the same transaction as the UPDATE, so an
-- analyst can compare the two (email_score_changes below). A table of its own rather than
-- previous_* columns on email_scores: a message rescored twice keeps both earlier scores, the
-- hot table and its COPY stay as wide as they were, and queries on email_scores see exactly one
-- row per message, the current score, as before. Append-only: the identity column is the key, so
-- a message rescored back to a model it once had is recorded again rather than refused.
CREATE TABLE IF NOT EXISTS email_scores_previous (
  id                   bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id            text        NOT NULL,
  message_id           text        NOT NULL,
  received_at          timestamptz NOT NULL,
  model_version        text        NOT NULL,
  model_probability    real        NOT NULL,
  risk_score           smallint    NOT NULL,
  verdict              text        NOT NULL,
  reasons              jsonb       NOT NULL,
  explanations         jsonb       NOT NULL,
  alerted              boolean     NOT NULL,
  shadow_model_version text,
  shadow_probability   real,
  shadow_risk_score    smallint,
  shadow_verdict       text,
  text_escaped         boolean     NOT NULL,
  scored_at            timestamptz NOT NULL,
  -- When the replacing score was committed, and by which model.
  replaced_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  replaced_by_version  text        NOT NULL
);
CREATE INDEX IF NOT EXISTS email_scores_previous_key_idx ON email_scores_previous (tenant_id, message_id, received_at);
CREATE INDEX IF NOT EXISTS email_scores_previous_received_idx ON email_scores_previous (received_at);

-- One line per replaced score: before and after side by side.
CREATE OR REPLACE VIEW email_score_changes AS
SELECT p.tenant_id, p.message_id, p.received_at,
       p.model_version AS previous_model_version, p.risk_score AS previous_risk_score, p.verdict AS previous_verdict,
       p.model_probability AS previous_probability, p.scored_at AS previous_scored_at,
       e.model_version, e.risk_score, e.verdict, e.model_probability, e.scored_at, p.replaced_at
  FROM email_scores_previous p
  JOIN email_scores e USING (tenant_id, message_id, received_at);

-- Every replay's plan, fixed when it first starts: the same command after a kill -9 reads its
-- offsets here instead of looking the time range up again (the end of a range reaching into the
-- present would have moved), and an operator can see what was replayed, how and when.
CREATE TABLE IF NOT EXISTS replay_runs (
  group_id      text        PRIMARY KEY,
  topic         text        NOT NULL,
  mode          text        NOT NULL CHECK (mode IN ('fill', 'rescore')),
  model_version text        NOT NULL,
  range_spec    text        NOT NULL,
  -- [{"partition": 0, "start": "12", "end": "340"}, ...]; end is exclusive.
  partitions    jsonb       NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at   timestamptz
);
