// requires-services: a model replaced under a running pipeline, and a candidate in shadow mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { corpusEvents, countRows, publish, readTopic, startTestPipeline, waitFor, type TestEnvironment } from './testing.ts';
import { decodeLinearModel, encodeLinearModel } from '../scorer/onnx_model.ts';
import { MODEL_CARD_FILE, MODEL_FILE, type ModelCard } from '../scorer/model_card.ts';
import { isVerdict } from '../scorer/index.ts';

const TRAINED = fileURLToPath(new URL('../models/current', import.meta.url));

async function copyOfTrainedModel(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mailscore-model-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(TRAINED, dir, { recursive: true });
  return dir;
}

/** Writes a different, valid model into `dir` the way training does: model file first, card last. */
async function writeCandidate(dir: string, scale: number): Promise<string> {
  const card = JSON.parse(await readFile(join(TRAINED, MODEL_CARD_FILE), 'utf8')) as ModelCard;
  const model = decodeLinearModel(await readFile(join(TRAINED, MODEL_FILE)));
  const version = `${card.version}-x${scale}`;
  const bytes = encodeLinearModel({ weights: model.weights.map((w) => w * scale), bias: model.bias * scale, metadata: { ...model.metadata, version } });
  await writeFile(join(dir, `${MODEL_FILE}.tmp`), bytes);
  await rename(join(dir, `${MODEL_FILE}.tmp`), join(dir, MODEL_FILE));
  const next = { ...card, version, modelSha256: createHash('sha256').update(bytes).digest('hex') };
  await writeFile(join(dir, `${MODEL_CARD_FILE}.tmp`), JSON.stringify(next));
  await rename(join(dir, `${MODEL_CARD_FILE}.tmp`), join(dir, MODEL_CARD_FILE));
  return version;
}

const versionsById = async (env: TestEnvironment) =>
  new Map((await env.pool.query<{ message_id: string; model_version: string }>(`SELECT message_id, model_version FROM ${env.id}.email_scores`)).rows.map((r) => [r.message_id, r.model_version]));

test('a new model file is hot-reloaded: events before it keep the old version, events after it get the new one, none lost or doubled', async (t) => {
  const modelDir = await copyOfTrainedModel(t);
  const { env, pipeline } = await startTestPipeline(t, { MODEL_DIR: modelDir, MODEL_RELOAD_INTERVAL_MS: '200' });
  const oldVersion = pipeline.scorer.modelVersions().current;

  const before = await corpusEvents(400, { runId: `${randomUUID().slice(0, 8)}-before` });
  await publish(env.kafka, env.config.topics.input, before);
  await waitFor('the first events', () => countRows(env.pool, env.id), (n) => n >= before.length);

  const newVersion = await writeCandidate(modelDir, 0.5);
  await waitFor('the reload', async () => pipeline.scorer.modelVersions().current, (v) => v === newVersion, 20_000);
  const after = await corpusEvents(400, { runId: `${randomUUID().slice(0, 8)}-after`, start: 400 });
  await publish(env.kafka, env.config.topics.input, after);
  await waitFor('the later events', () => countRows(env.pool, env.id), (n) => n >= before.length + after.length);

  const versions = await versionsById(env);
  assert.equal(versions.size, before.length + after.length);
  for (const e of before) assert.equal(versions.get(e.messageId!), oldVersion);
  for (const e of after) assert.equal(versions.get(e.messageId!), newVersion);
});

test('a half-written model is not loaded; the pipeline keeps scoring with the model it has', async (t) => {
  const modelDir = await copyOfTrainedModel(t);
  const registry = new Registry();
  const { env, pipeline } = await startTestPipeline(t, { MODEL_DIR: modelDir, MODEL_RELOAD_INTERVAL_MS: '200' }, registry);
  const version = pipeline.scorer.modelVersions().current;
  // A card naming a new version whose model file never arrived.
  const card = JSON.parse(await readFile(join(modelDir, MODEL_CARD_FILE), 'utf8')) as ModelCard;
  await writeFile(join(modelDir, MODEL_CARD_FILE), JSON.stringify({ ...card, version: 'not-there-yet' }));
  await pipeline.scorer.reloadModels();
  assert.equal(pipeline.scorer.modelVersions().current, version);
  const failures = (await registry.getSingleMetric('mailscore_scorer_model_reload_failures_total')!.get()).values.find((v) => v.labels.role === 'current');
  assert.ok((failures?.value ?? 0) >= 1, 'the failed reload is counted');
  const events = await corpusEvents(50, { runId: randomUUID().slice(0, 8) });
  await publish(env.kafka, env.config.topics.input, events);
  await waitFor('scoring to go on', () => countRows(env.pool, env.id), (n) => n >= events.length);
  assert.deepEqual(new Set((await versionsById(env)).values()), new Set([version]));
});

test('shadow mode records a candidate model beside the current one and never alerts on it', async (t) => {
  const shadowDir = await copyOfTrainedModel(t);
  const shadowVersion = await writeCandidate(shadowDir, 3);
  const { env, pipeline } = await startTestPipeline(t, { SHADOW_MODEL_DIR: shadowDir });
  assert.deepEqual(pipeline.scorer.modelVersions().shadow, shadowVersion);

  const events = await corpusEvents(150, { runId: randomUUID().slice(0, 8) });
  await publish(env.kafka, env.config.topics.input, events);
  await waitFor('every event', () => countRows(env.pool, env.id), (n) => n >= events.length);
  const { rows } = await env.pool.query<{ model_version: string; model_probability: number; shadow_model_version: string; shadow_probability: number; shadow_verdict: string; alerted: boolean; risk_score: number; shadow_risk_score: number }>(
    `SELECT model_version, model_probability, shadow_model_version, shadow_probability, shadow_verdict, alerted, risk_score, shadow_risk_score FROM ${env.id}.email_scores`,
  );
  assert.equal(rows.length, events.length);
  for (const row of rows) {
    assert.equal(row.shadow_model_version, shadowVersion);
    assert.notEqual(row.model_version, shadowVersion);
    assert.ok(isVerdict(row.shadow_verdict), row.shadow_verdict);
    assert.ok(row.shadow_probability >= 0 && row.shadow_probability <= 1);
  }
  // Weights tripled: the candidate is more certain both ways, so some probabilities differ.
  assert.ok(rows.some((r) => Math.abs(r.shadow_probability - r.model_probability) > 0.01));
  // Alerts follow the current model only.
  const alerted = rows.filter((r) => r.alerted).length;
  assert.equal((await readTopic(env.kafka, env.config.topics.alerts, alerted)).length, alerted);
});
