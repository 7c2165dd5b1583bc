import parseRange from 'range-parser';

export type ByteRange = { start: number; end: number };

/** RFC 9110's byte-range grammar: range-parser calls `bytes=abc` unsatisfiable, not invalid. */
const BYTE_RANGES = /^bytes=\s*(\d+-\d*|-\d+)(\s*,\s*(\d+-\d*|-\d+))*\s*$/;

/**
 * What a `Range` header asks of an object of `size` bytes (RFC 9110 §14). Browsers send
 * `bytes=N-` to seek in audio and video, and need a 206 to allow it. One range is served;
 * several, a malformed header, a unit other than bytes, or an `If-Range` (we keep no
 * validators it could match) get the whole object, as the RFC allows.
 */
export function requestedRange(
  size: number,
  range: string | null,
  ifRange: string | null,
): ByteRange | 'whole' | 'unsatisfiable' {
  if (!range || ifRange || !BYTE_RANGES.test(range)) return 'whole';
  const parsed = parseRange(size, range, { combine: true });
  if (parsed === -1) return 'unsatisfiable';
  if (parsed === -2 || parsed.type !== 'bytes' || parsed.length !== 1) return 'whole';
  const [only] = parsed;
  return only ? { start: only.start, end: only.end } : 'whole';
}

/** The headers that turn a full download's into a partial one's. */
export const partialHeaders = (range: ByteRange, size: number) => ({
  'Content-Range': `bytes ${range.start}-${range.end}/${size}`,
  'Content-Length': String(range.end - range.start + 1),
});
