import { docsPage } from '../../../server/rest/docs-assets';

/** A readable reference of the REST API, rendered in the browser from /api/openapi.json. */
export function GET() {
  return new Response(docsPage(), {
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  });
}
