import { chatServer } from '../../../../../server/services';

/**
 * Signed attachment URLs: GET `/api/attachments/<id>/file|thumb?exp&sig` downloads (with
 * S3, a redirect to a presigned GET); PUT `/api/attachments/<id>/upload?exp&sig` takes the
 * bytes for local storage. The signature is the permission, so no session is read here.
 */
type Params = { params: Promise<{ id: string; purpose: string }> };

const purposes = new Set(['file', 'thumb', 'upload']);

async function attachments() {
  const { services } = await chatServer();
  return services.deps.attachments;
}

export async function GET(req: Request, { params }: Params) {
  const { id, purpose } = await params;
  const service = await attachments();
  if (!service || !purposes.has(purpose)) return new Response('Not found', { status: 404 });
  return service.download(id, purpose as 'file' | 'thumb', new URL(req.url), {
    range: req.headers.get('range'),
    ifRange: req.headers.get('if-range'),
  });
}

export async function PUT(req: Request, { params }: Params) {
  const { id, purpose } = await params;
  const service = await attachments();
  if (!service || purpose !== 'upload') return new Response('Not found', { status: 404 });
  const length = req.headers.get('content-length');
  return service.acceptUpload(id, new URL(req.url), req.body, length ? Number(length) : null);
}
