// Pure: the model's probability, rule flags, threat-intel hits and the tenant's policy in; a
// 0-100 risk score, a verdict and the reasons behind it out.
//
// The score says how risky mail is; the verdict says what kind of risk, because the people who
// read alerts act differently on each: `malicious` (phishing, malware) is an incident, `spam` is
// a filtering matter. Mail is malicious when threat intel knows one of its indicators, when the
// tenant blocks its sender, or when it carries a phishing or malware signal (risky attachment,
// credential-harvest URL, look-alike sender) and scores at least `suspiciousAt`: one such flag on
// otherwise clean mail (a macro invoice from a supplier) adds its points but does not page anyone
// by itself. Display-name spoofing is weaker evidence (mailing lists and "via" senders do it), so
// it makes mail malicious only at `spamAt`. Without any of these, a score from `spamAt` is spam.
import { Verdict, type Reason } from '../schemas/contracts.ts';
import { RuleFlag, domainOf, type RuleFlagName } from './features.ts';

export interface TenantPolicy {
  readonly tenantId: string;
  /** Risk score from which mail is `suspicious`, and `malicious` when it carries a phishing signal. */
  readonly suspiciousAt: number;
  /**
   * Risk score from which mail is `spam` when it carries no phishing or malware signal (stored
   * in tenant_policy.malicious_at, see schemas/sql/006_spam_verdict.sql).
   */
  readonly spamAt: number;
  /** The verdicts that publish an alert; by default only `malicious`. */
  readonly alertVerdicts: readonly Verdict[];
  /** Sender addresses or domains whose mail is trusted unless threat intel says otherwise. */
  readonly allowSenders: readonly string[];
  /** Sender addresses or domains whose mail is always malicious. */
  readonly blockSenders: readonly string[];
}

export const DEFAULT_POLICY: Omit<TenantPolicy, 'tenantId'> = Object.freeze({
  suspiciousAt: 50,
  spamAt: 80,
  // Suspicious mail is the grey zone: alerting on it by default would bury a security team's
  // queue. Spam is a filtering matter, not an incident. Tenants opt in to either.
  alertVerdicts: Object.freeze([Verdict.malicious]),
  allowSenders: Object.freeze([]),
  blockSenders: Object.freeze([]),
});

/** Verdicts in the order of their severity, as policies and the CLI list them. */
export const VERDICTS: readonly Verdict[] = Object.freeze([Verdict.clean, Verdict.suspicious, Verdict.spam, Verdict.malicious]);

export function isVerdict(value: string): value is Verdict {
  return (VERDICTS as readonly string[]).includes(value);
}

export const IntelKind = { domain: 'domain', url: 'url', ip: 'ip', sha256: 'sha256' } as const;
export type IntelKind = (typeof IntelKind)[keyof typeof IntelKind];
export interface IntelHit { readonly kind: IntelKind; readonly value: string }

/** Points each rule adds to the model's share of the score. */
const RULE_POINTS: Record<RuleFlagName, number> = {
  replyToMismatch: 8,
  displayNameSpoof: 15,
  urlIpLiteral: 10,
  urlPunycode: 10,
  urlShortener: 5,
  linkTextMismatch: 15,
  riskyAttachment: 25,
  spfFail: 8,
  dkimFail: 8,
  dmarcFail: 15,
  htmlOnly: 3,
  hiddenText: 10,
  credentialHarvestUrl: 20,
  // A sender domain one edit or one confusable letter away from a brand or the domain its own
  // display name shows is rarely innocent (scorer/phishing.ts): with a model probability of 0.2
  // it reaches suspiciousAt, and so malicious, on its own.
  lookAlikeSender: 30,
  invisibleCharacters: 10,
  mixedScriptWords: 10,
};
/** A known-bad indicator makes mail at least this risky; a known-bad attachment, certain. */
const INTEL_FLOOR = 90;
/** Phishing and malware signals: mail scoring at least suspiciousAt with one of them is malicious. */
const PHISHING_FLAGS = RuleFlag.riskyAttachment | RuleFlag.credentialHarvestUrl | RuleFlag.lookAlikeSender;

export interface RiskInput {
  readonly probability: number;
  readonly flags: number;
  readonly intelHits: readonly IntelHit[];
  readonly policy: TenantPolicy;
  readonly senderAddress: string;
}

export interface RiskAssessment {
  readonly riskScore: number;
  readonly verdict: Verdict;
  readonly reasons: Reason[];
  readonly alert: boolean;
}

export function assessRisk(input: RiskInput): RiskAssessment {
  const reasons: Reason[] = [];
  const modelPoints = Math.round(100 * input.probability);
  reasons.push({ code: 'model.spam_probability', points: modelPoints, detail: input.probability.toFixed(4) });
  let score = modelPoints;
  for (const name of Object.keys(RuleFlag) as RuleFlagName[]) {
    if ((input.flags & RuleFlag[name]) !== 0) {
      reasons.push({ code: `rule.${snakeCase(name)}`, points: RULE_POINTS[name] });
      score += RULE_POINTS[name];
    }
  }
  score = Math.min(100, score);
  for (const hit of input.intelHits) {
    const floor = hit.kind === IntelKind.sha256 ? 100 : INTEL_FLOOR;
    reasons.push({ code: `intel.${hit.kind}`, points: Math.max(0, floor - score), detail: hit.value });
    score = Math.max(score, floor);
  }
  const sender = input.senderAddress.toLowerCase();
  const senderDomain = domainOf(sender);
  const listed = (list: readonly string[]) => list.some((entry) => entry === sender || entry === senderDomain);
  const blocked = listed(input.policy.blockSenders);
  const trusted = !blocked && listed(input.policy.allowSenders) && input.intelHits.length === 0;
  if (blocked) {
    reasons.push({ code: 'policy.block_sender', points: 100 - score, detail: sender });
    score = 100;
  } else if (trusted) {
    reasons.push({ code: 'policy.allow_sender', points: -score, detail: sender });
    score = 0;
  }
  reasons.sort((a, b) => b.points - a.points);
  const verdict = verdictOf(score, trusted ? 0 : input.flags, blocked || input.intelHits.length > 0, input.policy);
  return { riskScore: score, verdict, reasons, alert: input.policy.alertVerdicts.includes(verdict) };
}

function verdictOf(score: number, flags: number, knownBad: boolean, policy: TenantPolicy): Verdict {
  if (knownBad) return Verdict.malicious;
  if (score >= policy.suspiciousAt && (flags & PHISHING_FLAGS) !== 0) return Verdict.malicious;
  if (score >= policy.spamAt) return (flags & RuleFlag.displayNameSpoof) !== 0 ? Verdict.malicious : Verdict.spam;
  return score >= policy.suspiciousAt ? Verdict.suspicious : Verdict.clean;
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
