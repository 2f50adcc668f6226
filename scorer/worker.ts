// A piscina worker: builds its ONNX session once from the model bytes it is given, then scores
// packed batches. It never reads model files, so a model being replaced on disk cannot reach a
// worker half-written.
import { workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { EmailEventCodec, SUBJECT_MAX_CHARS, type EmailEventFields, type Explanation } from '../schemas/contracts.ts';
import { decodeLimitedEvent, truncateChars, type CutFields } from '../schemas/limits.ts';
import { packEvents, unpackEvent } from './batch_codec.ts';
import { explanationName, extractFeatures, type EmailFeatures } from './features.ts';
import { eventFromRawMessage } from './mime.ts';
import { bestWindow, decodeLinearModel, MODEL_INPUTS, MODEL_OUTPUTS, partScores } from './onnx_model.ts';
import { ModelNotUsableError } from './model_card.ts';
import { linuxThreadId, Progress, ScoringFailureCode, sharedClockMs, threadCpuMicros, unscoredDetail, type EmailDetail, type ScoreTask, type ScoreTaskResult, type WorkerOptions } from './worker_contract.ts';

const EXPLANATIONS_PER_EMAIL = 5;
const NOTHING_CUT: CutFields = Object.freeze([]);
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
// Names this thread's CPU clock for the pool's watchdog, which reads it from /proc.
const threadId = linuxThreadId();

export default async function scoreBatch(task: ScoreTask): Promise<ScoreTaskResult> {
  const count = task.offsets.length - 1;
  const featureStart = performance.now();
  const features: Array<EmailFeatures | null> = new Array(count);
  const details: EmailDetail[] = new Array(count);
  const { progress } = task;
  Atomics.store(progress, Progress.thread, threadId);
  for (let i = 0; i < count; i++) {
    // Start times first, then the index: the watchdog reads the index before and after them,
    // so it never pairs this email with the previous email's start.
    Atomics.store(progress, Progress.startedMs, Math.floor(sharedClockMs() - task.clockBaseMs));
    Atomics.store(progress, Progress.startedCpuUs, threadCpuMicros());
    Atomics.store(progress, Progress.email, i);
    let cut: CutFields = NOTHING_CUT;
    try {
      const decoded = decodeLimitedEvent(unpackEvent(task, i));
      cut = decoded.cut;
      let event: EmailEventFields = decoded.event;
      if (needsParsing(event)) event = await mergeRawMessage(event);
      const extracted = extractFeatures(event);
      features[i] = extracted;
      details[i] = {
        indicators: extracted.indicators,
        explanations: explain(extracted),
        // Cut here to what a row holds: the rest of a long subject need not cross to the main thread.
        summary: { subject: truncateChars(event.subject ?? '', SUBJECT_MAX_CHARS), fromAddress: event.from?.address ?? '', mailFrom: event.envelope?.mailFrom ?? '' },
        cut,
      };
    } catch (err) {
      features[i] = null;
      details[i] = unscoredDetail(ScoringFailureCode.unparseable, (err as Error).message, cut);
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

/**
 * The features with the largest |weight × value| among those that made the score: the context
 * and the window the model's max picked. Strongest first.
 */
function explain(features: EmailFeatures): Explanation[] {
  const { indices, values, parts } = features;
  const window = bestWindow(partScores(weights, indices, values, parts));
  // Positions of the strongest contributions so far, kept sorted; objects only for the winners.
  const best: number[] = [];
  const strength = (k: number) => Math.abs(weights[indices[k]!]! * values[k]!);
  const consider = (k: number) => {
    if (best.length === EXPLANATIONS_PER_EMAIL && strength(k) <= strength(best[best.length - 1]!)) return;
    let at = best.length;
    while (at > 0 && strength(best[at - 1]!) < strength(k)) at--;
    best.splice(at, 0, k);
    if (best.length > EXPLANATIONS_PER_EMAIL) best.pop();
  };
  for (let k = 0; k < parts[0]!; k++) consider(k);
  for (let k = parts[window - 1]!; k < parts[window]!; k++) consider(k);
  return best.map((k) => ({
    feature: explanationName(features.nameAt(k)),
    contribution: Math.round(weights[indices[k]!]! * values[k]! * 1e4) / 1e4,
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
  let partCount = 0;
  for (const f of features) {
    // An email that failed has no features: an empty context and one empty window stand in.
    partCount += f === null ? 2 : f.parts.length;
    if (f !== null) active += f.indices.length;
  }
  // Flat, unpadded input: every part's buckets one after the other, with the part each belongs to.
  const indices = new Int32Array(active);
  const values = new Float32Array(active);
  const partOf = new Int32Array(active);
  const contextParts = new Int32Array(features.length);
  const windowParts = new Int32Array(partCount - features.length);
  const windowRows = new Int32Array(partCount - features.length);
  let at = 0;
  let part = 0;
  let window = 0;
  features.forEach((f, row) => {
    contextParts[row] = part;
    const ends = f?.parts ?? EMPTY_PARTS;
    if (f !== null) {
      indices.set(f.indices, at);
      values.set(f.values, at);
    }
    let from = 0;
    for (let p = 0; p < ends.length; p++, part++) {
      partOf.fill(part, at + from, at + ends[p]!);
      from = ends[p]!;
      if (p > 0) {
        windowParts[window] = part;
        windowRows[window++] = row;
      }
    }
    at += from;
  });
  const output = await session.run({
    [MODEL_INPUTS.indices]: new ort.Tensor('int32', indices, [active]),
    [MODEL_INPUTS.values]: new ort.Tensor('float32', values, [active]),
    [MODEL_INPUTS.parts]: new ort.Tensor('int32', partOf, [active]),
    [MODEL_INPUTS.partCount]: new ort.Tensor('int64', BigInt64Array.of(BigInt(partCount)), [1]),
    [MODEL_INPUTS.contextParts]: new ort.Tensor('int32', contextParts, [features.length]),
    [MODEL_INPUTS.windowParts]: new ort.Tensor('int32', windowParts, [windowParts.length]),
    [MODEL_INPUTS.windowRows]: new ort.Tensor('int32', windowRows, [windowRows.length]),
    [MODEL_INPUTS.count]: new ort.Tensor('int64', BigInt64Array.of(BigInt(features.length)), [1]),
  });
  const probabilities = Float32Array.from(output[MODEL_OUTPUTS.probability]!.data as Float32Array);
  features.forEach((f, row) => {
    if (f === null) probabilities[row] = Number.NaN;
  });
  return probabilities;
}
const EMPTY_PARTS = Int32Array.of(0, 0);

// Warm-up before the pool hands this worker real mail: the first email a fresh thread scores
// pays for compiling the per-email path and for the parsers' lazy set-up (measured here: 7-15 ms
// of CPU for a small structured email, 20-40 ms for a raw one, against under 2 ms warm), and
// would be charged to that email's CPU limit (SCORER_EMAIL_CPU_LIMIT_MS). A replacement worker
// starts right after a worker was stopped, i.e. while hostile mail is around; it should not
// start handicapped.
const WARM_UP = [
  { tenantId: 'warm-up', messageId: 'warm-up', receivedAtMs: 1, subject: 'warm up', from: { name: 'Warm', address: 'warm@up.example' }, textBody: 'warm up https://up.example/a', htmlBody: '<p>warm <a href="https://up.example/b">up</a></p>' },
  { tenantId: 'warm-up', messageId: 'warm-up', receivedAtMs: 1, rawMessage: Buffer.from('From: Warm <warm@up.example>\r\nTo: a@up.example\r\nSubject: warm up\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nwarm up https://up.example/c =C3=A9\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>warm <a href=3D"https://up.example/d">up</a></p>\r\n--b--\r\n') },
].map((event) => EmailEventCodec.encode(event).finish());
await scoreBatch({ ...packEvents(WARM_UP), progress: new Int32Array(Progress.slots), clockBaseMs: sharedClockMs() });
