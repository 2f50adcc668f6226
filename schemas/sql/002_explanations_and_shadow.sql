-- Issue 3: why a verdict is what it is, and what a candidate model in shadow mode made of it.
ALTER TABLE email_scores ADD COLUMN IF NOT EXISTS explanations jsonb NOT NULL DEFAULT '[]';
ALTER TABLE email_scores ADD COLUMN IF NOT EXISTS shadow_model_version text;
ALTER TABLE email_scores ADD COLUMN IF NOT EXISTS shadow_probability real;
ALTER TABLE email_scores ADD COLUMN IF NOT EXISTS shadow_risk_score smallint;
ALTER TABLE email_scores ADD COLUMN IF NOT EXISTS shadow_verdict text;
