import hdr from 'hdr-histogram-js';

export type Histogram = ReturnType<typeof hdr.build>;

/** Microseconds, 1 µs to 2 min, 3 significant digits: what every latency here is kept in. */
export const newHistogram = (): Histogram =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });

export const encodeHistogram = (h: Histogram): string => hdr.encodeIntoCompressedBase64(h);

/** Sums histograms that loadgen processes sent over IPC. */
export function mergeHistograms(encoded: string[]): Histogram {
  const total = newHistogram();
  for (const text of encoded) {
    if (!text) continue;
    const part = hdr.decodeFromCompressedBase64(text, 32, false);
    total.add(part);
    part.destroy();
  }
  return total;
}

export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  count: number;
}

const ms = (us: number) => Math.round(us / 10) / 100;

/** Milliseconds with two decimals; all zeros for an empty histogram. */
export function latencyOf(h: Histogram): Latency {
  if (h.totalCount === 0) return { p50: 0, p95: 0, p99: 0, max: 0, count: 0 };
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
    count: h.totalCount,
  };
}
