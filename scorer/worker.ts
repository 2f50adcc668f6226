// A piscina worker: loads the ONNX model once per thread, then scores packed batches.
import { workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { EmailEventCodec, type EmailEventFields } from '../schemas/contracts.ts';
import { unpackEvent } from './batch_codec.ts';
import { extractFeatures, type EmailFeatures } from './features.ts';
import { eventFromRawMessage } from './mime.ts';
import { MODEL_FILE, readModelCard } from './model_card.ts';
import { MODEL_INPUTS, MODEL_OUTPUTS } from './onnx_model.ts';
import type { EmailDetail, ScoreTask, ScoreTaskResult, WorkerOptions } from './worker_contract.ts';

const options = workerData as WorkerOptions;
const card = await readModelCard(options.modelDirectory);
// One intra-op thread per session: the pool runs one worker per core, so more would oversubscribe.
const session = await ort.InferenceSession.create(join(options.modelDirectory, MODEL_FILE), {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});

export default async function scoreBatch(task: ScoreTask): Promise<ScoreTaskResult> {
  const count = task.offsets.length - 1;
  const featureStart = performance.now();
  const features: Array<EmailFeatures | null> = new Array(count);
  const details: EmailDetail[] = new Array(count);
  for (let i = 0; i < count; i++) {
    try {
      let event: EmailEventFields = EmailEventCodec.decode(unpackEvent(task, i));
      let parsed: EmailDetail['parsed'];
      if (needsParsing(event)) {
        event = await mergeRawMessage(event);
        parsed = { subject: event.subject ?? '', fromAddress: event.from?.address ?? '', mailFrom: event.envelope?.mailFrom ?? '' };
      }
      const extracted = extractFeatures(event);
      features[i] = extracted;
      details[i] = parsed === undefined ? { indicators: extracted.indicators } : { indicators: extracted.indicators, parsed };
    } catch (err) {
      features[i] = null;
      details[i] = { indicators: { domains: [], urls: [], ips: [], attachmentHashes: [] }, error: (err as Error).message };
    }
  }
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
  const count = features.length;
  let width = 1;
  for (const f of features) if (f !== null && f.indices.length > width) width = f.indices.length;
  const indices = new BigInt64Array(count * width);
  const values = new Float32Array(count * width);
  features.forEach((f, row) => {
    if (f === null) return;
    const base = row * width;
    for (let k = 0; k < f.indices.length; k++) {
      indices[base + k] = BigInt(f.indices[k]!);
      values[base + k] = f.values[k]!;
    }
  });
  const output = await session.run({
    [MODEL_INPUTS.indices]: new ort.Tensor('int64', indices, [count, width]),
    [MODEL_INPUTS.values]: new ort.Tensor('float32', values, [count, width]),
  });
  const probabilities = Float32Array.from(output[MODEL_OUTPUTS.probability]!.data as Float32Array);
  features.forEach((f, row) => {
    if (f === null) probabilities[row] = Number.NaN;
  });
  return probabilities;
}
