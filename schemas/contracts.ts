// Types shared between stages. Stages never import each other; what crosses a stage boundary
// is declared here (and in the protobuf contract beside it).
import { email } from './generated/email_v1.js';
import type { EventIdentity } from './limits.ts';

export const EmailEventCodec = email.v1.EmailEvent;
export const AlertCodec = email.v1.Alert;
export const AuthResultCode = email.v1.AuthResult;
export const VerdictCode = email.v1.Verdict;

export type EmailEvent = email.v1.EmailEvent;
export type EmailEventFields = email.v1.EmailEvent.$Properties;
export type AlertFields = email.v1.Alert.$Properties;

/** Where a record came from, enough to find or replay it. */
export interface SourcePosition {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are int64: kept as the decimal string kafkajs hands out. */
  readonly offset: string;
}

/**
 * An event whose identity was read and validated, with the bytes it came from: the rest of the
 * event is decoded once, in a scoring worker.
 */
export interface InboundEmail {
  readonly identity: EventIdentity;
  readonly bytes: Uint8Array;
  readonly key: Buffer | null;
  readonly source: SourcePosition;
}

/**
 * What kind of mail it is, for the people who read alerts: `malicious` is phishing or malware (a
 * threat-intel hit, a block-listed sender, or a phishing signal on risky mail), `spam` is bulk or
 * unsolicited mail the model and content rules score high without any such signal, `suspicious`
 * is the grey zone below that, `clean` the rest. Stored as these strings (email_scores.verdict)
 * and published as email.v1.Verdict; which of them alert is the tenant's choice.
 */
export const Verdict = {
  clean: 'clean',
  suspicious: 'suspicious',
  spam: 'spam',
  malicious: 'malicious',
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** Why a score is what it is. `points` is the reason's share of the 0-100 risk score. */
export interface Reason {
  readonly code: string;
  readonly points: number;
  readonly detail?: string;
}

/** One feature's contribution to the model's logit (positive pushes towards spam). */
export interface Explanation {
  readonly feature: string;
  readonly contribution: number;
}

/** What a candidate model in shadow mode made of the same email; never alerts. */
export interface ShadowScore {
  readonly modelVersion: string;
  readonly modelProbability: number;
  readonly riskScore: number;
  readonly verdict: Verdict;
}

/** The result of scoring one email: one row in `email_scores`, perhaps one alert. */
export interface ScoredEmail {
  readonly tenantId: string;
  readonly messageId: string;
  readonly receivedAtMs: number;
  readonly scoredAtMs: number;
  readonly riskScore: number;
  readonly verdict: Verdict;
  /** The model's spam probability before rules, intel and policy. */
  readonly modelProbability: number;
  readonly modelVersion: string;
  readonly reasons: readonly Reason[];
  readonly explanations: readonly Explanation[];
  /** Set when a shadow model runs beside the current one. */
  readonly shadow: ShadowScore | null;
  readonly mailFrom: string;
  readonly fromAddress: string;
  readonly subject: string;
  /** True when the verdict is one the tenant alerts on (tenant_policy.alert_verdicts). */
  readonly alert: boolean;
  readonly source: SourcePosition;
}

/** A record that a stage refused for good: it goes to the dead-letter topic, never retried. */
export interface RejectedEmail {
  readonly email: InboundEmail;
  /** The stage that refused it. */
  readonly stage: 'scorer' | 'sink';
  readonly code: string;
  readonly reason: string;
}

/**
 * The ack contract between ingest and the rest of the pipeline: the handler resolves once every
 * accepted email is durable in every sink, listing the ones it refused; a rejection means
 * "nothing of this batch is done" and the batch is delivered again.
 */
export interface BatchOutcome {
  readonly rejected: readonly RejectedEmail[];
  /** The fields held to their caps in the batch's events (decoded in the scoring workers), one entry per field of each event cut. */
  readonly fieldsCut?: readonly string[];
}
export type BatchHandler = (emails: readonly InboundEmail[]) => Promise<BatchOutcome>;

/**
 * Clamped to the 200 characters (UTF-16 units) an analyst's table shows, cut with truncateChars so
 * that a character is never split; full text stays in the event.
 */
export const SUBJECT_MAX_CHARS = 200;
