import WebSocket from 'ws';

export type Frame = Record<string, unknown>;

/**
 * An old chat front end, as in the field: a plain WebSocket at /ws/chat/<id>/?token=…
 * sending and receiving the old JSON frames. Resolves once the socket is open (or closed).
 */
export async function legacySocket(base: string, conversationId: string, token: string | null) {
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(`${base}/ws/chat/${conversationId}/${query}`);
  const frames: Frame[] = [];
  let closeReason = '';
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
  ws.on('error', () => {});
  const closed = new Promise<number>((resolve) =>
    ws.once('close', (code, reason) => {
      closeReason = String(reason);
      resolve(code);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return {
    ws,
    frames,
    closed,
    get closeReason() {
      return closeReason;
    },
    send(frame: unknown) {
      ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
    },
    ofType(type: string) {
      return frames.filter((f) => f.type === type);
    },
    /** Waits for a frame matching `predicate` (bounded). */
    async frame(predicate: (frame: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = frames.find(predicate);
        if (hit) return hit;
        if (Date.now() > deadline)
          throw new Error(`no matching frame; got ${JSON.stringify(frames).slice(0, 800)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close() {
      ws.close();
      return closed;
    },
  };
}

/** Polls `check` until it holds (bounded), for effects that arrive asynchronously. */
export async function until<T>(check: () => T | undefined | false, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
