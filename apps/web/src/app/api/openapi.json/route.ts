import { restDocument } from '../../../server/rest/doors';

export async function GET() {
  return Response.json(await restDocument(), {
    headers: { 'access-control-allow-origin': '*', 'cache-control': 'no-store' },
  });
}
