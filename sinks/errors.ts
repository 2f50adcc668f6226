// Errors the sinks raise: a code to branch on, and what kind of failure it is, which decides
// what the pipeline does with the batch.
export const FailureKind = {
  /** This row's data can never be stored (SQLSTATE classes 22 and 23): set the row aside, write the rest. */
  row: 'row',
  /** The server or the way to it is down or overloaded: wait it out, however long; nothing is dead-lettered. */
  outage: 'outage',
  /**
   * Anything else: a read-only standby, a revoked permission, a missing table. Not the data's
   * fault, so nothing is dead-lettered: tried a few times, then the consumer stops without
   * committing and an operator (or a restart) has to fix it.
   */
  fault: 'fault',
} as const;
export type FailureKind = (typeof FailureKind)[keyof typeof FailureKind];

export class SinkError extends Error {
  readonly code: string;
  readonly kind: FailureKind;
  /** Only a row-level failure is final for the batch's data; anything else is worth another try. */
  readonly retriable: boolean;
  constructor(message: string, code: string, kind: FailureKind, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SinkError';
    this.code = code;
    this.kind = kind;
    this.retriable = kind !== FailureKind.row;
  }
}

// SQLSTATE classes that describe the data of a row, not the server.
const ROW_SQLSTATE_CLASSES = ['22', '23'];
// Connection exceptions, insufficient resources, operator intervention (shutdown, restart),
// system errors: the server is going or gone and will be back.
const OUTAGE_SQLSTATE_CLASSES = ['08', '53', '57', '58'];
const OUTAGE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/** The kind of failure a SQLSTATE code stands for, or null when `code` is not a SQLSTATE. */
export function sqlStateKind(code: string): FailureKind | null {
  if (!/^[0-9A-Z]{5}$/.test(code)) return null;
  const sqlClass = code.slice(0, 2);
  return ROW_SQLSTATE_CLASSES.includes(sqlClass) ? FailureKind.row : OUTAGE_SQLSTATE_CLASSES.includes(sqlClass) ? FailureKind.outage : FailureKind.fault;
}

/** True for Node's socket error codes: the peer is gone, restarting or unreachable. */
export function isSocketOutage(code: string): boolean {
  return OUTAGE_NODE_CODES.has(code);
}

export function postgresError(err: unknown, what: string): SinkError {
  if (err instanceof SinkError) return err;
  const code = (err as { code?: unknown }).code;
  const message = (err as Error).message ?? String(err);
  const kind = typeof code === 'string' ? sqlStateKind(code) : null;
  if (kind !== null) return new SinkError(`${what}: PostgreSQL ${code}: ${message}`, `PG_${code}`, kind, { cause: err });
  if (typeof code === 'string' && isSocketOutage(code)) {
    return new SinkError(`${what}: cannot reach PostgreSQL (${code}); check DATABASE_URL and that the server is up`, code, FailureKind.outage, { cause: err });
  }
  // A dropped connection mid-query ("Connection terminated unexpectedly") surfaces without a code.
  return new SinkError(`${what}: ${message}`, 'PG_UNKNOWN', FailureKind.outage, { cause: err });
}
