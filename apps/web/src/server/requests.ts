import 'server-only';

/** The WebSocket frame limit, applied to every HTTP body too: no request gets bigger. */
export const MAX_BODY_BYTES = 64 * 1024;

export const tooLarge = () =>
  Response.json(
    {
      error: {
        message: `Request body too large (over ${MAX_BODY_BYTES} bytes)`,
        data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 },
      },
    },
    // The rest of the upload is never read: the connection cannot be reused.
    { status: 413, headers: { connection: 'close' } },
  );

/**
 * The body, read with the cap enforced on the stream itself: a chunked body (no
 * Content-Length) or a lying Content-Length is cut off at the cap, before anything parses
 * it or checks who sent it. Null when it is over the cap.
 */
export async function readCappedBody(
  req: Request,
  max = MAX_BODY_BYTES,
): Promise<Uint8Array<ArrayBuffer> | null> {
  if (Number(req.headers.get('content-length') ?? 0) > max) return null;
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

/**
 * Login CSRF: a cross-site page can post a form (`text/plain`, no preflight) to us. A
 * same-origin `Origin` (browsers always send it on POST and DELETE) and a JSON body are what
 * only our own page's fetch can produce.
 */
export function sameOrigin(req: Request): boolean {
  const origin = req.headers.get('origin');
  if (!origin) return false;
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  try {
    return host !== null && new URL(origin).host === host.split(',')[0]?.trim();
  } catch {
    return false;
  }
}

export const isJson = (req: Request) =>
  /^application\/json\s*(;|$)/i.test(req.headers.get('content-type') ?? '');

export const refused = (status: number, error: string) => Response.json({ error }, { status });
