// The trained model as served: the model card's held-out metrics are reproduced by scoring the
// held-out split through the real worker pool and ONNX Runtime, and the ONNX graph agrees with
// the trainer's own arithmetic. Needs `make model` (models/current), no services.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { EmailEventCodec } from '../schemas/contracts.ts';
import { createScoringPool } from './pool.ts';
import { eventFromRawMessage } from './mime.ts';
import { loadModel, MODEL_FILE, readModelCard } from './model_card.ts';
import { decodeLinearModel, predictParts } from './onnx_model.ts';
import { extractFeatures } from './features.ts';
import { isHeldOut, loadCorpus } from './train/corpus.ts';
import { binaryMetrics } from './train/metrics.ts';

const MODEL_DIR = process.env.MODEL_DIR ?? fileURLToPath(new URL('../models/current', import.meta.url));

test('the held-out split is the fixed md5 rule', async () => {
  // md5 prefixes computed with coreutils md5sum: d724…, 3dd5…; and one that is held out.
  assert.equal(isHeldOut('spam-2/00004.bdcc075fa4beb5157b5dd6cd41d8887b.txt'), false);
  assert.equal(isHeldOut('easy-ham-1/00001.7c53336b37003a9286aba55d2945844c.txt'), false);
  const corpus = await loadCorpus();
  const heldOut = corpus.filter((m) => m.heldOut);
  assert.ok(heldOut.length > 0);
  for (const m of heldOut) assert.match(createHash('md5').update(m.key).digest('hex'), /^[012]/);
  // About 3/16 of the corpus.
  assert.ok(Math.abs(heldOut.length / corpus.length - 3 / 16) < 0.02);
});

test("the model card's held-out metrics are reproduced through the worker pool, and ONNX matches the trainer", async () => {
  const card = await readModelCard(MODEL_DIR);
  const linear = decodeLinearModel(await readFile(join(MODEL_DIR, MODEL_FILE)));
  assert.equal(linear.metadata.version, card.version);
  const heldOut = (await loadCorpus()).filter((m) => m.heldOut);
  assert.equal(heldOut.length, card.heldOut.count);

  const events = await Promise.all(heldOut.map((m) => eventFromRawMessage(m.raw, { tenantId: 'eval', fallbackMessageId: m.key, fallbackReceivedAtMs: Date.UTC(2002, 0, 1) })));
  const pool = createScoringPool({ model: await loadModel(MODEL_DIR), threads: 2, maxQueue: 4 });
  try {
    const probabilities: number[] = [];
    for (let i = 0; i < events.length; i += 200) {
      const result = await pool.run(events.slice(i, i + 200).map((e) => EmailEventCodec.encode(e).finish()));
      assert.ok(result.details.every((d) => d.error === undefined));
      probabilities.push(...result.probabilities);
    }
    const metrics = binaryMetrics(heldOut.map((m) => m.spam), probabilities.map((p) => p >= card.decisionThreshold));
    assert.deepEqual(metrics, card.heldOut);
    assert.ok(card.heldOut.f1 >= 0.95, `held-out F1 ${card.heldOut.f1} is below the 0.95 floor`);

    let worst = 0;
    events.forEach((event, i) => {
      const features = extractFeatures(event);
      worst = Math.max(worst, Math.abs(predictParts(linear, features.indices, features.values, features.parts) - probabilities[i]!));
    });
    assert.ok(worst <= 1e-5, `ONNX and trainer differ by up to ${worst}`);
  } finally {
    await pool.close();
  }
});
