import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { AttachmentService } from './service';

const ROUTE = /^\/api\/attachments\/([0-9a-f-]{36})\/(file|thumb|upload)(\?|$)/i;

/**
 * apps/web's attachment route for a plain Node server (the test stack, or any server that
 * is not Next): answers and returns true when the request is one of ours.
 */
export async function serveAttachmentRequest(
  service: AttachmentService,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const match = ROUTE.exec(req.url ?? '');
  if (!match) return false;
  const [, id = '', purpose = ''] = match;
  const url = new URL(req.url ?? '/', 'http://localhost');
  let response: Response;
  if (req.method === 'PUT' && purpose === 'upload') {
    const length = req.headers['content-length'];
    response = await service.acceptUpload(
      id,
      url,
      Readable.toWeb(req) as ReadableStream<Uint8Array>,
      length ? Number(length) : null,
    );
  } else if (req.method === 'GET' && purpose !== 'upload') {
    response = await service.download(id, purpose as 'file' | 'thumb', url, {
      range: req.headers.range ?? null,
      ifRange: (req.headers['if-range'] as string | undefined) ?? null,
    });
  } else {
    response = new Response('Method not allowed', { status: 405 });
  }
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body) {
    await new Promise<void>((resolve, reject) => {
      Readable.fromWeb(response.body as never)
        .on('error', reject)
        .pipe(res)
        .on('finish', resolve)
        .on('error', reject);
    });
  } else res.end();
  return true;
}
