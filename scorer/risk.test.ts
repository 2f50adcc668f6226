import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessRisk, DEFAULT_POLICY, IntelKind } from './risk.ts';
import { RuleFlag } from './features.ts';

const policy = { tenantId: 't', ...DEFAULT_POLICY };
const base = { probability: 0.02, flags: 0, intelHits: [], policy, senderAddress: 'bob@example.org' };

test('the model alone decides clean mail', () => {
  const risk = assessRisk(base);
  assert.deepEqual([risk.riskScore, risk.verdict, risk.alert], [2, 'clean', false]);
  assert.equal(risk.reasons[0]?.code, 'model.spam_probability');
});

test('rules add their points and are named in the reasons', () => {
  const risk = assessRisk({ ...base, probability: 0.4, flags: RuleFlag.displayNameSpoof | RuleFlag.riskyAttachment });
  assert.equal(risk.riskScore, 40 + 15 + 25);
  assert.equal(risk.verdict, 'malicious');
  assert.equal(risk.alert, true);
  assert.deepEqual(risk.reasons.map((r) => r.code), ['model.spam_probability', 'rule.risky_attachment', 'rule.display_name_spoof']);
});

test('threat intel lifts the score to its floor; a bad attachment hash makes it certain', () => {
  assert.equal(assessRisk({ ...base, intelHits: [{ kind: IntelKind.domain, value: 'evil.example' }] }).riskScore, 90);
  assert.equal(assessRisk({ ...base, intelHits: [{ kind: IntelKind.sha256, value: 'ab' }] }).riskScore, 100);
});

test('tenant policy: block lists win, allow lists yield to intel, thresholds are the tenant\'s', () => {
  const strict = { ...policy, blockSenders: ['example.org'] };
  assert.equal(assessRisk({ ...base, policy: strict }).riskScore, 100);
  const trusting = { ...policy, allowSenders: ['bob@example.org'] };
  assert.equal(assessRisk({ ...base, probability: 0.99, policy: trusting }).riskScore, 0);
  assert.equal(assessRisk({ ...base, policy: trusting, intelHits: [{ kind: IntelKind.url, value: 'http://x' }] }).riskScore, 90);
  const nervous = { ...policy, suspiciousAt: 10, alertAt: 10 };
  const risk = assessRisk({ ...base, probability: 0.12, policy: nervous });
  assert.deepEqual([risk.verdict, risk.alert], ['suspicious', true]);
});
