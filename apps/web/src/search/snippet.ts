export type Segment = { text: string; mark: boolean };

/**
 * A search hit's text as plain segments, the matched words marked, cut to about `max`
 * characters around the first match. Built as data (never HTML), so React escapes it all.
 */
export function snippet(
  content: string,
  highlights: readonly { start: number; end: number }[],
  max = 160,
): Segment[] {
  const sorted = [...highlights]
    .filter((h) => h.start >= 0 && h.end <= content.length && h.start < h.end)
    .sort((a, b) => a.start - b.start);
  const first = sorted[0]?.start ?? 0;
  let from = Math.max(0, first - Math.floor(max / 3));
  const to = Math.min(content.length, from + max);
  from = Math.max(0, Math.min(from, to - max));
  const segments: Segment[] = [];
  let at = from;
  for (const h of sorted) {
    if (h.end <= at || h.start >= to) continue;
    const start = Math.max(h.start, at);
    if (start > at) segments.push({ text: content.slice(at, start), mark: false });
    const end = Math.min(h.end, to);
    segments.push({ text: content.slice(start, end), mark: true });
    at = end;
  }
  if (at < to) segments.push({ text: content.slice(at, to), mark: false });
  if (from > 0) segments.unshift({ text: '…', mark: false });
  if (to < content.length) segments.push({ text: '…', mark: false });
  return segments;
}
