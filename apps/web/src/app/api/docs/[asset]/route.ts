import { docsAsset } from '../../../../server/rest/docs-assets';

export async function GET(_req: Request, { params }: { params: Promise<{ asset: string }> }) {
  return docsAsset((await params).asset);
}
