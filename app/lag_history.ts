// The pure core of the lag exporter: each partition's history of end offsets over time, the lag
// in seconds read off it, and the lag of every group on every partition it consumes.
//
// Lag in seconds follows Kafka Lag Exporter (seglo/kafka-lag-exporter, LookupTable.scala,
// MemoryTable): every poll adds the partition's end offset and the poll time to a bounded table;
// the time at which the end offset was the group's committed offset is interpolated between the
// two points around it, or extrapolated on the line through the oldest and newest points when the
// committed offset is older than the table; lag = now − that time. Where this differs from it,
// the comment at the spot says why.

/** One poll's reading of a partition's end offset (offsets are int64 in Kafka; exact here below 2^53). */
export interface OffsetPoint {
  readonly offset: number;
  readonly timeMs: number;
}

export const AddOutcome = {
  inserted: 'inserted',
  /** The third reading in a row of the same offset: the newest point moved forward in time instead. */
  updated: 'updated',
  /** Not later than the newest point (the clock went back): ignored. */
  outOfOrder: 'out-of-order',
  /** Lower than the newest point: the topic was recreated or truncated, the history starts again. */
  restarted: 'restarted',
} as const;
export type AddOutcome = (typeof AddOutcome)[keyof typeof AddOutcome];

export type Lookup =
  | { readonly kind: 'caught-up' }
  | { readonly kind: 'too-few-points' }
  | { readonly kind: 'interpolated' | 'extrapolated'; readonly timeMs: number };

export interface OffsetHistory {
  add(point: OffsetPoint): AddOutcome;
  /** When the end offset was `offset`, as far as the history tells. */
  lookup(offset: number): Lookup;
  points(): readonly OffsetPoint[];
}

export const MIN_HISTORY_POINTS = 2;

/** At most `capacity` points; a run of equal offsets costs two (its first and latest reading). */
export function createOffsetHistory(capacity: number): OffsetHistory {
  if (!Number.isInteger(capacity) || capacity < MIN_HISTORY_POINTS) throw new RangeError(`capacity must be an integer of at least ${MIN_HISTORY_POINTS}, got ${capacity}`);
  let points: OffsetPoint[] = [];
  return {
    add(point) {
      const newest = points.at(-1);
      if (newest !== undefined && point.timeMs <= newest.timeMs) return AddOutcome.outOfOrder;
      if (newest !== undefined && point.offset < newest.offset) {
        // Kafka Lag Exporter ignores such a point (NonMonotonic), which leaves a recreated topic
        // unmeasured until it passes its old offsets; its old history says nothing about it.
        points = [point];
        return AddOutcome.restarted;
      }
      // A partition with no new records keeps only the first and the latest reading of its offset,
      // so an idle hour costs two points and the table still reaches back to before it.
      const previous = points.at(-2);
      if (newest !== undefined && previous !== undefined && newest.offset === point.offset && previous.offset === point.offset) {
        points[points.length - 1] = point;
        return AddOutcome.updated;
      }
      if (points.length === capacity) points.shift();
      points.push(point);
      return AddOutcome.inserted;
    },
    lookup(offset) {
      const newest = points.at(-1);
      // Kafka Lag Exporter tests only equality; a committed offset past the newest reading (it
      // was read after the end offset) is caught up as well, not a time in the future.
      if (newest !== undefined && offset >= newest.offset) return { kind: 'caught-up' };
      if (points.length < MIN_HISTORY_POINTS) return { kind: 'too-few-points' };
      // From the newest pair backwards: where a run of equal offsets borders the offset, the
      // latest time the end offset still was that offset wins.
      for (let i = points.length - 1; i >= 1; i--) {
        const left = points[i - 1]!;
        const right = points[i]!;
        if (offset >= left.offset && offset <= right.offset) return { kind: 'interpolated', timeMs: timeOfOffset(offset, left, right) };
      }
      return { kind: 'extrapolated', timeMs: timeOfOffset(offset, points[0]!, newest!) };
    },
    points: () => points,
  };
}

/**
 * The time on the line through two points at which the end offset was `offset` (Kafka Lag
 * Exporter's `predict`). A flat line (no record arrived between the two readings; only possible
 * when the whole history is flat and the offset is older than it) has no rate to extrapolate
 * with: Kafka Lag Exporter divides by zero there (an infinite lag); the left point's time is
 * what is known, the offset was produced before it, so the lag is at least now − that time.
 */
export function timeOfOffset(offset: number, left: OffsetPoint, right: OffsetPoint): number {
  const offsets = right.offset - left.offset;
  if (offsets === 0) return left.timeMs;
  return right.timeMs - ((right.offset - offset) * (right.timeMs - left.timeMs)) / offsets;
}

/**
 * Seconds between `nowMs` and when the end offset was `offset`: 0 when caught up, NaN while the
 * history has a single point (the first poll; as Kafka Lag Exporter), never negative.
 */
export function lagSeconds(history: OffsetHistory, offset: number, nowMs: number): number {
  const found = history.lookup(offset);
  if (found.kind === 'caught-up') return 0;
  if (found.kind === 'too-few-points') return Number.NaN;
  return Math.max(0, (nowMs - found.timeMs) / 1000);
}

/** One history per topic-partition, dropped once the partition is no longer polled. */
export interface PartitionHistories {
  add(topic: string, partition: number, point: OffsetPoint): AddOutcome;
  get(topic: string, partition: number): OffsetHistory | undefined;
  /** Forgets every partition `keep` rejects (deleted topics, topics no configured group reads any more). */
  retain(keep: (topic: string, partition: number) => boolean): void;
  readonly size: number;
}

export function createPartitionHistories(capacity: number): PartitionHistories {
  const byPartition = new Map<string, { topic: string; partition: number; history: OffsetHistory }>();
  const key = (topic: string, partition: number) => `${partition}:${topic}`;
  return {
    add(topic, partition, point) {
      let entry = byPartition.get(key(topic, partition));
      if (entry === undefined) {
        entry = { topic, partition, history: createOffsetHistory(capacity) };
        byPartition.set(key(topic, partition), entry);
      }
      return entry.history.add(point);
    },
    get: (topic, partition) => byPartition.get(key(topic, partition))?.history,
    retain(keep) {
      for (const [k, entry] of byPartition) if (!keep(entry.topic, entry.partition)) byPartition.delete(k);
    },
    get size() {
      return byPartition.size;
    },
  };
}

/** A topic's partitions as the broker reports them: first retained offset and end offset (the next to be written). */
export interface TopicOffsets {
  readonly topic: string;
  readonly partitions: ReadonlyArray<{ readonly partition: number; readonly start: number; readonly end: number }>;
}

export interface GroupOffsets {
  readonly groupId: string;
  /** Committed offsets by topic and partition; a partition the group never committed is absent. */
  readonly committed: ReadonlyMap<string, ReadonlyMap<number, number>>;
}

export interface PartitionLag {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  /** null: the group never committed an offset for this partition. */
  readonly committed: number | null;
  readonly end: number;
  /** Records between the committed offset (the first retained one when none) and the end offset. */
  readonly records: number;
  readonly seconds: number;
}

/**
 * The lag of every group on every partition of the topics it reads: those it has committed
 * offsets for, and `expectedTopics` (so a group that never committed, e.g. whose every consumer
 * died at start-up, shows its backlog). Topics absent from `topics` (deleted, not created yet)
 * are skipped. Call after this poll's end offsets are in `histories`.
 *
 * Never committed: kafka_exporter reports lag −1 and Kafka Lag Exporter NaN; both hide the backlog
 * from `lag > N` alerts and from autoscaling. Here the lag is what the group would read on
 * joining with auto.offset.reset=earliest (the pipeline's INGEST_FROM_BEGINNING default): end −
 * first retained offset, its age looked up like a committed offset's.
 */
export function measureLag(input: {
  readonly groups: readonly GroupOffsets[];
  readonly topics: ReadonlyMap<string, TopicOffsets>;
  readonly expectedTopics: readonly string[];
  readonly histories: PartitionHistories;
  readonly nowMs: number;
}): PartitionLag[] {
  const lags: PartitionLag[] = [];
  for (const group of input.groups) {
    for (const topicName of new Set([...input.expectedTopics, ...group.committed.keys()])) {
      const topic = input.topics.get(topicName);
      if (topic === undefined) continue;
      const committedOffsets = group.committed.get(topicName);
      for (const { partition, start, end } of topic.partitions) {
        const committed = committedOffsets?.get(partition) ?? null;
        const from = committed ?? start;
        // A commit read before the end offset can never pass it; clamped all the same, as
        // kafka-consumer-groups.sh and Kafka Lag Exporter do.
        const records = Math.max(0, end - from);
        const history = input.histories.get(topicName, partition);
        const seconds = records === 0 ? 0 : history === undefined ? Number.NaN : lagSeconds(history, from, input.nowMs);
        lags.push({ groupId: group.groupId, topic: topicName, partition, committed, end, records, seconds });
      }
    }
  }
  return lags;
}
