// Training is reproducible: the same corpus, seed and options give the same model bytes.
// Compares a fresh training run with models/current (which `make model` trained the same way).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TRAIN_OPTIONS, train } from './train.ts';
import { MODEL_CARD_FILE, MODEL_FILE } from '../model_card.ts';

const SHIPPED = process.env.MODEL_DIR ?? fileURLToPath(new URL('../../models/current', import.meta.url));

test('training twice gives the same model bytes and the same card', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'mailscore-train-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  const card = await train({ ...DEFAULT_TRAIN_OPTIONS, outputDirectory: out, log: () => undefined });
  assert.ok((await readFile(join(out, MODEL_FILE))).equals(await readFile(join(SHIPPED, MODEL_FILE))), 'model.onnx differs from models/current');
  assert.deepEqual(JSON.parse(await readFile(join(SHIPPED, MODEL_CARD_FILE), 'utf8')), card);
  assert.ok(card.heldOut.f1 >= 0.985 && card.heldOut.falsePositiveRate <= 0.005, `held-out F1 ${card.heldOut.f1}, FPR ${card.heldOut.falsePositiveRate}`);
});
