// The scoring stage: emails in, scored emails (or the reason one could not be scored) out.
// Features and inference run on the worker pool; intel lookups, tenant policy and the risk
// engine run here, once per batch.
import type { Logger } from 'pino';
import type { InboundEmail, RejectedEmail, ScoredEmail } from '../schemas/contracts.ts';
import { SUBJECT_MAX_CHARS } from '../schemas/contracts.ts';
import { createScoringPool } from './pool.ts';
import { assessRisk } from './risk.ts';
import type { ThreatIntel } from './intel.ts';
import type { PolicyStore } from './policy.ts';
import type { ScorerMetrics } from './metrics.ts';
import type { ScoreTaskResult } from './worker_contract.ts';

export { createScorerMetrics, type ScorerMetrics } from './metrics.ts';
export { createThreatIntel, type ThreatIntel } from './intel.ts';
export { createPolicyStore, type PolicyStore } from './policy.ts';
export { DEFAULT_POLICY, IntelKind, type TenantPolicy } from './risk.ts';
export { eventFromRawMessage, extractUrls } from './mime.ts';
export { readModelCard, type ModelCard } from './model_card.ts';
export { train, DEFAULT_TRAIN_OPTIONS } from './train/train.ts';

export const ScoringFailureCode = { unparseable: 'UNSCORABLE_EVENT' } as const;

export interface ScorerOptions {
  readonly modelDirectory: string;
  readonly threads: number;
  readonly maxQueue: number;
  /** Events per worker task: large batches are split so every worker gets a share. */
  readonly taskSize: number;
  readonly intel: ThreatIntel;
  readonly policies: PolicyStore;
  readonly logger: Logger;
  readonly metrics: ScorerMetrics;
}

export interface ScoringResult {
  readonly scored: ScoredEmail[];
  readonly rejected: RejectedEmail[];
}

export interface Scorer {
  score(emails: readonly InboundEmail[]): Promise<ScoringResult>;
  onPressure(listener: (saturated: boolean) => void): void;
  close(): Promise<void>;
}

export function createScorer(options: ScorerOptions): Scorer {
  const pool = createScoringPool(options);
  const { metrics } = options;

  async function score(emails: readonly InboundEmail[]): Promise<ScoringResult> {
    const started = process.hrtime.bigint();
    const tasks: Array<Promise<ScoreTaskResult>> = [];
    for (let i = 0; i < emails.length; i += options.taskSize) {
      tasks.push(pool.run(emails.slice(i, i + options.taskSize).map((e) => e.bytes)));
    }
    const results = await Promise.all(tasks);
    const afterPool = process.hrtime.bigint();
    const details = results.flatMap((r) => r.details);
    const [intelHits, policies] = await Promise.all([
      options.intel.lookup(details.map((d) => d.indicators)),
      options.policies.forTenants(emails.map((e) => e.event.tenantId)),
    ]);
    const scoredAtMs = Date.now();
    const scored: ScoredEmail[] = [];
    const rejected: RejectedEmail[] = [];
    let index = 0;
    for (const result of results) {
      for (let j = 0; j < result.details.length; j++, index++) {
        const email = emails[index]!;
        const detail = result.details[j]!;
        if (detail.error !== undefined) {
          rejected.push({ email, stage: 'scorer', code: ScoringFailureCode.unparseable, reason: detail.error });
          continue;
        }
        const { event } = email;
        const fromAddress = detail.parsed?.fromAddress ?? event.from?.address ?? '';
        const mailFrom = detail.parsed?.mailFrom ?? event.envelope?.mailFrom ?? '';
        const probability = result.probabilities[j]!;
        const risk = assessRisk({
          probability,
          flags: result.flags[j]!,
          intelHits: intelHits[index]!,
          policy: policies.get(event.tenantId)!,
          senderAddress: fromAddress !== '' ? fromAddress : mailFrom,
        });
        scored.push({
          tenantId: event.tenantId,
          messageId: event.messageId,
          receivedAtMs: event.receivedAtMs,
          scoredAtMs,
          riskScore: risk.riskScore,
          verdict: risk.verdict,
          modelProbability: probability,
          modelVersion: result.modelVersion,
          reasons: risk.reasons,
          mailFrom,
          fromAddress,
          subject: (detail.parsed?.subject ?? event.subject).slice(0, SUBJECT_MAX_CHARS),
          alert: risk.alert,
          source: email.source,
        });
        metrics.scored.inc({ verdict: risk.verdict });
      }
    }
    metrics.failed.inc(rejected.length);
    for (const result of results) {
      metrics.stageSeconds.inc({ stage: 'features' }, result.timings.featuresMs / 1000);
      metrics.stageSeconds.inc({ stage: 'inference' }, result.timings.inferenceMs / 1000);
    }
    const finished = process.hrtime.bigint();
    metrics.stageSeconds.inc({ stage: 'risk' }, Number(finished - afterPool) / 1e9);
    metrics.batchSeconds.observe(Number(finished - started) / 1e9);
    metrics.poolUtilisation.set(pool.utilisation());
    metrics.poolQueue.set(pool.queued());
    return { scored, rejected };
  }

  return { score, onPressure: pool.onPressure, close: pool.close };
}
