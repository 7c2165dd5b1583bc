import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count per kind of object: constructor name for objects, type otherwise. */
function census(file: string): Map<string, { bytes: number; count: number }> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt] as number] ?? '?';
    const name = snap.strings[snap.nodes[i + nameAt] as number] ?? '';
    const key =
      type === 'object' || type === 'native'
        ? name
        : type === 'closure'
          ? `closure ${name || '(anonymous)'}`
          : `(${type})`;
    const entry = out.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += snap.nodes[i + sizeAt] as number;
    entry.count += 1;
    out.set(key, entry);
  }
  return out;
}

export interface PerConnection {
  kind: string;
  bytes: number;
  count: number;
}

/**
 * What each connection costs in the JS heap, by kind: (connected − idle) / connections.
 * Reads two heap snapshots of the same server; top entries by bytes.
 */
export function heapPerConnection(
  idleFile: string,
  connectedFile: string,
  connections: number,
  limit = 25,
) {
  const before = census(idleFile);
  const after = census(connectedFile);
  const rows: PerConnection[] = [];
  let total = 0;
  for (const [kind, a] of after) {
    const b = before.get(kind) ?? { bytes: 0, count: 0 };
    const bytes = (a.bytes - b.bytes) / connections;
    total += bytes;
    rows.push({
      kind,
      bytes: Math.round(bytes),
      count: Math.round(((a.count - b.count) / connections) * 10) / 10,
    });
  }
  rows.sort((x, y) => y.bytes - x.bytes);
  return { bytesPerConnection: Math.round(total), top: rows.slice(0, limit) };
}

export function formatHeap(name: string, heap: ReturnType<typeof heapPerConnection>): string {
  const lines = [
    `${name}: JS heap per connection ≈ ${heap.bytesPerConnection} B; by kind (bytes, objects):`,
  ];
  for (const r of heap.top)
    lines.push(`${String(r.bytes).padStart(8)} B  ${String(r.count).padStart(5)}  ${r.kind}`);
  return lines.join('\n');
}
