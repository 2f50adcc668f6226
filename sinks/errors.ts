// Errors the sinks raise: a code to branch on and whether trying again can help.
export class SinkError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  constructor(message: string, code: string, retriable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SinkError';
    this.code = code;
    this.retriable = retriable;
  }
}

// SQLSTATE classes that describe the server or the connection, not the data.
const RETRIABLE_SQLSTATE_CLASSES = ['08', '40', '53', '55', '57', '58'];
const RETRIABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

export function postgresError(err: unknown, what: string): SinkError {
  if (err instanceof SinkError) return err;
  const code = (err as { code?: unknown }).code;
  const message = (err as Error).message ?? String(err);
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    const retriable = RETRIABLE_SQLSTATE_CLASSES.includes(code.slice(0, 2));
    return new SinkError(`${what}: PostgreSQL ${code}: ${message}`, `PG_${code}`, retriable, { cause: err });
  }
  if (typeof code === 'string' && RETRIABLE_NODE_CODES.has(code)) {
    return new SinkError(`${what}: cannot reach PostgreSQL (${code}); check DATABASE_URL and that the server is up`, code, true, { cause: err });
  }
  // A dropped connection mid-query surfaces without a code.
  return new SinkError(`${what}: ${message}`, 'PG_UNKNOWN', true, { cause: err });
}
