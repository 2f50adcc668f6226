// Secured connections and secret hygiene: the TLS and SASL options each client is created with,
// and what keeps the secrets of the configuration out of logs and error output.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { RedisOptions } from 'ioredis';
import type { LoggerOptions } from 'pino';
import type { Config } from './config.ts';

const read = (path: string | null): string | undefined => (path === null ? undefined : readFileSync(path, 'utf8'));

/** kafkajs's `ssl` and `sasl` options. The files are read now, so a rotated certificate is used by the next client. */
export function kafkaSecurity(kafka: Config['kafka']): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const options: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (kafka.ssl !== null) {
    const { caFile, certFile, keyFile } = kafka.ssl;
    // No CA file: Node's bundled public CAs. Verification is never switched off.
    options.ssl = caFile === null && certFile === null ? true : { ca: read(caFile), cert: read(certFile), key: read(keyFile) } satisfies ConnectionOptions;
  }
  if (kafka.sasl !== null) {
    const { mechanism, username, password } = kafka.sasl;
    options.sasl = { mechanism, username, password } as SASLOptions;
  }
  return options;
}

/** ioredis's `tls` option: rediss:// already turns TLS on; this adds the CA that signed the server's certificate. */
export function redisConnectionOptions(redis: Config['redis']): Pick<RedisOptions, 'tls'> {
  return redis.tls === null ? {} : { tls: { ca: read(redis.tls.caFile) } };
}

/** Every secret value the configuration holds, as written and as it appears once decoded from a URL. */
export function secretsOf(config: Config): string[] {
  // Shorter "secrets" would blank out ordinary words of every log line and protect nothing.
  const worthHiding = (s: string | undefined): s is string => s !== undefined && s.length >= 4;
  const secrets: string[] = [];
  if (worthHiding(config.kafka.sasl?.password)) secrets.push(config.kafka.sasl.password);
  for (const raw of [config.postgres.url, config.redis.url]) {
    const encoded = URL.parse(raw)?.password;
    if (encoded && worthHiding(safeDecode(encoded))) secrets.push(encoded, safeDecode(encoded));
  }
  return [...new Set(secrets)];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export const REDACTED = '[redacted]';

/**
 * Replaces each secret in text, also in its JSON-escaped form (a log line is JSON). The last line
 * of defence: whatever a library puts in an error (a URL, its options, an AUTH command's
 * arguments), the secret itself never reaches the output.
 */
export function secretScrubber(secrets: readonly string[]): (text: string) => string {
  const forms = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const form of forms) if (out.includes(form)) out = out.replaceAll(form, REDACTED);
    return out;
  };
}

/**
 * pino `redact` paths: where secrets sit in objects that get logged. ioredis puts a failed
 * command's arguments on its errors (`AUTH <password>` among them); Node's URL errors carry
 * the input.
 */
export const REDACT_PATHS = [
  'config.postgres.url', 'config.redis.url', 'config.kafka.sasl.password',
  'password', '*.password', 'sasl.password', '*.sasl.password', 'connectionString', '*.connectionString',
  'err.command.args', 'err.input', 'err.cause.command.args', 'error.command.args',
];

/** The root logger's options: known secret paths redacted, and every secret value scrubbed from each line written. */
export function loggerOptions(config: Config): LoggerOptions {
  return {
    level: config.logLevel,
    base: { service: 'mailscore' },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    hooks: { streamWrite: secretScrubber(secretsOf(config)) },
  };
}

/** For the last-resort error print of the CLI: the message and stack, none of the properties libraries attach. */
export function describeFatal(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return `${err.stack ?? `${err.name}: ${err.message}`}${typeof code === 'string' ? ` (code ${code})` : ''}`;
}
