import WebSocket from 'ws';

/** A raw WebSocket speaking tRPC's wire protocol by hand, to test what a real client would not send. */
export async function rawSocket(url: string, options: { params?: Record<string, string> } = {}) {
  const withParams = options.params !== undefined;
  const ws = new WebSocket(withParams ? `${url}/?connectionParams=1` : url);
  const frames: unknown[] = [];
  let closeCode: number | null = null;
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? '<binary>' : String(data);
    try {
      frames.push(JSON.parse(text));
    } catch {
      frames.push(text);
    }
  });
  const closed = new Promise<number>((resolve) =>
    ws.once('close', (code) => {
      closeCode = code;
      resolve(code);
    }),
  );
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  if (withParams) ws.send(JSON.stringify({ method: 'connectionParams', data: options.params }));
  return {
    ws,
    frames,
    closed,
    get closeCode() {
      return closeCode;
    },
    send(message: unknown) {
      ws.send(
        typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message),
      );
    },
    /** Waits for a frame matching `predicate`. */
    async frame(predicate: (frame: Record<string, unknown>) => boolean, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = frames.find(
          (f) => typeof f === 'object' && f !== null && predicate(f as Record<string, unknown>),
        );
        if (hit) return hit as Record<string, unknown>;
        if (Date.now() > deadline)
          throw new Error(`no matching frame; got ${JSON.stringify(frames).slice(0, 500)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** The tRPC error code inside an error frame. */
export const errorCode = (frame: Record<string, unknown>) =>
  (frame.error as { json?: { data?: { code?: string } } } | undefined)?.json?.data?.code;
