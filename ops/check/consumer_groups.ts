// Kafka's own view of a consumer group (`kafka-consumer-groups.sh --describe`), parsed, and
// compared with what the lag exporter reported through Prometheus. Pure functions.

export interface PartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  /** Committed offset; null when the group has committed nothing on it ("-"). */
  readonly currentOffset: number | null;
  readonly logEndOffset: number;
  readonly lag: number | null;
}

const NUMBER_OR_DASH = (text: string | undefined): number | null => (text === undefined || text === '-' ? null : Number(text));

/** The rows of `--describe --group G` (offsets view) for that group; other text is ignored. */
export function parseDescribe(output: string, group: string): PartitionOffsets[] {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const header = lines.findIndex((l) => /^GROUP\s+TOPIC\s+PARTITION\s+/.test(l));
  if (header === -1) return [];
  const columns = lines[header]!.split(/\s+/);
  const at = (name: string) => {
    const i = columns.indexOf(name);
    if (i === -1) throw new Error(`kafka-consumer-groups --describe printed no ${name} column`);
    return i;
  };
  const [g, t, p, current, end, lag] = ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG'].map(at) as [number, number, number, number, number, number];
  const rows: PartitionOffsets[] = [];
  for (const line of lines.slice(header + 1)) {
    const cells = line.split(/\s+/);
    if (cells[g] !== group || cells.length < columns.length - 3) continue;
    rows.push({ topic: cells[t]!, partition: Number(cells[p]), currentOffset: NUMBER_OR_DASH(cells[current]), logEndOffset: Number(cells[end]), lag: NUMBER_OR_DASH(cells[lag]) });
  }
  return rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/** The exporter's numbers for one partition, as read back from Prometheus. */
export interface ExportedOffsets {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number | undefined;
  readonly currentOffset: number | undefined;
  readonly endOffset: number | undefined;
}

export interface OffsetMismatch { readonly topic: string; readonly partition: number; readonly field: string; readonly kafka: number | null; readonly exporter: number | null }

/**
 * Every difference between Kafka's rows and the exporter's. A partition the group never committed
 * on has no lag in Kafka's view ("-"); the exporter may count it from the log start, so only its
 * end offset is compared there.
 */
export function compareOffsets(kafka: readonly PartitionOffsets[], exported: readonly ExportedOffsets[]): OffsetMismatch[] {
  const mismatches: OffsetMismatch[] = [];
  const key = (topic: string, partition: number) => `${topic}/${partition}`;
  const byKey = new Map(exported.map((e) => [key(e.topic, e.partition), e]));
  for (const row of kafka) {
    const mine = byKey.get(key(row.topic, row.partition));
    const check = (field: string, theirs: number | null, ours: number | undefined) => {
      if (theirs === null) return;
      if (ours !== theirs) mismatches.push({ topic: row.topic, partition: row.partition, field, kafka: theirs, exporter: ours ?? null });
    };
    check('log end offset', row.logEndOffset, mine?.endOffset);
    check('committed offset', row.currentOffset, mine?.currentOffset);
    check('lag', row.lag, mine?.lag);
  }
  const known = new Set(kafka.map((r) => key(r.topic, r.partition)));
  for (const e of exported) {
    if (!known.has(key(e.topic, e.partition)) && e.currentOffset !== undefined) {
      mismatches.push({ topic: e.topic, partition: e.partition, field: 'partition unknown to Kafka', kafka: null, exporter: e.currentOffset });
    }
  }
  return mismatches;
}
