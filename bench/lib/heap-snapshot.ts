import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import * as path from 'node:path';

/** Node flags that let `liveHeap` ask a process for a heap snapshot (written into `directory`). */
export function heapSnapshotFlags(directory: string): string[] {
  return ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${directory}`];
}

export interface LiveHeap {
  /** Bytes reachable after the full garbage collection a snapshot starts with. */
  bytes: number;
  /** Live objects by constructor (or node name), to show what grew between two snapshots. */
  counts: Map<string, number>;
}

/**
 * The live heap of a process started with `heapSnapshotFlags`: V8 collects garbage fully before it writes a
 * snapshot, so unlike a sampled heap size this is exactly what the process retains, nothing waiting for GC.
 * Blocks the process for a few seconds: take it when no call is live.
 */
export async function liveHeap(pid: number, directory: string): Promise<LiveHeap> {
  const before = new Set(readdirSync(directory));
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 120_000;
  let file: string | undefined;
  let lastSize = -1;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    file ??= readdirSync(directory).find(
      (name) => name.endsWith('.heapsnapshot') && !before.has(name),
    );
    if (!file) continue;
    const size = statSync(path.join(directory, file)).size;
    // Done once the file stops growing and closes with the snapshot's final bracket.
    if (size > 0 && size === lastSize && readTail(path.join(directory, file)).endsWith('}')) break;
    lastSize = size;
  }
  if (!file) throw new Error(`no heap snapshot from process ${pid} within 120 s`);
  const full = path.join(directory, file);
  try {
    return summarise(JSON.parse(readFileSync(full, 'utf8')) as HeapSnapshot);
  } finally {
    rmSync(full, { force: true });
  }
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

function summarise(snapshot: HeapSnapshot): LiveHeap {
  const fields = snapshot.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = snapshot.snapshot.meta.node_types[0];
  const counts = new Map<string, number>();
  let bytes = 0;
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    bytes += snapshot.nodes[i + sizeAt];
    if (types[snapshot.nodes[i + typeAt]] !== 'object') continue;
    const name = snapshot.strings[snapshot.nodes[i + nameAt]];
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return { bytes, counts };
}

function readTail(file: string): string {
  const size = statSync(file).size;
  const tail = Buffer.alloc(Math.min(16, size));
  const fd = openSync(file, 'r');
  try {
    readSync(fd, tail, 0, tail.length, size - tail.length);
  } finally {
    closeSync(fd);
  }
  return tail.toString('utf8').trim();
}
