// The scoring stage: emails in, scored emails (or the reason one could not be scored) out.
// Features and inference run on the worker pool of the current model (and of a shadow model,
// when one is configured); intel lookups, tenant policy and the risk engine run here, once per
// batch.
import type { Logger } from 'pino';
import type { InboundEmail, RejectedEmail, ScoredEmail, ShadowScore } from '../schemas/contracts.ts';
import { assessRisk, type IntelHit } from './risk.ts';
import { createModelSlot, type ModelSlot } from './model_slot.ts';
import { IntelUnavailableError, type ThreatIntel } from './intel.ts';
import type { Indicators } from './features.ts';
import type { PolicyStore } from './policy.ts';
import type { ScorerMetrics } from './metrics.ts';
import { ScoringFailureCode, type ScoreTaskResult } from './worker_contract.ts';

export { createScorerMetrics, type ScorerMetrics } from './metrics.ts';
export { createThreatIntel, IntelUnavailableError, type ThreatIntel } from './intel.ts';
export { createPolicyStore, type PolicyStore } from './policy.ts';
export { DEFAULT_POLICY, IntelKind, isVerdict, VERDICTS, type TenantPolicy } from './risk.ts';
export { eventFromRawMessage, extractUrls } from './mime.ts';
export { readModelCard, loadModel, type ModelCard } from './model_card.ts';
export { train, ablation, DEFAULT_TRAIN_OPTIONS } from './train/train.ts';

export { ScoringFailureCode } from './worker_contract.ts';
export { DEFAULT_EMAIL_CPU_LIMIT_MS, DEFAULT_EMAIL_TIMEOUT_MS } from './pool.ts';

/**
 * On every row scored while threat intel could not be asked (Redis down or too slow): the
 * score holds without intel, and the reason finds the rows to score again later.
 */
export const INTEL_UNAVAILABLE_REASON = { code: 'intel.unavailable', points: 0 } as const;

export interface ScorerOptions {
  readonly modelDirectory: string;
  /** A candidate model scored beside the current one on every batch; its results are recorded, never acted on. */
  readonly shadowModelDirectory: string | null;
  readonly modelReloadIntervalMs: number;
  readonly threads: number;
  readonly maxQueue: number;
  /**
   * The most worker tasks that concurrent `score` calls can submit at once: concurrent batches ×
   * ceil(events per batch / taskSize). The pools hold that many without refusing any.
   */
  readonly maxTasksInFlight: number;
  /** CPU time one email may use in a worker before it is dead-lettered as SCORING_TIMEOUT. */
  readonly emailCpuLimitMs: number;
  /** Wall time one email may take in a worker before it is dead-lettered as SCORING_TIMEOUT (a backstop; at least emailCpuLimitMs). */
  readonly emailTimeoutMs: number;
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
  /** The fields held to their caps in the batch's events, one entry per field of each event cut. */
  readonly fieldsCut: string[];
}

export interface Scorer {
  score(emails: readonly InboundEmail[]): Promise<ScoringResult>;
  onPressure(listener: (saturated: boolean) => void): void;
  /** Versions in service, for logs and tests. */
  modelVersions(): { current: string; shadow: string | null };
  /** Checks the model directories now rather than at the next interval. */
  reloadModels(): Promise<void>;
  close(): Promise<void>;
}

export async function createScorer(options: ScorerOptions): Promise<Scorer> {
  const { metrics, logger } = options;
  const slot = (directory: string, role: 'current' | 'shadow') =>
    createModelSlot({
      directory, role, threads: options.threads, maxQueue: options.maxQueue, maxTasksInFlight: options.maxTasksInFlight,
      emailCpuLimitMs: options.emailCpuLimitMs, emailTimeoutMs: options.emailTimeoutMs, reloadIntervalMs: options.modelReloadIntervalMs, logger, metrics,
    });
  const current: ModelSlot = await slot(options.modelDirectory, 'current');
  const shadow: ModelSlot | null = options.shadowModelDirectory === null ? null : await slot(options.shadowModelDirectory, 'shadow');

  async function runShadow(chunks: Uint8Array[][]): Promise<ScoreTaskResult[] | null> {
    if (shadow === null) return null;
    try {
      return await Promise.all(chunks.map((chunk) => shadow.run(chunk)));
    } catch (err) {
      // The shadow model is on trial: its failure must never hold up the real scores.
      metrics.shadowFailures.inc();
      logger.warn({ err, version: shadow.version() }, 'shadow model failed on a batch; recording it without shadow results');
      return null;
    }
  }

  let intelDown = false;
  /** Hits per email, or null when Redis could not answer: the batch is then scored without intel, never held up. */
  async function lookupIntel(batch: readonly Indicators[]): Promise<IntelHit[][] | null> {
    try {
      const hits = await options.intel.lookup(batch);
      if (intelDown) logger.info('threat intel answers again');
      intelDown = false;
      return hits;
    } catch (err) {
      if (!(err instanceof IntelUnavailableError)) throw err;
      if (!intelDown) logger.warn({ err }, `threat intel unavailable: scoring without it, rows carry the reason ${INTEL_UNAVAILABLE_REASON.code}`);
      intelDown = true;
      return null;
    }
  }

  async function score(emails: readonly InboundEmail[]): Promise<ScoringResult> {
    const started = process.hrtime.bigint();
    const chunks: Uint8Array[][] = [];
    for (let i = 0; i < emails.length; i += options.taskSize) chunks.push(emails.slice(i, i + options.taskSize).map((e) => e.bytes));
    const [results, shadowResults] = await Promise.all([Promise.all(chunks.map((chunk) => current.run(chunk))), runShadow(chunks)]);
    const afterPool = process.hrtime.bigint();
    const details = results.flatMap((r) => r.details);
    const [intelHits, policies] = await Promise.all([
      lookupIntel(details.map((d) => d.indicators)),
      options.policies.forTenants(emails.map((e) => e.identity.tenantId)),
    ]);
    const scoredAtMs = Date.now();
    const scored: ScoredEmail[] = [];
    const rejected: RejectedEmail[] = [];
    const fieldsCut: string[] = [];
    let index = 0;
    results.forEach((result, chunk) => {
      for (let j = 0; j < result.details.length; j++, index++) {
        const email = emails[index]!;
        const detail = result.details[j]!;
        fieldsCut.push(...detail.cut);
        if (detail.error !== undefined) {
          rejected.push({ email, stage: 'scorer', code: detail.errorCode ?? ScoringFailureCode.unparseable, reason: detail.error });
          continue;
        }
        const { identity } = email;
        const { fromAddress, mailFrom } = detail.summary;
        const policy = policies.get(identity.tenantId)!;
        const riskOf = (probability: number, flags: number) =>
          assessRisk({ probability, flags, intelHits: intelHits?.[index] ?? [], policy, senderAddress: fromAddress !== '' ? fromAddress : mailFrom });
        const probability = result.probabilities[j]!;
        const risk = riskOf(probability, result.flags[j]!);
        scored.push({
          tenantId: identity.tenantId,
          messageId: identity.messageId,
          receivedAtMs: identity.receivedAtMs,
          scoredAtMs,
          riskScore: risk.riskScore,
          verdict: risk.verdict,
          modelProbability: probability,
          modelVersion: result.modelVersion,
          reasons: intelHits === null ? [...risk.reasons, INTEL_UNAVAILABLE_REASON] : risk.reasons,
          explanations: detail.explanations,
          shadow: shadowScore(shadowResults?.[chunk], j, riskOf),
          mailFrom,
          fromAddress,
          subject: detail.summary.subject,
          alert: risk.alert,
          source: email.source,
        });
        metrics.scored.inc({ verdict: risk.verdict });
      }
    });
    metrics.failed.inc(rejected.length);
    if (intelHits === null) metrics.intelUnavailable.inc(scored.length);
    for (const result of results) {
      metrics.stageSeconds.inc({ stage: 'features' }, result.timings.featuresMs / 1000);
      metrics.stageSeconds.inc({ stage: 'inference' }, result.timings.inferenceMs / 1000);
    }
    const finished = process.hrtime.bigint();
    metrics.stageSeconds.inc({ stage: 'risk' }, Number(finished - afterPool) / 1e9);
    metrics.batchSeconds.observe(Number(finished - started) / 1e9);
    metrics.poolUtilisation.set(current.utilisation());
    metrics.poolQueue.set(current.queued());
    return { scored, rejected, fieldsCut };
  }

  return {
    score,
    onPressure: current.onPressure,
    modelVersions: () => ({ current: current.version(), shadow: shadow?.version() ?? null }),
    async reloadModels() {
      await Promise.all([current.reload(), shadow?.reload()]);
    },
    async close() {
      await Promise.all([current.close(), shadow?.close()]);
    },
  };
}

function shadowScore(
  result: ScoreTaskResult | undefined,
  j: number,
  riskOf: (probability: number, flags: number) => { riskScore: number; verdict: ShadowScore['verdict'] },
): ShadowScore | null {
  if (result === undefined || result.details[j]?.error !== undefined) return null;
  const probability = result.probabilities[j]!;
  const risk = riskOf(probability, result.flags[j]!);
  return { modelVersion: result.modelVersion, modelProbability: probability, riskScore: risk.riskScore, verdict: risk.verdict };
}

