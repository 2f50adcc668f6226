import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessRisk, DEFAULT_POLICY, IntelKind, isVerdict, VERDICTS } from './risk.ts';
import { RuleFlag } from './features.ts';
import { Verdict } from '../schemas/contracts.ts';

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

test('a confident spam without phishing signals is spam, and spam does not alert by default', () => {
  const risk = assessRisk({ ...base, probability: 0.97, flags: RuleFlag.htmlOnly | RuleFlag.urlShortener });
  assert.deepEqual([risk.riskScore, risk.verdict, risk.alert], [100, 'spam', false]);
  const atThreshold = assessRisk({ ...base, probability: 0.8 });
  assert.equal(atThreshold.verdict, 'spam', 'spamAt is inclusive');
  assert.equal(assessRisk({ ...base, probability: 0.79 }).verdict, 'suspicious');
});

test('phishing and malware signals make risky mail malicious; alone on clean mail they do not', () => {
  for (const flag of [RuleFlag.riskyAttachment, RuleFlag.credentialHarvestUrl, RuleFlag.lookAlikeSender]) {
    assert.equal(assessRisk({ ...base, probability: 0.35, flags: flag }).verdict, 'malicious', `flag ${flag} at suspiciousAt or more`);
    assert.equal(assessRisk({ ...base, probability: 0.95, flags: flag }).verdict, 'malicious', `flag ${flag} on a high score is not spam`);
    assert.equal(assessRisk({ ...base, probability: 0.01, flags: flag }).verdict, 'clean', `flag ${flag} alone`);
  }
  // Display-name spoofing is weaker evidence: malicious only from spamAt.
  assert.equal(assessRisk({ ...base, probability: 0.5, flags: RuleFlag.displayNameSpoof }).verdict, 'suspicious');
  assert.equal(assessRisk({ ...base, probability: 0.7, flags: RuleFlag.displayNameSpoof }).verdict, 'malicious');
  // Other rules only add points.
  assert.equal(assessRisk({ ...base, probability: 0.7, flags: RuleFlag.dmarcFail }).verdict, 'spam');
});

test('threat intel lifts the score to its floor and is malicious; a bad attachment hash makes it certain', () => {
  const intel = assessRisk({ ...base, intelHits: [{ kind: IntelKind.domain, value: 'evil.example' }] });
  assert.deepEqual([intel.riskScore, intel.verdict, intel.alert], [90, 'malicious', true]);
  assert.equal(assessRisk({ ...base, intelHits: [{ kind: IntelKind.sha256, value: 'ab' }] }).riskScore, 100);
  const tight = { ...policy, spamAt: 95 };
  assert.equal(assessRisk({ ...base, policy: tight, intelHits: [{ kind: IntelKind.ip, value: '192.0.2.1' }] }).verdict, 'malicious', 'whatever the thresholds');
});

test('tenant policy: block lists win and are malicious, allow lists yield to intel, thresholds are the tenant\'s', () => {
  const strict = { ...policy, blockSenders: ['example.org'] };
  assert.deepEqual([assessRisk({ ...base, policy: strict }).riskScore, assessRisk({ ...base, policy: strict }).verdict], [100, 'malicious']);
  const trusting = { ...policy, allowSenders: ['bob@example.org'] };
  const trusted = assessRisk({ ...base, probability: 0.99, flags: RuleFlag.credentialHarvestUrl, policy: trusting });
  assert.deepEqual([trusted.riskScore, trusted.verdict], [0, 'clean'], 'a trusted sender\'s phishing flags do not count');
  const betrayed = assessRisk({ ...base, policy: trusting, intelHits: [{ kind: IntelKind.url, value: 'http://x' }] });
  assert.deepEqual([betrayed.riskScore, betrayed.verdict], [90, 'malicious']);
  const nervous = { ...policy, suspiciousAt: 10 };
  assert.equal(assessRisk({ ...base, probability: 0.12, policy: nervous }).verdict, 'suspicious');
});

test('the tenant\'s alert verdicts decide which verdicts alert', () => {
  const cases = [
    { probability: 0.02, flags: 0 },
    { probability: 0.6, flags: 0 },
    { probability: 0.9, flags: 0 },
    { probability: 0.6, flags: RuleFlag.lookAlikeSender },
  ];
  const alerting = (alertVerdicts: readonly Verdict[]) =>
    cases.map((c) => assessRisk({ ...base, ...c, policy: { ...policy, alertVerdicts } })).map((r) => `${r.verdict}:${r.alert}`);
  assert.deepEqual(alerting(DEFAULT_POLICY.alertVerdicts), ['clean:false', 'suspicious:false', 'spam:false', 'malicious:true']);
  assert.deepEqual(alerting([Verdict.suspicious, Verdict.spam, Verdict.malicious]), ['clean:false', 'suspicious:true', 'spam:true', 'malicious:true']);
  assert.deepEqual(alerting([]), ['clean:false', 'suspicious:false', 'spam:false', 'malicious:false']);
});

test('VERDICTS lists every verdict of the contract, and isVerdict knows them', () => {
  assert.deepEqual([...VERDICTS].sort(), Object.values(Verdict).sort());
  assert.equal(isVerdict('spam'), true);
  assert.equal(isVerdict('phishing'), false);
});
