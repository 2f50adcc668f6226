// The `mailscore` command line: start the pipeline, produce events, train the model, and the
// operator chores around them.
import { Command, InvalidArgumentError } from 'commander';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { SingleBar, Presets } from 'cli-progress';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createKafka, createPipeline, createPostgresPool, type Pipeline } from './pipeline.ts';
import { startHttpServer } from './http.ts';
import { startLagExporter } from './lag_exporter.ts';
import { describeFatal, loggerOptions, redisConnectionOptions } from './security.ts';
import { createDependencyHealth, Dependency, waitForDependency } from './dependencies.ts';
import { createDependencyMetrics } from './metrics.ts';
import { StoppingError } from './retry.ts';
import { ensureTopics, publishLimits, sendLimitProblems, TopicLimitError } from './topics.ts';
import { corpusSources, produceEvents, readMailSources } from './produce.ts';
import { printSummary } from './summary.ts';
import { parseOffsets, parseTime, runReplay, type ReplayRange } from './replay.ts';
import { formatLine, formatShow, isRedriven, readDeadLetters, redrive, redrivenLetters, RedriveOutcome, type LetterFilter } from './dlq.ts';
import { createPolicyStore, createThreatIntel, DEFAULT_POLICY, DEFAULT_TRAIN_OPTIONS, isVerdict, train, VERDICTS } from '../scorer/index.ts';
import type { Verdict } from '../schemas/contracts.ts';
import { createPostgresSink, createSinkMetrics, WriteMode } from '../sinks/index.ts';

const program = new Command('mailscore').description('Email-scoring stream pipeline: Kafka in, ONNX scoring, PostgreSQL and alerts out.');

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
};

const verdictList = (value: string): Verdict[] => {
  const names = value.split(',').map((v) => v.trim().toLowerCase()).filter((v) => v !== '' && v !== 'none');
  const unknown = names.filter((v) => !isVerdict(v));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown verdict ${unknown.join(', ')}: expected some of ${VERDICTS.join(', ')}, or none`);
  return [...new Set(names.filter(isVerdict))];
};

function rootLogger(config: Config, destination: 1 | 2): Logger {
  return pino(loggerOptions(config), pino.destination(destination));
}

program
  .command('start')
  .description('run the pipeline until SIGTERM or SIGINT')
  .action(async () => {
    const config = loadConfig();
    const logger = rootLogger(config, 1);
    const registry = new Registry();
    // Node's process metrics under their standard names (process_*, nodejs_*), so stock Node.js dashboards work.
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
    const health = createDependencyHealth(logger, createDependencyMetrics(registry));
    const startup = new AbortController();
    let pipeline: Pipeline | undefined;
    // Alive until the consumer has stopped for good or the process is exiting on a failure: a
    // supervisor restarts a process whose /healthz fails.
    let failed = false;
    // Up before any dependency is needed: while start-up waits for one, /healthz says the
    // process is alive and /readyz that it is not ready.
    const server = await startHttpServer({
      ...config.http,
      registry,
      isReady: () => pipeline?.isReady() ?? false,
      isAlive: () => !failed && (pipeline?.isAlive() ?? true),
    });
    let exitCode: number | undefined;
    const shutdown = (reason: string, code: number) => {
      if (code !== 0) failed = true;
      if (exitCode !== undefined) {
        exitCode = Math.max(exitCode, code);
        return;
      }
      exitCode = code;
      logger.info({ reason }, 'stopping: finishing in-flight work, committing, leaving the group');
      const deadline = setTimeout(() => {
        logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'graceful stop took too long; exiting');
        logger.flush();
        process.exit(1);
      }, config.shutdownTimeoutMs);
      deadline.unref();
      startup.abort();
      (pipeline?.stop() ?? Promise.resolve())
        .then(() => new Promise((resolve) => server.close(resolve)))
        .then(() => { logger.info({ exitCode }, 'stopped'); logger.flush(); process.exit(exitCode); })
        .catch((err: unknown) => { logger.error({ err }, 'error while stopping'); logger.flush(); process.exit(1); });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM', 0));
    process.once('SIGINT', () => shutdown('SIGINT', 0));
    try {
      const kafka = createKafka(config, logger);
      await waitForDependency(Dependency.kafka, 'creating the topics', { logger, health, signal: startup.signal }, () => ensureTopics(kafka, config));
      const limits = await waitForDependency(Dependency.kafka, 'reading the topics\' max.message.bytes', { logger, health, signal: startup.signal }, () => publishLimits(kafka, config));
      const problems = sendLimitProblems(config.kafka.maxSendBytes, limits);
      if (problems.length > 0) throw new TopicLimitError(problems.join('; '));
      pipeline = await createPipeline(config, logger, registry, { signal: startup.signal, health });
      // A consumer that stopped for good is a dead process: stop cleanly, exit non-zero.
      pipeline.onStopped((err) => shutdown(`consumer stopped: ${err.message}`, 1));
      if (exitCode !== undefined) return void shutdown('stopping during start-up', 0);
      logger.info({ port: (server.address() as { port?: number } | null)?.port, topic: config.topics.input, group: config.ingest.groupId }, 'pipeline starting');
      await pipeline.start();
    } catch (err) {
      if (err instanceof StoppingError && exitCode !== undefined) return;
      logger.fatal({ err }, 'pipeline failed to start');
      shutdown('startup-failure', 1);
    }
  });

program
  .command('lag-exporter')
  .description('serve consumer-group lag read from the broker (records and seconds) on LAG_EXPORTER_PORT until SIGTERM or SIGINT')
  .action(async () => {
    const config = loadConfig();
    const logger = rootLogger(config, 1).child({ component: 'lag-exporter' });
    const settings = config.lagExporter;
    const exporter = await startLagExporter({ settings, kafka: createKafka(config, logger), logger });
    logger.info({ port: exporter.port, groups: settings.groups, topics: settings.topics, pollIntervalMs: settings.pollIntervalMs }, 'lag exporter serving /metrics');
    const stop = (signal: string) => {
      logger.info({ signal }, 'lag exporter stopping');
      // Nothing to drain: a stop that hangs (a broker that does not answer) is cut short.
      setTimeout(() => process.exit(0), config.shutdownTimeoutMs).unref();
      exporter.stop().then(
        () => { logger.flush(); process.exit(0); },
        (err: unknown) => { logger.error({ err }, 'error while stopping'); logger.flush(); process.exit(1); },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });

program
  .command('produce')
  .description('publish .eml files, mbox files or the SpamAssassin corpus as EmailEvents')
  .argument('[paths...]', '.eml files, mbox files or directories of them')
  .option('--corpus', 'use the SpamAssassin public corpus')
  .option('-n, --count <n>', 'events to send (messages are cycled with fresh ids)', positiveInt)
  .option('-r, --rate <eps>', 'events per second, 0 for as fast as possible', positiveInt, 0)
  .option('--tenants <n>', 'spread events over this many tenants', positiveInt, 4)
  .option('--raw', 'send only raw_message, as an MTA without a MIME parser would')
  .option('--compression <codec>', 'none, gzip, snappy or lz4', 'none')
  .option('--topic <name>', 'defaults to INPUT_TOPIC')
  .option('--registry <url>', 'register email.v1.EmailEvent with this Confluent-compatible schema registry and send Confluent-framed events (e.g. http://127.0.0.1:8081/apis/ccompat/v7)')
  .action(async (paths: string[], opts: { corpus?: boolean; count?: number; rate: number; tenants: number; raw?: boolean; compression: string; topic?: string; registry?: string }) => {
    const config = loadConfig();
    const logger = rootLogger(config, 2);
    if (!['none', 'gzip', 'snappy', 'lz4'].includes(opts.compression)) throw new InvalidArgumentError('--compression must be none, gzip, snappy or lz4');
    if (opts.registry !== undefined && !(/^https?:\/\//.test(opts.registry) && URL.canParse(opts.registry))) throw new InvalidArgumentError('--registry must be an http:// or https:// URL');
    const sources = opts.corpus ? await corpusSources() : await readMailSources(paths);
    const count = opts.count ?? sources.length;
    const kafka = createKafka(config, logger);
    await ensureTopics(kafka, config);
    const bar = new SingleBar({ format: 'produce [{bar}] {value}/{total} events | {eta_formatted} left', etaBuffer: 50 }, Presets.shades_classic);
    const showBar = process.stderr.isTTY && count >= 1000;
    if (showBar) bar.start(count, 0);
    const result = await produceEvents(kafka, sources, {
      topic: opts.topic ?? config.topics.input,
      count,
      rate: opts.rate,
      tenants: Math.max(1, opts.tenants),
      raw: opts.raw ?? false,
      runId: randomUUID().slice(0, 8),
      compression: opts.compression as 'none',
      batchSize: opts.rate > 0 ? Math.max(1, Math.min(500, Math.ceil(opts.rate / 20))) : 500,
      ...(opts.registry === undefined ? {} : { registryUrl: opts.registry }),
      onProgress: (sent) => showBar && bar.update(sent),
    });
    if (showBar) bar.stop();
    const framing = result.schemaId === null ? '' : `, Confluent-framed with schema id ${result.schemaId}`;
    console.log(`sent ${result.sent} events to ${opts.topic ?? config.topics.input}${framing} in ${result.seconds.toFixed(1)} s (${Math.round(result.sent / Math.max(result.seconds, 0.001))}/s)`);
  });

program
  .command('replay')
  .description('run a time or offset range of the input topic through the pipeline again, as its own consumer group; stops at the end of the range, resumes after a kill when run again')
  .argument('[mode]', 'fill: store only what is missing; rescore: score with --model and replace scores of another model version (kept in email_scores_previous)', 'fill')
  .option('--from <time>', 'start of a time range (record timestamps, ISO 8601, e.g. 2026-11-01T00:00Z)')
  .option('--to <time>', 'end of the time range, exclusive (default: the end of the topic when the replay first starts)')
  .option('--offsets <ranges>', 'partition:start-end,… instead of a time range (end exclusive)')
  .option('--model <dir>', 'model directory to score with (required for rescore; default MODEL_DIR)')
  .option('-r, --rate <eps>', 'events per second at most, 0 for as fast as possible', positiveInt, 0)
  .option('--alerts', 'publish alerts for replayed mail (off by default)')
  .option('--group <id>', 'consumer group of the replay (default: CONSUMER_GROUP-replay-<hash of topic, range, mode and rescoring model>)')
  .option('--topic <name>', 'defaults to INPUT_TOPIC')
  .action(async (mode: string, opts: { from?: string; to?: string; offsets?: string; model?: string; rate: number; alerts?: boolean; group?: string; topic?: string }) => {
    if (mode !== WriteMode.fill && mode !== WriteMode.rescore) throw new InvalidArgumentError(`mode must be fill or rescore, got "${mode}"`);
    if ((opts.offsets === undefined) === (opts.from === undefined)) throw new InvalidArgumentError('give either --from [--to] or --offsets');
    if (opts.offsets !== undefined && opts.to !== undefined) throw new InvalidArgumentError('--to goes with --from, not with --offsets');
    if (mode === WriteMode.rescore && opts.model === undefined) throw new InvalidArgumentError('rescore needs --model DIR');
    const range: ReplayRange = opts.offsets !== undefined
      ? parseOffsets(opts.offsets)
      : { kind: 'time', fromMs: parseTime(opts.from!, '--from'), toMs: opts.to === undefined ? null : parseTime(opts.to, '--to') };
    const config = loadConfig();
    // Logs on stderr, the summary on stdout; a bar on a TTY instead of progress lines.
    const logger = rootLogger(config, 2);
    const stop = new AbortController();
    process.once('SIGTERM', () => stop.abort());
    process.once('SIGINT', () => stop.abort());
    const bar = new SingleBar({ format: 'replay [{bar}] {value}/{total} events | {speed}/s | ETA {eta_formatted}', etaBuffer: 20, stream: process.stderr }, Presets.shades_classic);
    const tty = process.stderr.isTTY;
    let barStarted = false;
    let lastLine = 0;
    const summary = await runReplay(config, logger, new Registry(), {
      range,
      mode,
      modelDirectory: opts.model,
      rate: opts.rate,
      alerts: opts.alerts ?? false,
      groupId: opts.group,
      topic: opts.topic,
      signal: stop.signal,
      onProgress: ({ done, total, rate }) => {
        if (tty) {
          if (!barStarted) bar.start(total, done, { speed: 0 });
          barStarted = true;
          bar.update(done, { speed: Math.round(rate) });
          return;
        }
        if (Date.now() - lastLine < 10_000 && done < total) return;
        lastLine = Date.now();
        logger.info({ done, total, rate: Math.round(rate), etaSeconds: rate > 0 ? Math.round((total - done) / rate) : null }, 'replay progress');
      },
    }).finally(() => { if (barStarted) bar.stop(); });
    console.log(JSON.stringify({ ...summary, partitions: summary.partitions.map((p) => `${p.partition}:${p.start}-${p.end}`) }));
  });

program
  .command('train')
  .description('train the model on the SpamAssassin corpus and write model.onnx and its model card')
  .option('--out <dir>', 'output directory', fileURLToPath(new URL('../models/current', import.meta.url)))
  .option('--seed <n>', 'shuffle seed', positiveInt, DEFAULT_TRAIN_OPTIONS.seed)
  .option('--epochs <n>', 'passes over the training split', positiveInt, DEFAULT_TRAIN_OPTIONS.epochs)
  .action(async (opts: { out: string; seed: number; epochs: number }) => {
    const card = await train({ ...DEFAULT_TRAIN_OPTIONS, outputDirectory: opts.out, seed: opts.seed, epochs: opts.epochs, log: (m) => console.error(m) });
    console.log(JSON.stringify({ version: card.version, heldOut: card.heldOut }, null, 2));
  });

program
  .command('migrate')
  .description('create or update the PostgreSQL tables and partitions')
  .action(async () => {
    const config = loadConfig();
    const pool = createPostgresPool(config);
    try {
      const sink = createPostgresSink(pool, config.postgres, createSinkMetrics(new Registry()));
      await sink.migrate(config.postgres.schema);
      console.log(JSON.stringify(await sink.maintainPartitions()));
    } finally {
      await pool.end();
    }
  });

program
  .command('topics')
  .description('create the input, alert and dead-letter topics if missing')
  .action(async () => {
    const config = loadConfig();
    const created = await ensureTopics(createKafka(config, rootLogger(config, 2)), config);
    console.log(created.length > 0 ? `created ${created.join(', ')}` : 'all topics exist');
  });

program
  .command('intel')
  .description('load threat intelligence into Redis')
  .argument('<file>', 'lines of "<domain|url|ip|sha256> <value>"')
  .action(async (file: string) => {
    const config = loadConfig();
    const redis = new Redis(config.redis.url, redisConnectionOptions(config.redis));
    try {
      console.log(`loaded ${await createThreatIntel(redis, config.redis.keyPrefix).loadFile(file)} indicators`);
    } finally {
      redis.disconnect();
    }
  });

program
  .command('policy')
  .description("set a tenant's policy; running pipelines pick it up at once")
  .argument('<tenant>')
  .option('--suspicious-at <score>', 'risk score from which mail is suspicious, and malicious with a phishing signal', positiveInt, DEFAULT_POLICY.suspiciousAt)
  .option('--spam-at <score>', 'risk score from which mail without a phishing signal is spam', positiveInt, DEFAULT_POLICY.spamAt)
  .option('--alert-verdicts <verdicts>', `comma-separated verdicts that publish an alert, of ${VERDICTS.join(', ')}; none for no alerts`, verdictList, DEFAULT_POLICY.alertVerdicts)
  .option('--allow <senders>', 'comma-separated addresses or domains to trust', '')
  .option('--block <senders>', 'comma-separated addresses or domains to block', '')
  .action(async (tenantId: string, opts: { suspiciousAt: number; spamAt: number; alertVerdicts: readonly Verdict[]; allow: string; block: string }) => {
    const config = loadConfig();
    const pool = createPostgresPool(config);
    const redis = new Redis(config.redis.url, redisConnectionOptions(config.redis));
    const subscriber = new Redis(config.redis.url, redisConnectionOptions(config.redis));
    try {
      const store = await createPolicyStore({ pool, redis, subscriber, channel: config.policy.channel, cacheTtlMs: 0 });
      const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
      await store.put({
        tenantId, suspiciousAt: opts.suspiciousAt, spamAt: opts.spamAt, alertVerdicts: opts.alertVerdicts, allowSenders: list(opts.allow), blockSenders: list(opts.block),
      });
      await store.close();
      console.log(`policy of ${tenantId} saved`);
    } finally {
      redis.disconnect();
      subscriber.disconnect();
      await pool.end();
    }
  });

program
  .command('summary')
  .description('what landed in PostgreSQL and on the alert and dead-letter topics')
  .action(async () => {
    const config = loadConfig();
    await printSummary(config, rootLogger(config, 2));
  });

interface DlqOptions { code?: string; stage?: string; sourcePartition?: string; since?: number; until?: number; at?: { partition: number; offset: string }; limit: number }

const timeArg = (value: string): number => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidArgumentError('expected a time such as 2026-11-27T10:00Z');
  return ms;
};
const letterArg = (value: string): { partition: number; offset: string } => {
  const match = /^(\d{1,9})@(\d{1,19})$/.exec(value);
  if (match === null) throw new InvalidArgumentError('expected <partition>@<offset> on the dead-letter topic, as `dlq list` prints it');
  return { partition: Number(match[1]), offset: match[2]! };
};
const list = (value: string | undefined): string[] | undefined => value?.split(',').map((x) => x.trim()).filter(Boolean);

function letterFilter(opts: DlqOptions): LetterFilter {
  const partitions = list(opts.sourcePartition)?.map((p) => {
    if (!/^\d{1,9}$/.test(p)) throw new InvalidArgumentError('--source-partition takes partition numbers, comma-separated');
    return Number(p);
  });
  return { codes: list(opts.code), stages: list(opts.stage), sourcePartitions: partitions, sinceMs: opts.since, untilMs: opts.until };
}

function dlqCommand(name: string, description: string, defaultLimit: number): Command {
  return new Command(name)
    .description(description)
    .option('--code <codes>', 'error codes, comma-separated (NOT_PROTOBUF,MISSING_FIELD,...)')
    .option('--stage <stages>', 'ingest, scorer or sink, comma-separated')
    .option('--source-partition <partitions>', 'partitions of the input topic the records came from, comma-separated')
    .option('--since <time>', 'letters written at or after this time (ISO 8601)', timeArg)
    .option('--until <time>', 'letters written before this time (ISO 8601)', timeArg)
    .option('--at <partition@offset>', 'exactly this letter of the dead-letter topic', letterArg)
    .option('--limit <n>', 'at most this many letters', positiveInt, defaultLimit);
}

/** The letters `dlq list` and `dlq show` print, each with whether it was redriven, and a summary line. */
async function readForDisplay(opts: DlqOptions) {
  const config = loadConfig();
  const kafka = createKafka(config, rootLogger(config, 2));
  const topic = config.topics.deadLetter;
  const read = await readDeadLetters(kafka, topic, { filter: letterFilter(opts), limit: opts.limit, at: opts.at });
  const redriven = await redrivenLetters(kafka, topic, 60_000);
  return {
    topic,
    letters: read.letters.map((letter) => ({ letter, redriven: isRedriven(redriven, letter) })),
    summary: `${read.letters.length} matching of ${read.scanned} letters read on ${topic}${read.limited ? ` (stopped at --limit ${opts.limit})` : ''}`,
  };
}

const dlq = program.command('dlq').description('list, inspect and redrive dead letters (reads without joining or moving any group in use)');

dlq.addCommand(dlqCommand('list', 'one line per letter: partition@offset, time, code, stage, source, attempts, reason', 100)
  .action(async (opts: DlqOptions) => {
    const { letters, summary } = await readForDisplay(opts);
    for (const { letter, redriven } of letters) console.log(formatLine(letter, redriven));
    console.error(summary);
  }));

dlq.addCommand(dlqCommand('show', 'each letter with its reason and original record: key, headers, the event when it decodes', 10)
  .action(async (opts: DlqOptions) => {
    const { topic, letters, summary } = await readForDisplay(opts);
    console.log(letters.map(({ letter, redriven }) => formatShow(topic, letter, redriven)).join('\n\n'));
    console.error(summary);
  }));

dlq.addCommand(dlqCommand('redrive', 'send letters back to the input topic with their original key, value and headers', 100)
  .option('--max-attempts <n>', 'refuse letters that already failed this many times', positiveInt, 3)
  .option('--dry-run', 'say what would be sent, send nothing')
  .action(async (opts: DlqOptions & { maxAttempts: number; dryRun?: boolean }) => {
    const config = loadConfig();
    const kafka = createKafka(config, rootLogger(config, 2));
    const report = await redrive(kafka, {
      deadLetterTopic: config.topics.deadLetter, inputTopic: config.topics.input, filter: letterFilter(opts), limit: opts.limit, at: opts.at,
      maxAttempts: Math.max(1, opts.maxAttempts), dryRun: opts.dryRun ?? false, maxSendBytes: config.kafka.maxSendBytes,
    });
    for (const { letter, outcome } of report.letters) console.log(`${outcome}  ${formatLine(letter)}`);
    const count = (outcome: RedriveOutcome) => report.letters.filter((l) => l.outcome === outcome).length;
    console.error([
      opts.dryRun === true ? `would send ${count(RedriveOutcome.wouldSend)}` : `sent ${count(RedriveOutcome.sent)} to ${config.topics.input}`,
      `refused ${count(RedriveOutcome.maxAttempts)} at --max-attempts ${opts.maxAttempts}`,
      `refused ${count(RedriveOutcome.truncated)} truncated`,
      `skipped ${report.alreadyRedriven} already redriven`,
      ...(report.limited ? [`stopped at --limit ${opts.limit}`] : []),
    ].join(', '));
  }));

program.parseAsync().catch((err: unknown) => {
  // Only message and stack: libraries hang URLs and command arguments (passwords) on their errors.
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(describeFatal(err));
  process.exit(1);
});
