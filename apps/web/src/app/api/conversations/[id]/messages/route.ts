import { createHttpContext } from '@estuary/api';
import { legacyHistory } from '@estuary/api/rest';
import { chatServer } from '../../../../../server/services';

/** LEGACY: the old chat's history call, for front ends in the field (see the README). */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { router, services } = await chatServer();
  return legacyHistory(router, await createHttpContext(services, req.headers), req, id);
}
