// requires-services: secured connections (Kafka SASL_SSL and mTLS, PostgreSQL verify-full, Redis
// over TLS) against the local services' secured listeners, and secrets kept out of every output.
// The listeners come from ops/local/services.sh (certificates by ops/local/tls.sh); another
// state directory or set of ports is passed as the scripts take them: MAILSCORE_STATE_DIR,
// KAFKA_PORT, KAFKA_SASL_SSL_PORT, KAFKA_SSL_PORT, REDIS_TLS_PORT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Writable } from 'node:stream';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createKafka, createPipeline, createPostgresPool } from './pipeline.ts';
import { freePort } from './private_services.ts';
import { describeFatal, kafkaSecurity, loggerOptions, redisConnectionOptions, secretScrubber, secretsOf } from './security.ts';
import { corpusEvents, countRows, createTestEnvironment, publish, quietLogger, readTopic, waitFor, type TestEnvironment } from './testing.ts';
import { createThreatIntel } from '../scorer/index.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const STATE = process.env.MAILSCORE_STATE_DIR ?? fileURLToPath(new URL('../.local', import.meta.url));
const TLS = join(STATE, 'tls');
const CA = join(TLS, 'ca.crt');
const UNTRUSTED_CA = join(TLS, 'untrusted-ca.crt');
const KAFKA_PORT = Number(process.env.KAFKA_PORT ?? 9092);
const SASL_SSL = `127.0.0.1:${process.env.KAFKA_SASL_SSL_PORT ?? KAFKA_PORT + 2}`;
const MTLS = `127.0.0.1:${process.env.KAFKA_SSL_PORT ?? KAFKA_PORT + 3}`;
const REDIS_TLS_URL = `rediss://127.0.0.1:${process.env.REDIS_TLS_PORT ?? 6380}`;
const KAFKA_PASSWORD = (() => {
  try {
    return readFileSync(join(TLS, 'kafka.password'), 'utf8').trim();
  } catch {
    throw new Error(`no ${join(TLS, 'kafka.password')}: run ops/local/services.sh up (it makes the certificates and the secured listeners)`);
  }
})();

const kafkaSasl = (password = KAFKA_PASSWORD) => ({
  KAFKA_BROKERS: SASL_SSL, KAFKA_SSL_CA_FILE: CA,
  KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'mailscore', KAFKA_SASL_PASSWORD: password,
});
const kafkaMtls = () => ({
  KAFKA_BROKERS: MTLS, KAFKA_SSL_CA_FILE: CA, KAFKA_SSL_CERT_FILE: join(TLS, 'client.crt'), KAFKA_SSL_KEY_FILE: join(TLS, 'client.key'),
});
/** The test environment's database URL, over TLS checked against `ca`, with a name to find its connections by. */
const postgresTls = (env: Pick<TestEnvironment, 'config'>, options: { ca?: string; host?: string; password?: string; applicationName?: string } = {}) => {
  const url = new URL(env.config.postgres.url);
  if (options.host) url.hostname = options.host;
  if (options.password) url.password = options.password;
  url.searchParams.set('sslmode', 'verify-full');
  url.searchParams.set('sslrootcert', options.ca ?? CA);
  if (options.applicationName) url.searchParams.set('application_name', options.applicationName);
  return { DATABASE_URL: url.toString() };
};
const redisTls = () => ({ REDIS_URL: REDIS_TLS_URL, REDIS_TLS_CA_FILE: CA, REDIS_PASSWORD_FILE: join(TLS, 'redis.password') });

/** Kafka refusals must be quick: no retries, no logs. */
const strictKafka = (config: Config) => new kafkajs.Kafka({
  clientId: 'security-test', brokers: [...config.kafka.brokers], ...kafkaSecurity(config.kafka),
  retry: { retries: 0 }, connectionTimeout: 5_000, logLevel: kafkajs.logLevel.NOTHING,
});

/** A TLS Redis client of the test's own, which removes the test's keys afterwards. */
async function tlsRedis(t: { after: (fn: () => Promise<unknown>) => void }, config: Config): Promise<Redis> {
  const redis = new Redis(config.redis.url, redisConnectionOptions(config.redis));
  t.after(async () => {
    const keys = await redis.keys(`${config.redis.keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });
  return redis;
}

/**
 * Runs the pipeline on secured connections while the test itself watches through the plain
 * ones (its environment: topics, schema, cleanup). Events in; rows, verdicts and alerts out.
 */
async function securedRun(t: { after: (fn: () => Promise<unknown>) => void }, secured: (env: TestEnvironment) => Record<string, string>) {
  const env = await createTestEnvironment();
  t.after(() => env.cleanup());
  const config = loadConfig({ ...env.env, ...secured(env) });
  const redis = await tlsRedis(t, config);
  // Threat intel read over the TLS Redis decides one verdict: proof the lookups went there.
  await createThreatIntel(redis, config.redis.keyPrefix).add([{ kind: 'domain', value: 'phish.example' }]);
  const pipeline = await createPipeline(config, quietLogger, new Registry());
  t.after(() => pipeline.stop());
  await pipeline.start();

  const events = await corpusEvents(150, { runId: randomUUID().slice(0, 8) });
  const phish = {
    tenantId: 'intel', messageId: `<phish-${env.id}@x>`, receivedAtMs: Date.now(), subject: 'Quarterly report',
    from: { name: 'Ann', address: 'ann@colleague.example' }, textBody: 'Please reset your password.', urls: ['https://login.phish.example/reset'],
  };
  const kafka = createKafka(config, quietLogger);
  await publish(kafka, config.topics.input, [...events, phish]);
  await waitFor('every event to be scored', () => countRows(env.pool, env.id), (n) => n >= events.length + 1, 90_000);
  const { rows } = await env.pool.query<{ message_id: string; verdict: string }>(`SELECT message_id, verdict FROM ${env.id}.email_scores`);
  assert.deepEqual(rows.map((r) => r.message_id).sort(), [...events.map((e) => e.messageId), phish.messageId].sort());
  assert.equal(rows.find((r) => r.message_id === phish.messageId)!.verdict, 'malicious', 'the intel hit was read over TLS');
  const alerts = await readTopic(kafka, config.topics.alerts, 1, 30_000);
  assert.ok(alerts.length >= 1, 'alerts published over the secured listener');
  return { env, config, pipeline };
}

test('configuration: TLS and SASL settings are checked together, secrets come from files, nothing secret is echoed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailscore-secrets-'));
  writeFileSync(join(dir, 'kafka'), 's3cret-from-file\n');
  const fromFile = loadConfig({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: join(dir, 'kafka') });
  assert.deepEqual(fromFile.kafka.sasl, { mechanism: 'scram-sha-512', username: 'u', password: 's3cret-from-file' });
  assert.deepEqual(fromFile.kafka.ssl, { caFile: null, certFile: null, keyFile: null }, 'SASL turns TLS on by default');
  assert.equal(loadConfig({}).kafka.ssl, null);
  assert.equal(loadConfig({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_SSL: 'false' }).kafka.ssl, null);
  assert.deepEqual(loadConfig({ REDIS_URL: 'rediss://h:6380', REDIS_TLS_CA_FILE: CA }).redis.tls, { caFile: CA });
  // node-postgres would let the URL's empty password win over a separate option: it goes into the URL.
  writeFileSync(join(dir, 'db'), 'p@ss:w/rd\n');
  const withDbPassword = loadConfig({ DATABASE_URL: 'postgres://app@db:5432/x?sslmode=verify-full', DATABASE_PASSWORD_FILE: join(dir, 'db'), REDIS_PASSWORD: 'r#1' });
  assert.equal(createPostgresPool(withDbPassword).options.connectionString, 'postgres://app:p%40ss%3Aw%2Frd@db:5432/x?sslmode=verify-full');
  assert.equal(new URL(withDbPassword.redis.url).password, 'r%231');
  assert.deepEqual(secretsOf(withDbPassword).sort(), ['p%40ss%3Aw%2Frd', 'p@ss:w/rd'].sort());

  const secret = 'pa#ss/word';
  assert.throws(() => loadConfig({
    KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SSL_CERT_FILE: CA, KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem',
    KAFKA_SASL_PASSWORD: secret, KAFKA_SASL_PASSWORD_FILE: join(dir, 'kafka'),
    DATABASE_URL: `postgres://user:${secret}@db:5432/x`, REDIS_URL: 'redis://h', REDIS_TLS_CA_FILE: CA,
  }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512/);
    assert.match(err.message, /KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together/);
    assert.match(err.message, /KAFKA_SSL_CA_FILE names a file that cannot be read: "\/nonexistent\/ca.pem"/);
    assert.match(err.message, /set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both/);
    assert.match(err.message, /DATABASE_URL is not a valid URL/);
    assert.match(err.message, /REDIS_TLS_CA_FILE needs a rediss:\/\/ REDIS_URL/);
    assert.ok(!err.message.includes('pa#ss'), err.message);
    return true;
  });
  assert.throws(() => loadConfig({ KAFKA_SASL_MECHANISM: 'plain' }), /needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/);

  const config = loadConfig({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'kafka"pw\\1',
    DATABASE_URL: 'postgres://u:p%40ss-word@db/x', REDIS_URL: 'redis://:redis-pw@h:6379' });
  assert.deepEqual(secretsOf(config).sort(), ['kafka"pw\\1', 'p%40ss-word', 'p@ss-word', 'redis-pw'].sort());
  const scrub = secretScrubber(secretsOf(config));
  assert.equal(scrub(JSON.stringify({ msg: 'auth kafka"pw\\1 p@ss-word redis-pw' })), JSON.stringify({ msg: 'auth [redacted] [redacted] [redacted]' }));
});

test('Kafka over SASL_SSL with SCRAM-SHA-512, PostgreSQL verify-full and Redis over TLS: events in, rows and alerts out', async (t) => {
  const applicationName = `sec-${randomUUID().slice(0, 8)}`;
  const { env } = await securedRun(t, (e) => ({ ...kafkaSasl(), ...postgresTls(e, { applicationName }), ...redisTls() }));
  const { rows } = await env.pool.query<{ ssl: boolean }>(
    'SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = $1', [applicationName]);
  assert.ok(rows.length > 0 && rows.every((r) => r.ssl), `the pipeline's PostgreSQL connections are TLS: ${JSON.stringify(rows)}`);
});

test('Kafka over mTLS (a client certificate the broker requires): events in, rows and alerts out', async (t) => {
  await securedRun(t, () => kafkaMtls());
});

test('Kafka takes each SASL mechanism and refuses a wrong SCRAM password, a missing client certificate and a server checked against the wrong CA, each with a clear error', async () => {
  const wrong = `wrong-${randomBytes(6).toString('hex')}`;
  const bad = strictKafka(loadConfig(kafkaSasl(wrong))).admin();
  await assert.rejects(bad.connect(), (err: Error) => {
    assert.equal(err.name, 'KafkaJSSASLAuthenticationError');
    assert.match(err.message, /SASL SCRAM SHA512 authentication failed/);
    assert.ok(!err.message.includes(wrong));
    return true;
  });
  for (const mechanism of ['scram-sha-512', 'scram-sha-256', 'plain']) {
    const good = strictKafka(loadConfig({ ...kafkaSasl(), KAFKA_SASL_MECHANISM: mechanism })).admin();
    await good.connect();
    await good.disconnect();
  }

  const withoutCertificate = { KAFKA_BROKERS: MTLS, KAFKA_SSL_CA_FILE: CA };
  await assert.rejects(strictKafka(loadConfig(withoutCertificate)).admin().connect(), /Connection|closed|certificate/i);
  await assert.rejects(strictKafka(loadConfig({ ...kafkaMtls(), KAFKA_SSL_CA_FILE: UNTRUSTED_CA })).admin().connect(), /certificate|self.signed|verify/i);
});

test('PostgreSQL with sslmode=verify-full: the server is checked by name (127.0.0.1 and localhost) and a wrong CA is refused', async () => {
  const base = { config: loadConfig(process.env) };
  for (const host of ['127.0.0.1', 'localhost']) {
    const pool = createPostgresPool(loadConfig(postgresTls(base, { host })));
    try {
      const { rows } = await pool.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      assert.equal(rows[0]!.ssl, true, host);
    } finally {
      await pool.end();
    }
  }
  const refused = createPostgresPool(loadConfig(postgresTls(base, { ca: UNTRUSTED_CA })));
  try {
    await assert.rejects(refused.query('SELECT 1'), (err: NodeJS.ErrnoException) => {
      assert.match(String(err.code), /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|CERT/);
      return true;
    });
  } finally {
    await refused.end();
  }
});

test('Redis over rediss:// with the project CA; a wrong CA or a wrong password is refused', async () => {
  const config = loadConfig(redisTls());
  const redis = new Redis(config.redis.url, { ...redisConnectionOptions(config.redis), lazyConnect: true });
  await redis.connect();
  assert.equal(await redis.ping(), 'PONG');
  redis.disconnect();

  for (const env of [{ ...redisTls(), REDIS_TLS_CA_FILE: UNTRUSTED_CA }, { ...redisTls(), REDIS_PASSWORD_FILE: '', REDIS_PASSWORD: 'not-the-password' }]) {
    const other = loadConfig(env);
    const client = new Redis(other.redis.url, { ...redisConnectionOptions(other.redis), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    await assert.rejects(client.connect().then(() => client.ping()));
    client.disconnect();
  }
});

test('the root logger keeps secrets out of what libraries attach to errors (ioredis: the AUTH arguments)', async () => {
  const wrong = `wrong-${randomBytes(9).toString('hex')}`;
  const dbSecret = `db-${randomBytes(9).toString('hex')}`;
  const config = loadConfig({ ...redisTls(), REDIS_PASSWORD_FILE: '', REDIS_URL: `rediss://:${wrong}@${REDIS_TLS_URL.slice('rediss://'.length)}`,
    DATABASE_URL: `postgres://postgres:${dbSecret}@127.0.0.1/mailscore`, LOG_LEVEL: 'debug' });
  // The real error a wrong password produces: ioredis puts the AUTH command's arguments on it.
  const client = new Redis(config.redis.url, { ...redisConnectionOptions(config.redis), lazyConnect: true, retryStrategy: () => null });
  const errors: Error[] = [];
  client.on('error', (err: Error) => errors.push(err));
  await client.connect().catch(() => undefined);
  client.disconnect();
  const replyError = errors.find((e) => /WRONGPASS/.test(e.message));
  assert.ok(replyError, 'ioredis reported WRONGPASS');
  assert.ok(JSON.stringify(replyError).includes(wrong), 'the library error does carry the password');

  let written = '';
  const logger = pino(loggerOptions(config), new Writable({ write(chunk, _encoding, done) { written += chunk.toString(); done(); } }));
  logger.error({ err: replyError }, 'redis error');
  logger.warn({ error: replyError }, 'redis error');
  logger.debug({ config }, 'configuration');
  logger.info({ url: config.postgres.url }, 'connecting');
  logger.flush();
  assert.match(written, /WRONGPASS/);
  assert.ok(!written.includes(wrong) && !written.includes(dbSecret), written);
});

/** `mailscore start` as a child process at LOG_LEVEL=debug; its whole output. Stopped by SIGTERM when `until` holds. */
async function runMain(env: Record<string, string>, until: (output: string) => Promise<boolean>, timeoutMs = 90_000): Promise<{ output: string; code: number | null }> {
  const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', MAIN, 'start'], {
    env: { ...env, LOG_LEVEL: 'debug', KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = once(child, 'exit');
  const deadline = Date.now() + timeoutMs;
  let done = false;
  while (child.exitCode === null && !done && Date.now() < deadline) {
    await sleep(250);
    done = await until(output);
  }
  if (child.exitCode === null) child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = await exited;
  clearTimeout(timer);
  return { output, code: code as number | null };
}

test('secrets never reach stdout, stderr or /metrics: a working run at debug level and runs that fail to connect', async (t) => {
  const env = await createTestEnvironment();
  t.after(() => env.cleanup());
  // Markers that cannot occur by chance. PostgreSQL trusts local connections, so its password
  // is sent nowhere, but it is in the URL the process is given; Redis and Kafka check theirs.
  const pgSecret = `pg-${randomBytes(9).toString('hex')}`;
  const redisSecret = readFileSync(join(TLS, 'redis.password'), 'utf8').trim();
  const wrongRedis = `redis-${randomBytes(9).toString('hex')}`;
  const wrongKafka = `kafka-${randomBytes(9).toString('hex')}`;
  const secrets = [pgSecret, redisSecret, wrongRedis, wrongKafka, KAFKA_PASSWORD];
  const port = await freePort();
  const secured = {
    ...env.env, ...kafkaSasl(), ...postgresTls(env, { password: pgSecret }), HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port),
    REDIS_URL: `rediss://:${redisSecret}@${REDIS_TLS_URL.slice('rediss://'.length)}`, REDIS_TLS_CA_FILE: CA,
  };
  const config = loadConfig(secured);
  const redis = await tlsRedis(t, config);
  await redis.ping();

  const events = await corpusEvents(50, { runId: randomUUID().slice(0, 8) });
  await publish(env.kafka, env.config.topics.input, events);
  let metrics = '';
  const ok = await runMain(secured, async () => {
    if (await countRows(env.pool, env.id) < events.length) return false;
    metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()).catch(() => '');
    return metrics.length > 0;
  });
  assert.equal(ok.code, 0, ok.output.slice(-3000));
  assert.match(metrics, /mailscore_/);
  if (process.env.SECURITY_TEST_DUMP) console.log(ok.output);

  const failures = {
    'PostgreSQL host unknown': { ...secured, ...postgresTls(env, { password: pgSecret, host: 'db.invalid' }) },
    'Redis password wrong': { ...secured, REDIS_URL: `rediss://:${wrongRedis}@${REDIS_TLS_URL.slice('rediss://'.length)}` },
    'Kafka password wrong': { ...secured, KAFKA_SASL_PASSWORD: wrongKafka },
  };
  const outputs: Record<string, string> = { 'working run': ok.output, '/metrics': metrics };
  for (const [name, failing] of Object.entries(failures)) {
    // Until it exits or, should it wait for the dependency instead, for 15 s of trying.
    const started = Date.now();
    const run = await runMain(failing, async () => Date.now() - started > 15_000, 60_000);
    assert.ok(run.output.length > 0, `${name}: it said something`);
    outputs[name] = run.output;
    if (process.env.SECURITY_TEST_DUMP) console.log(`--- ${name} (exit ${run.code})\n${run.output}`);
  }
  for (const [name, text] of Object.entries(outputs)) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `${name} shows a secret:\n${text.slice(Math.max(0, text.indexOf(secret) - 1500), text.indexOf(secret) + 200)}`);
  }
  assert.match(outputs['Kafka password wrong']!, /SASL SCRAM SHA512 authentication failed/);
  assert.match(outputs['Redis password wrong']!, /WRONGPASS|invalid username-password/);
  assert.match(outputs['PostgreSQL host unknown']!, /ENOTFOUND|EAI_AGAIN/);
});

test('the last-resort error print shows message and stack only, not what libraries hang on errors', () => {
  const err = Object.assign(new Error('WRONGPASS invalid username-password pair'), { command: { name: 'auth', args: ['hunter2-secret'] }, code: 'X' });
  const text = describeFatal(err);
  assert.match(text, /WRONGPASS/);
  assert.ok(!text.includes('hunter2'));
});
