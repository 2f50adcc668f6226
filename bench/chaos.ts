// `make chaos`: outages survived, with figures. On services of its own (a throwaway PostgreSQL
// cluster, redis-server and Kafka broker on free ports, removed at the end, so the machine's
// shared ones are never disturbed), while events are produced at a steady rate and a pipeline
// process (bin/mailscore start, as operators run it) drains them: PostgreSQL is stopped for 20 s,
// Redis for 10 s, the broker is restarted, and the pipeline is killed with SIGKILL at seeded
// random moments and restarted at once. After each disruption: every event produced so far is in
// email_scores exactly once, and the seconds from the service's return (or the restart) to the
// first new row. Writes bench/results/chaos.md and chaos.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig } from '../app/config.ts';
import { createKafka } from '../app/pipeline.ts';
import { ensureTopics } from '../app/topics.ts';
import { corpusSources, eventTemplates, instantiate } from '../app/produce.ts';
import { freePort, privateKafka, privatePostgres, privateRedis, type PrivateService } from '../app/private_services.ts';
import { EmailEventCodec } from '../schemas/contracts.ts';
import { chunkByBytes, recordBytes } from '../schemas/kafka_batches.ts';
import { median, round } from './stats.ts';
import { knob } from './knob.ts';
import { createRandom } from '../scorer/random.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAILSCORE = join(ROOT, 'bin', 'mailscore');
const RESULTS = join(ROOT, 'bench', 'results');
/** Events produced per second for the whole run (tens of thousands in all). */
const RATE = knob('CHAOS_RATE', 200);
const KILLS = knob('CHAOS_KILLS', 10);
const SEED = knob('CHAOS_SEED', 7);
const PG_DOWN_S = knob('CHAOS_PG_DOWN_S', 20);
const REDIS_DOWN_S = knob('CHAOS_REDIS_DOWN_S', 10);
/** How long to wait for every event produced so far to be stored after a disruption. */
const CATCH_UP_S = knob('CHAOS_CATCH_UP_S', 180);

const say = (message: string) => process.stderr.write(`chaos: ${message}\n`);
const runId = `chaos${Date.now().toString(36)}`;

interface Disruption {
  disruption: string;
  /** Seconds the service was away (or 0 for a kill). */
  duration_s: number;
  /** Seconds from the service's return, or the restart, to the first new row. */
  recovery_s: number | null;
  produced_before: number;
  rows_lost: number;
  duplicates: number;
  pipeline_exits: string[];
}

async function main() {
  const random = createRandom(SEED);
  say(`run ${runId}: starting a throwaway PostgreSQL, Redis and Kafka broker`);
  const services: PrivateService[] = [];
  let pipeline: { child: ChildProcess; port: number } | undefined;
  /** Set when the harness ends the pipeline itself: an exit after it is expected. */
  let stopping = false;
  try {
    const [postgres, redis, kafkaBroker] = await Promise.all([privatePostgres(), privateRedis(), privateKafka()]);
    services.push(postgres, redis, kafkaBroker);
    say(`PostgreSQL on ${postgres.port}, Redis on ${redis.port}, Kafka on ${kafkaBroker.port}`);
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      KAFKA_BROKERS: kafkaBroker.url, DATABASE_URL: postgres.url, REDIS_URL: redis.url,
      INPUT_TOPIC: `${runId}.events`, ALERT_TOPIC: `${runId}.alerts`, DLQ_TOPIC: `${runId}.events.dlq`, CONSUMER_GROUP: `${runId}-scorer`,
      PG_SCHEMA: 'public', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1',
    };
    const config = loadConfig(env);
    const kafka = createKafka(config, pino({ level: 'silent' }));
    await ensureTopics(kafka, config);
    const db = new pg.Pool({ connectionString: postgres.url, max: 2 });
    db.on('error', () => undefined);
    await mkdir(join(RESULTS, 'runs'), { recursive: true });
    const logPath = join(RESULTS, 'runs', `${runId}.log`);
    const logFile = createWriteStream(logPath);
    const exits: string[] = [];
    /** Exits the harness did not cause: each one is a defect, reported and failing the run. */
    const unexpectedExits: string[] = [];
    let killing = false;
    const logTail = async () => (await readFile(logPath, 'utf8').catch(() => '')).split('\n').slice(-40).join('\n');

    const startPipeline = async () => {
      const port = await freePort();
      const child = spawn(MAILSCORE, ['start'], { env: { ...env, HTTP_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.pipe(logFile, { end: false });
      child.stderr!.pipe(logFile, { end: false });
      child.once('exit', (code, signal) => {
        const how = signal ?? String(code);
        exits.push(how);
        if (killing || stopping) return;
        // Restarted at once, as a supervisor would, so that the figures stay about recovery.
        unexpectedExits.push(how);
        say(`  the pipeline exited on its own (${how}); restarting it. The end of its log:\n${'-'.repeat(40)}`);
        void logTail().then((tail) => say(`${tail}\n${'-'.repeat(40)}`));
        void startPipeline();
      });
      pipeline = { child, port };
      return pipeline;
    };
    const killPipeline = async () => {
      const { child } = pipeline!;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      killing = true;
      child.kill('SIGKILL');
      await exited;
      killing = false;
    };

    // The producer: RATE events a second for the whole run, each batch sent until the broker takes it.
    const sources = await corpusSources();
    const templates = await eventTemplates(sources);
    const ids: string[] = [];
    let producing = true;
    const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
    await producer.connect();
    const produced = (async () => {
      const started = Date.now();
      let n = 0;
      while (producing) {
        const due = Math.floor(((Date.now() - started) / 1000) * RATE);
        const now = Date.now();
        const batch = [];
        for (; n < due; n++) {
          const fields = instantiate(templates, sources, n, { runId, tenants: 4, raw: false }, now);
          batch.push({ id: fields.messageId!, message: { key: fields.tenantId ?? null, value: Buffer.from(EmailEventCodec.encode(fields).finish()) } });
        }
        for (const chunk of chunkByBytes(batch, (b) => recordBytes(b.message))) {
          for (;;) {
            try {
              await producer.send({ topic: config.topics.input, acks: -1, messages: chunk.map((b) => b.message) });
              break;
            } catch {
              // The broker is being restarted: the same events again (the sink drops repeats).
              await sleep(500);
            }
          }
          ids.push(...chunk.map((b) => b.id));
        }
        await sleep(100);
      }
    })();

    const count = async (sql: string, params: unknown[] = []): Promise<number | null> =>
      db.query<{ n: string | null }>(sql, params).then((r) => (r.rows[0]!.n === null ? null : Number(r.rows[0]!.n)), () => null);
    const storedOf = (wanted: string[]) => count('SELECT count(*) AS n FROM email_scores WHERE message_id = ANY($1)', [wanted]);
    const duplicates = async () => (await count('SELECT count(*) - count(DISTINCT (tenant_id, message_id)) AS n FROM email_scores')) ?? -1;
    /** Seconds from `sinceMs` to the first row stored after it (waiting for it). */
    const firstRowAfter = async (sinceMs: number): Promise<number | null> => {
      const deadline = Date.now() + CATCH_UP_S * 1000;
      while (Date.now() < deadline) {
        const at = await count('SELECT (extract(epoch FROM min(stored_at)) * 1000)::bigint AS n FROM email_scores WHERE stored_at > to_timestamp($1 / 1000.0)', [sinceMs]);
        if (at !== null) return round((at - sinceMs) / 1000, 2);
        await sleep(100);
      }
      return null;
    };
    /** Waits for every event produced before now to be stored; how many are missing at the end. */
    const allStored = async (): Promise<{ before: number; lost: number }> => {
      const wanted = ids.slice();
      const deadline = Date.now() + CATCH_UP_S * 1000;
      let stored = 0;
      while (Date.now() < deadline) {
        stored = (await storedOf(wanted)) ?? stored;
        if (stored >= wanted.length) break;
        await sleep(500);
      }
      return { before: wanted.length, lost: wanted.length - stored };
    };
    const results: Disruption[] = [];
    const record = async (disruption: string, durationS: number, backAtMs: number) => {
      const exitsBefore = exits.length;
      const recovery = await firstRowAfter(backAtMs);
      const { before, lost } = await allStored();
      const entry: Disruption = {
        disruption, duration_s: round(durationS, 1), recovery_s: recovery, produced_before: before, rows_lost: lost,
        duplicates: await duplicates(), pipeline_exits: exits.slice(exitsBefore),
      };
      results.push(entry);
      say(`  ${disruption}: back to scoring in ${recovery ?? '—'} s; ${before} produced so far, ${lost} missing, ${entry.duplicates} duplicates`);
    };
    const down = async (what: string, service: PrivateService, seconds: number) => {
      say(`${what}: stopped for ${seconds} s`);
      const stoppedAt = Date.now();
      await service.stop();
      await sleep(Math.max(0, seconds * 1000 - (Date.now() - stoppedAt)));
      await service.start();
      const back = Date.now();
      await record(what, (back - stoppedAt) / 1000, back);
    };

    say(`producing ${RATE} events/s; starting the pipeline`);
    const startedAt = Date.now();
    await startPipeline();
    await firstRowAfter(startedAt);
    await sleep(5_000);

    await down('PostgreSQL stopped', postgres, PG_DOWN_S);
    await sleep(3_000);
    await down('Redis stopped', redis, REDIS_DOWN_S);
    await sleep(3_000);
    await down('Kafka broker restarted', kafkaBroker, 0);

    const killRecoveries: number[] = [];
    for (let kill = 1; kill <= KILLS; kill++) {
      await sleep(2_000 + random() * 8_000);
      say(`kill -9 #${kill}`);
      await killPipeline();
      await startPipeline();
      const restartedAt = Date.now();
      await record(`kill -9 #${kill}`, 0, restartedAt);
      const last = results.at(-1)!.recovery_s;
      if (last !== null) killRecoveries.push(last);
    }

    producing = false;
    await produced;
    await producer.disconnect();
    say('production stopped; waiting for the last events');
    const final = await allStored();
    const finalDuplicates = await duplicates();
    const deadLetters = await (async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return (await admin.fetchTopicOffsets(config.topics.deadLetter)).reduce((n, o) => n + Number(o.high), 0);
      } finally {
        await admin.disconnect();
      }
    })();
    stopping = true;
    const stopCode = await new Promise<number | null>((resolve) => {
      pipeline!.child.once('exit', (code) => resolve(code));
      pipeline!.child.kill('SIGTERM');
    });
    await db.end();

    const sorted = [...killRecoveries].sort((a, b) => a - b);
    const summary = {
      run: runId, seed: SEED, rate_per_second: RATE, events: final.before, rows_lost: final.lost, duplicates: finalDuplicates, dead_letters: deadLetters,
      kills: KILLS, kills_survived_clean: results.filter((r) => r.disruption.startsWith('kill') && r.rows_lost === 0 && r.duplicates === 0).length,
      kill_recovery_s: sorted.length === 0 ? null : { median: round(median(sorted), 2), min: sorted[0], max: sorted.at(-1) },
      final_stop_exit_code: stopCode, unexpected_exits: unexpectedExits,
      session_timeout_ms: config.ingest.sessionTimeoutMs, heartbeat_interval_ms: config.ingest.heartbeatIntervalMs,
      seconds: round((Date.now() - startedAt) / 1000, 1),
      disruptions: results,
    };
    await writeFile(join(RESULTS, 'chaos.json'), `${JSON.stringify(summary, null, 2)}\n`);
    await writeFile(join(RESULTS, 'chaos.md'), report(summary));
    say(`${final.before} events, ${final.lost} lost, ${finalDuplicates} duplicates; report in bench/results/chaos.md`);
    if (unexpectedExits.length > 0) say(`the pipeline exited on its own ${unexpectedExits.length} time(s) (${unexpectedExits.join(', ')}): see ${logPath}`);
    if (final.lost !== 0 || finalDuplicates !== 0 || results.some((r) => r.rows_lost !== 0 || r.duplicates !== 0) || unexpectedExits.length > 0) {
      process.exitCode = 1;
    }
  } finally {
    stopping = true;
    pipeline?.child.kill('SIGKILL');
    await Promise.all(services.map((s) => s.remove().catch((err: unknown) => say(`cleanup: ${(err as Error).message}`))));
  }
}

function report(s: {
  run: string; seed: number; rate_per_second: number; events: number; rows_lost: number; duplicates: number; dead_letters: number; kills: number;
  kills_survived_clean: number; kill_recovery_s: { median: number; min: number | undefined; max: number | undefined } | null; final_stop_exit_code: number | null;
  unexpected_exits: string[];
  session_timeout_ms: number; heartbeat_interval_ms: number; seconds: number; disruptions: Disruption[];
}): string {
  const rows = s.disruptions.map((d) =>
    `| ${d.disruption} | ${d.duration_s} | ${d.recovery_s ?? 'no new row'} | ${d.rows_lost} | ${d.duplicates} | ${d.pipeline_exits.join(', ') || '—'} |`);
  const k = s.kill_recovery_s;
  return `# Chaos run (\`make chaos\`)

Run \`${s.run}\` (seed ${s.seed}), ${s.seconds} s on throwaway PostgreSQL, Redis and Kafka started and removed by
\`bench/chaos.ts\`. Events were produced at ${s.rate_per_second}/s throughout while one pipeline process
(\`bin/mailscore start\`, default settings: session timeout ${s.session_timeout_ms} ms, heartbeat every
${s.heartbeat_interval_ms} ms) drained them. Recovery is the time from the service's return (or the
restart after \`kill -9\`) to the first row stored after it. After each disruption every event produced
so far was awaited in \`email_scores\`; "rows lost" counts those still missing after ${CATCH_UP_S} s.

| disruption | duration (s) | recovery (s) | rows lost | duplicates | pipeline exits during it |
|---|---|---|---|---|---|
${rows.join('\n')}

- Events produced: **${s.events}**; missing at the end: **${s.rows_lost}**; duplicate rows: **${s.duplicates}**; dead letters: ${s.dead_letters}.
- \`kill -9\` survived with nothing lost or duplicated: **${s.kills_survived_clean} of ${s.kills}**; restart to scoring again:
  ${k === null ? 'n/a' : `median **${k.median} s** (min ${k.min} s, max ${k.max} s)`}.
- Exits the harness did not cause (each a defect; the pipeline was restarted at once, as a supervisor would): ${s.unexpected_exits.length === 0 ? 'none' : s.unexpected_exits.join(', ')}.
- Final SIGTERM exit code: ${s.final_stop_exit_code}.
`;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
