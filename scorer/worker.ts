// A piscina worker: builds its ONNX session once from the model bytes it is given, then scores
// packed batches. It never reads model files, so a model being replaced on disk cannot reach a
// worker half-written.
import { workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import type { EmailEventFields, Explanation } from '../schemas/contracts.ts';
import { decodeLimitedEvent } from '../schemas/limits.ts';
import { unpackEvent } from './batch_codec.ts';
import { explanationName, extractFeatures, type EmailFeatures } from './features.ts';
import { eventFromRawMessage } from './mime.ts';
import { decodeLinearModel, MODEL_INPUTS, MODEL_OUTPUTS } from './onnx_model.ts';
import { ModelNotUsableError } from './model_card.ts';
import { Progress, ScoringFailureCode, sharedClockMs, type EmailDetail, type ScoreTask, type ScoreTaskResult, type WorkerOptions } from './worker_contract.ts';

const EXPLANATIONS_PER_EMAIL = 5;
const { card, bytes } = workerData as WorkerOptions;
// One intra-op thread per session: the pool runs one worker per core, so more would oversubscribe.
const session = await ort.InferenceSession.create(bytes, {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const missing = Object.values(MODEL_INPUTS).filter((name) => !session.inputNames.includes(name));
if (missing.length > 0) {
  throw new ModelNotUsableError(`model ${card.version} lacks inputs ${missing.join(', ')}: it was written for another graph format; retrain with \`make train\``);
}
// The same weights the graph holds, for explaining a score feature by feature.
const { weights } = decodeLinearModel(bytes);

export default async function scoreBatch(task: ScoreTask): Promise<ScoreTaskResult> {
  const count = task.offsets.length - 1;
  const featureStart = performance.now();
  const features: Array<EmailFeatures | null> = new Array(count);
  const details: EmailDetail[] = new Array(count);
  const { progress } = task;
  for (let i = 0; i < count; i++) {
    // Start time first, then the index: the watchdog reads the index first, so it never pairs
    // this email with the previous email's start time.
    Atomics.store(progress, Progress.startedMs, Math.floor(sharedClockMs() - task.clockBaseMs));
    Atomics.store(progress, Progress.email, i);
    try {
      let event: EmailEventFields = decodeLimitedEvent(unpackEvent(task, i)).event;
      let parsed: EmailDetail['parsed'];
      if (needsParsing(event)) {
        event = await mergeRawMessage(event);
        parsed = { subject: event.subject ?? '', fromAddress: event.from?.address ?? '', mailFrom: event.envelope?.mailFrom ?? '' };
      }
      const extracted = extractFeatures(event);
      features[i] = extracted;
      const explanations = explain(extracted);
      details[i] = parsed === undefined ? { indicators: extracted.indicators, explanations } : { indicators: extracted.indicators, explanations, parsed };
    } catch (err) {
      features[i] = null;
      details[i] = { indicators: { domains: [], urls: [], ips: [], attachmentHashes: [] }, explanations: [], error: (err as Error).message, errorCode: ScoringFailureCode.unparseable };
    }
  }
  Atomics.store(progress, Progress.email, Progress.idle);
  const inferenceStart = performance.now();
  const probabilities = await infer(features);
  const flags = Uint32Array.from(features, (f) => f?.flags ?? 0);
  return {
    modelVersion: card.version,
    probabilities,
    flags,
    details,
    timings: { featuresMs: inferenceStart - featureStart, inferenceMs: performance.now() - inferenceStart },
  };
}

/** The features with the largest |weight × value|, strongest first. */
function explain(features: EmailFeatures): Explanation[] {
  // Positions of the strongest contributions so far, kept sorted; objects only for the winners.
  const best: number[] = [];
  const strength = (k: number) => Math.abs(weights[features.indices[k]!]! * features.values[k]!);
  for (let k = 0; k < features.indices.length; k++) {
    if (best.length === EXPLANATIONS_PER_EMAIL && strength(k) <= strength(best[best.length - 1]!)) continue;
    let at = best.length;
    while (at > 0 && strength(best[at - 1]!) < strength(k)) at--;
    best.splice(at, 0, k);
    if (best.length > EXPLANATIONS_PER_EMAIL) best.pop();
  }
  return best.map((k) => ({
    feature: explanationName(features.names[k]!),
    contribution: Math.round(weights[features.indices[k]!]! * features.values[k]! * 1e4) / 1e4,
  }));
}

function needsParsing(event: EmailEventFields): boolean {
  return (event.rawMessage?.length ?? 0) > 0 && !event.subject && !event.textBody && !event.htmlBody;
}

async function mergeRawMessage(event: EmailEventFields): Promise<EmailEventFields> {
  const fromRaw = await eventFromRawMessage(Buffer.from(event.rawMessage!), {
    tenantId: event.tenantId ?? '',
    fallbackMessageId: event.messageId ?? '',
    fallbackReceivedAtMs: Number(event.receivedAtMs ?? 0),
  });
  // What the MTA saw on the wire (envelope, authentication) wins over what the message claims.
  return {
    ...fromRaw,
    tenantId: event.tenantId ?? '',
    messageId: event.messageId ?? '',
    receivedAtMs: event.receivedAtMs ?? 0,
    envelope: event.envelope ?? fromRaw.envelope ?? null,
    auth: event.auth ?? null,
    attachments: (event.attachments?.length ?? 0) > 0 ? event.attachments! : fromRaw.attachments ?? [],
  };
}

async function infer(features: Array<EmailFeatures | null>): Promise<Float32Array> {
  let active = 0;
  for (const f of features) if (f !== null) active += f.indices.length;
  // Flat, unpadded input: every email's buckets one after the other, with the row each belongs to.
  const indices = new Int32Array(active);
  const values = new Float32Array(active);
  const rows = new Int32Array(active);
  let at = 0;
  features.forEach((f, row) => {
    if (f === null) return;
    indices.set(f.indices, at);
    values.set(f.values, at);
    rows.fill(row, at, at + f.indices.length);
    at += f.indices.length;
  });
  const output = await session.run({
    [MODEL_INPUTS.indices]: new ort.Tensor('int32', indices, [active]),
    [MODEL_INPUTS.values]: new ort.Tensor('float32', values, [active]),
    [MODEL_INPUTS.rows]: new ort.Tensor('int32', rows, [active]),
    [MODEL_INPUTS.count]: new ort.Tensor('int64', BigInt64Array.of(BigInt(features.length)), [1]),
  });
  const probabilities = Float32Array.from(output[MODEL_OUTPUTS.probability]!.data as Float32Array);
  features.forEach((f, row) => {
    if (f === null) probabilities[row] = Number.NaN;
  });
  return probabilities;
}
