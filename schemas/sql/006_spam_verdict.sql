-- Issue 11: bulk mail gets a verdict of its own, `spam`, apart from `malicious` (phishing and
-- malware), and each tenant chooses which verdicts alert (scorer/risk.ts has the rules).
--
-- Like every file here it runs at every start-up (`mailscore migrate`, the pipeline, replay), so
-- each step does its work once and is a catalog lookup afterwards. During a rolling upgrade
-- instances of the previous release keep running against the migrated tables, so nothing they
-- read or write goes away: they store only verdicts the new CHECK admits, malicious_at and
-- alert_at stay (see below), and a policy they write gets the default alert verdicts.

-- The verdict CHECK admits 'spam'. Added NOT VALID: every stored row passed the old, narrower
-- CHECK, so scanning each partition under an exclusive lock would prove nothing new. New rows are
-- checked, and partitions created later (sinks/postgres/partitions.ts, LIKE ... INCLUDING
-- CONSTRAINTS) get the constraint validated. The old constraint is dropped in the same step, so a
-- database is never without one.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'email_scores'::regclass AND conname = 'email_scores_verdict_known') THEN
    ALTER TABLE email_scores
      ADD CONSTRAINT email_scores_verdict_known CHECK (verdict IN ('clean', 'suspicious', 'spam', 'malicious')) NOT VALID,
      DROP CONSTRAINT IF EXISTS email_scores_verdict_check;
  END IF;
END $$;

-- Which verdicts publish an alert. The default keeps alerting on malicious mail only: suspicious
-- mail is the grey zone and spam is a filtering matter, neither an incident for a security team.
-- Policies stored before this migration alerted from a score (alert_at); they are carried over
-- once, when the column is added: alert_at above 100 alerted on nothing, alert_at at or below
-- suspicious_at asked for alerts on suspicious mail and so keeps them on everything from
-- suspicious up (spam included), any other alert_at gets the default. That last case is the
-- change this issue asks for: high-scoring bulk mail no longer alerts unless the tenant adds
-- 'spam'.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'tenant_policy'::regclass AND attname = 'alert_verdicts' AND NOT attisdropped) THEN
    ALTER TABLE tenant_policy ADD COLUMN alert_verdicts text[] NOT NULL DEFAULT '{malicious}'
      CONSTRAINT tenant_policy_alert_verdicts_known CHECK (alert_verdicts <@ ARRAY['clean', 'suspicious', 'spam', 'malicious']);
    UPDATE tenant_policy SET alert_verdicts = CASE
      WHEN alert_at > 100 THEN '{}'::text[]
      WHEN alert_at <= suspicious_at THEN '{suspicious,spam,malicious}'::text[]
      ELSE '{malicious}'::text[]
    END;
  END IF;
END $$;

-- malicious_at keeps its name but now holds the score from which mail without a phishing signal
-- is spam (TenantPolicy.spamAt): renaming it would break instances of the previous release that
-- read it during a rolling upgrade. alert_at is no longer read; this release writes it as the
-- score the previous release would need to alert on about the same mail (scorer/policy.ts,
-- legacyAlertAt). A later migration renames the one and drops the other once no such instance
-- can be running.
COMMENT ON COLUMN tenant_policy.malicious_at IS 'Risk score from which mail without a phishing signal is spam (TenantPolicy.spamAt); named before the spam verdict existed';
COMMENT ON COLUMN tenant_policy.alert_at IS 'Not read since 006: alert_verdicts decides. Written for instances of the previous release during a rolling upgrade';
COMMENT ON COLUMN tenant_policy.alert_verdicts IS 'Verdicts that publish an alert (clean, suspicious, spam, malicious)';
