-- One row per scored email, partitioned by the day the MTA received it.
-- The primary key makes a redelivered record a no-op (see sinks/postgres/copy.ts).
CREATE TABLE IF NOT EXISTS email_scores (
  tenant_id         text        NOT NULL,
  message_id        text        NOT NULL,
  received_at       timestamptz NOT NULL,
  scored_at         timestamptz NOT NULL,
  risk_score        smallint    NOT NULL CHECK (risk_score BETWEEN 0 AND 100),
  verdict           text        NOT NULL CHECK (verdict IN ('clean', 'suspicious', 'malicious')),
  model_probability real        NOT NULL,
  model_version     text        NOT NULL,
  reasons           jsonb       NOT NULL,
  mail_from         text        NOT NULL,
  from_address      text        NOT NULL,
  subject           text        NOT NULL,
  alerted           boolean     NOT NULL,
  source_topic      text        NOT NULL,
  source_partition  integer     NOT NULL,
  source_offset     bigint      NOT NULL,
  PRIMARY KEY (tenant_id, message_id, received_at)
) PARTITION BY RANGE (received_at);

-- Rows no daily partition covers (far past or future timestamps) land here instead of failing
-- the batch; partition maintenance moves them out when their day's partition is created.
CREATE TABLE IF NOT EXISTS email_scores_default PARTITION OF email_scores DEFAULT;

CREATE INDEX IF NOT EXISTS email_scores_verdict_idx ON email_scores (tenant_id, received_at) WHERE verdict <> 'clean';

CREATE TABLE IF NOT EXISTS tenant_policy (
  tenant_id      text        PRIMARY KEY,
  suspicious_at  smallint    NOT NULL CHECK (suspicious_at BETWEEN 0 AND 100),
  malicious_at   smallint    NOT NULL CHECK (malicious_at BETWEEN 0 AND 100),
  alert_at       smallint    NOT NULL CHECK (alert_at BETWEEN 0 AND 101),
  allow_senders  text[]      NOT NULL DEFAULT '{}',
  block_senders  text[]      NOT NULL DEFAULT '{}',
  updated_at     timestamptz NOT NULL DEFAULT now()
);
