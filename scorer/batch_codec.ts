// How a batch crosses into a worker: every event's protobuf bytes packed into one ArrayBuffer
// that is transferred (moved, not copied) with the offsets of each event.
export interface PackedEvents {
  readonly payload: ArrayBuffer;
  /** offsets[i]..offsets[i+1] are the bytes of event i; length is count + 1. */
  readonly offsets: Uint32Array;
}

export function packEvents(events: readonly Uint8Array[]): PackedEvents {
  let total = 0;
  for (const bytes of events) total += bytes.length;
  const payload = new ArrayBuffer(total);
  const view = new Uint8Array(payload);
  const offsets = new Uint32Array(events.length + 1);
  let at = 0;
  events.forEach((bytes, i) => {
    view.set(bytes, at);
    at += bytes.length;
    offsets[i + 1] = at;
  });
  return { payload, offsets };
}

export function unpackEvent(packed: PackedEvents, index: number): Uint8Array {
  return new Uint8Array(packed.payload, packed.offsets[index]!, packed.offsets[index + 1]! - packed.offsets[index]!);
}
