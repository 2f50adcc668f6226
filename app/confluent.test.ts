// requires-services: real Kafka, PostgreSQL and Redis, and a schema registry of its own
// (Apicurio, ops/local/registry.sh, on free ports; removed after).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusEvents, corpusTemplates, countRows, publish, quietLogger, readTopic, startTestPipeline, waitFor, type TestEnvironment } from './testing.ts';
import { createPipeline } from './pipeline.ts';
import { Registry } from 'prom-client';
import { privateRegistry, type PrivateRegistry } from './private_services.ts';
import { registerEmailEvent } from './produce.ts';
import { failureKind } from './retry.ts';
import { Dependency } from './dependencies.ts';
import { createSchemaResolver, DeadLetterHeader, encodeFrame, SchemaRegistryUnavailableError, SchemaVerdictCode } from '../ingest/index.ts';
import { EmailEventCodec, type EmailEventFields } from '../schemas/contracts.ts';
import { emailEventProto } from '../schemas/email_event_proto.ts';
import { FailureKind } from '../sinks/index.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const run = promisify(execFile);

let registry: PrivateRegistry;
before(async () => {
  registry = await privateRegistry();
});
after(() => registry?.remove());

const protobufBytes = (event: EmailEventFields) => EmailEventCodec.encode(event).finish();

async function deadLetterCount(env: TestEnvironment): Promise<number> {
  const admin = env.kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(env.config.topics.deadLetter)).reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function storedIds(env: TestEnvironment): Promise<string[]> {
  const { rows } = await env.pool.query<{ message_id: string }>(`SELECT message_id FROM ${env.id}.email_scores`);
  return rows.map((r) => r.message_id).sort();
}

test('framed (`produce --registry`) and plain events in one topic are both scored and stored; bad frames are dead-lettered with their codes', async (t) => {
  const metrics = new Registry();
  const { env } = await startTestPipeline(t, { SCHEMA_REGISTRY_URL: registry.url, SCHEMA_REGISTRY_TIMEOUT_MS: '2000' }, metrics);
  const topic = env.config.topics.input;
  // Framed events the way an operator sends them: the CLI registers the schema and frames. A few
  // corpus messages as .eml files, cycled with fresh ids (loading the whole corpus is slow).
  const mails = await mkdtemp(join(tmpdir(), 'mailscore-eml-'));
  t.after(() => rm(mails, { recursive: true, force: true }));
  const { sources } = await corpusTemplates();
  for (const [i, source] of sources.slice(0, 8).entries()) await writeFile(join(mails, `${i}.eml`), source.raw);
  const { stdout } = await run(process.execPath, [MAIN, 'produce', mails, '-n', '25', '--topic', topic, '--registry', registry.url], {
    env: { ...env.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
  });
  const schemaId = Number(/Confluent-framed with schema id (\d+)/.exec(stdout)?.[1]);
  assert.ok(schemaId >= 0, stdout);
  // Registering again gives the same id (the subject is <topic>-value).
  assert.equal(await registerEmailEvent(registry.url, topic), schemaId);

  const runId = randomUUID().slice(0, 8);
  const plain = await corpusEvents(25, { runId, start: 300 });
  const foreignId = (await new SchemaRegistry({ host: registry.url }).register(
    { type: SchemaType.PROTOBUF, schema: 'syntax = "proto3"; package other.v1; message Order { string id = 1; }' },
    { subject: `${env.id}-other-value` },
  )).id;
  const payload = protobufBytes({ tenantId: 'acme', messageId: `<${runId}.bad@x>`, receivedAtMs: Date.now(), subject: 'hi' });
  const bad: Array<[Buffer, string]> = [
    [encodeFrame(987_654, [0], payload), SchemaVerdictCode.unknownSchemaId],
    [encodeFrame(foreignId, [0], payload), SchemaVerdictCode.wrongSchema],
    // Our schema, but the frame points at its second message (Envelope).
    [encodeFrame(schemaId, [1], payload), SchemaVerdictCode.wrongSchema],
    [Buffer.from([0, 0, 0]), 'BAD_FRAME'],
  ];
  await publish(env.kafka, topic, [...plain.slice(0, 10), ...bad.map(([bytes]) => bytes), ...plain.slice(10)]);

  await waitFor('50 rows', () => countRows(env.pool, env.id), (n) => n >= 50);
  const input = await readTopic(env.kafka, topic, 54);
  const framed = input.filter((m) => m.value![0] === 0);
  assert.equal(framed.length, 25 + bad.length, 'the CLI framed every event');
  const ids = await storedIds(env);
  assert.equal(ids.length, 50, 'one row per good event, framed or plain');
  for (const event of plain) assert.ok(ids.includes(event.messageId!), `plain event ${event.messageId} stored`);
  assert.equal(ids.filter((id) => !id.startsWith(`<${runId}.`)).length, 25, 'all 25 framed events stored');

  const letters = await readTopic(env.kafka, env.config.topics.deadLetter, bad.length);
  assert.equal(letters.length, bad.length);
  const series = async (name: string) => (await metrics.getMetricsAsJSON()).find((m) => m.name === name)?.values ?? [];
  // The broken frame is not counted: it never got past parseFrame.
  assert.equal((await series('mailscore_ingest_confluent_framed_events_total'))[0]?.value, 25 + bad.length - 1);
  const lookups = Object.fromEntries((await series('mailscore_ingest_schema_lookups_total')).map((v) => [v.labels.outcome, v.value]));
  // Our id is asked for once per process and chunk-cached after; the foreign id and the wrong index once each.
  assert.equal(lookups.unknown, 1);
  assert.equal(lookups.wrong, 2);
  assert.ok((lookups.ours ?? 0) >= 1);
  for (const [bytes, code] of bad) {
    const letter = letters.find((m) => m.value!.equals(bytes));
    assert.ok(letter !== undefined, `the original framed record is in the dead-letter topic (${code})`);
    assert.equal(letter.headers![DeadLetterHeader.errorCode]!.toString(), code);
    assert.ok(letter.headers![DeadLetterHeader.errorReason]!.toString().length > 0);
  }
});

test('with no registry configured, framed events are dead-lettered as SCHEMA_REGISTRY_NOT_CONFIGURED and plain ones still flow', async (t) => {
  const { env } = await startTestPipeline(t);
  const runId = randomUUID().slice(0, 8);
  const [plain, framed] = [await corpusEvents(5, { runId }), await corpusEvents(3, { runId: `${runId}-f`, start: 100 })];
  await publish(env.kafka, env.config.topics.input, [...plain, ...framed.map((e) => encodeFrame(1, [0], protobufBytes(e)))]);
  await waitFor('5 rows', () => countRows(env.pool, env.id), (n) => n >= 5);
  const letters = await readTopic(env.kafka, env.config.topics.deadLetter, 3);
  assert.deepEqual(letters.map((m) => m.headers![DeadLetterHeader.errorCode]!.toString()), Array(3).fill(SchemaVerdictCode.registryNotConfigured));
  assert.match(letters[0]!.headers![DeadLetterHeader.errorReason]!.toString(), /SCHEMA_REGISTRY_URL/);
  assert.deepEqual(await storedIds(env), plain.map((e) => e.messageId!).sort());
});

test('registry unreachable while framed events arrive: nothing is dead-lettered, they are stored once it answers again', async (t) => {
  const { env, pipeline } = await startTestPipeline(t, {
    SCHEMA_REGISTRY_URL: registry.url, SCHEMA_REGISTRY_TIMEOUT_MS: '500', OUTAGE_RETRY_MAX_DELAY_MS: '250',
  });
  // A subject of its own gives an id this pipeline has never resolved; a fresh schema text gives a fresh id.
  const client = new SchemaRegistry({ host: registry.url });
  const text = `${emailEventProto()}\n// ${env.id}\n`;
  const { id } = await client.register({ type: SchemaType.PROTOBUF, schema: text }, { subject: `${env.id}-value` });
  const runId = randomUUID().slice(0, 8);
  const events = await corpusEvents(20, { runId });
  await registry.freeze();
  t.after(() => registry.thaw());
  await publish(env.kafka, env.config.topics.input, events.map((e) => encodeFrame(id, [0], protobufBytes(e))));

  await waitFor('the registry outage to be noticed', async () => pipeline.health.unavailable(), (down) => down.includes(Dependency.registry), 30_000);
  // Several timeouts and retries long: still nothing stored, nothing dead-lettered.
  await sleep(4_000);
  assert.equal(await countRows(env.pool, env.id), 0);
  assert.equal(await deadLetterCount(env), 0);
  assert.equal(pipeline.isReady(), false, 'not ready while a dependency is down');

  await registry.thaw();
  await waitFor('every framed event stored', () => countRows(env.pool, env.id), (n) => n >= 20);
  assert.deepEqual(await storedIds(env), events.map((e) => e.messageId!).sort());
  assert.equal(await deadLetterCount(env), 0);
  await waitFor('the registry outage to end', async () => pipeline.health.unavailable(), (down) => !down.includes(Dependency.registry), 10_000);
});

test('the resolver: negative answers cached briefly and within a bounded cache; an unreachable registry is an outage', async () => {
  const resolver = createSchemaResolver({ url: registry.url, cacheSize: 3, negativeTtlMs: 400, requestTimeoutMs: 2_000 });
  const id = await registerEmailEvent(registry.url, `resolver-${randomUUID()}`);
  assert.deepEqual(await resolver.resolve(id, [0]), { ok: true });
  assert.deepEqual(await resolver.resolve(id, [0]), { ok: true });
  assert.equal(resolver.stats().ours, 1, 'a known id is asked for once');
  const unknown = await resolver.resolve(900_001, [0]);
  assert.equal(!unknown.ok && unknown.code, SchemaVerdictCode.unknownSchemaId);
  await resolver.resolve(900_001, [0]);
  assert.equal(resolver.stats().unknown, 1, 'an unknown id is remembered for a while');
  await sleep(500);
  await resolver.resolve(900_001, [0]);
  assert.equal(resolver.stats().unknown, 2, 'and asked for again after SCHEMA_REGISTRY_NEGATIVE_TTL_MS');
  // A flood of distinct ids keeps at most cacheSize verdicts: the oldest (our id) is asked for again.
  for (let n = 0; n < 5; n++) await resolver.resolve(900_100 + n, [0]);
  await resolver.resolve(id, [0]);
  assert.equal(resolver.stats().ours, 2);

  const closed = createSchemaResolver({ url: 'http://127.0.0.1:1/apis/ccompat/v7', cacheSize: 3, negativeTtlMs: 400, requestTimeoutMs: 2_000 });
  const err = await closed.resolve(id, [0]).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof SchemaRegistryUnavailableError, String(err));
  assert.equal(failureKind(err), FailureKind.outage);
});

test('a pipeline stopped while it waits for the registry commits nothing; the next one stores every framed event once', async (t) => {
  const overrides = { SCHEMA_REGISTRY_URL: registry.url, SCHEMA_REGISTRY_TIMEOUT_MS: '500', OUTAGE_RETRY_MAX_DELAY_MS: '250' };
  const { env, pipeline } = await startTestPipeline(t, overrides);
  const client = new SchemaRegistry({ host: registry.url });
  const { id } = await client.register({ type: SchemaType.PROTOBUF, schema: `${emailEventProto()}\n// ${env.id}\n` }, { subject: `${env.id}-value` });
  const events = await corpusEvents(12, { runId: randomUUID().slice(0, 8) });
  await registry.freeze();
  t.after(() => registry.thaw());
  await publish(env.kafka, env.config.topics.input, events.map((e) => encodeFrame(id, [0], protobufBytes(e))));
  await waitFor('the registry outage to be noticed', async () => pipeline.health.unavailable(), (down) => down.includes(Dependency.registry), 30_000);

  const stopping = Date.now();
  await pipeline.stop();
  assert.ok(Date.now() - stopping < 15_000, 'the wait for the registry ends with the stop');
  const admin = env.kafka.admin();
  await admin.connect();
  const committed = await admin.fetchOffsets({ groupId: env.config.ingest.groupId, topics: [env.config.topics.input] });
  await admin.disconnect();
  assert.ok(committed[0]!.partitions.every((p) => Number(p.offset) <= 0), `nothing committed: ${JSON.stringify(committed)}`);
  assert.equal(await countRows(env.pool, env.id), 0);
  assert.equal(await deadLetterCount(env), 0);

  await registry.thaw();
  const next = await createPipeline(env.config, quietLogger, new Registry());
  t.after(() => next.stop());
  await next.start();
  await waitFor('every framed event stored', () => countRows(env.pool, env.id), (n) => n >= events.length);
  await sleep(1_000);
  assert.deepEqual(await storedIds(env), events.map((e) => e.messageId!).sort());
  assert.equal(await deadLetterCount(env), 0);
});
