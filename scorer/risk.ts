// Pure: the model's probability, rule flags, threat-intel hits and the tenant's policy in; a
// 0-100 risk score, a verdict and the reasons behind it out.
import { Verdict, type Reason } from '../schemas/contracts.ts';
import { RuleFlag, domainOf, type RuleFlagName } from './features.ts';

export interface TenantPolicy {
  readonly tenantId: string;
  /** Risk score from which mail is `suspicious`. */
  readonly suspiciousAt: number;
  /** Risk score from which mail is `malicious`. */
  readonly maliciousAt: number;
  /** Risk score from which an alert is published. */
  readonly alertAt: number;
  /** Sender addresses or domains whose mail is trusted unless threat intel says otherwise. */
  readonly allowSenders: readonly string[];
  /** Sender addresses or domains whose mail is always malicious. */
  readonly blockSenders: readonly string[];
}

export const DEFAULT_POLICY: Omit<TenantPolicy, 'tenantId'> = {
  suspiciousAt: 50,
  maliciousAt: 80,
  alertAt: 80,
  allowSenders: [],
  blockSenders: [],
};

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
  lookAlikeSender: 20,
  invisibleCharacters: 10,
  mixedScriptWords: 10,
};
/** A known-bad indicator makes mail at least this risky; a known-bad attachment, certain. */
const INTEL_FLOOR = 90;

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
  if (listed(input.policy.blockSenders)) {
    reasons.push({ code: 'policy.block_sender', points: 100 - score, detail: sender });
    score = 100;
  } else if (listed(input.policy.allowSenders) && input.intelHits.length === 0) {
    reasons.push({ code: 'policy.allow_sender', points: -score, detail: sender });
    score = 0;
  }
  reasons.sort((a, b) => b.points - a.points);
  const verdict =
    score >= input.policy.maliciousAt ? Verdict.malicious : score >= input.policy.suspiciousAt ? Verdict.suspicious : Verdict.clean;
  return { riskScore: score, verdict, reasons, alert: score >= input.policy.alertAt };
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
