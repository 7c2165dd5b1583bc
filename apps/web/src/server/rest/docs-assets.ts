import 'server-only';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

// The reference page's renderer, Swagger UI, served from node_modules (no CDN): a single
// dependency-free package, where the alternatives pull in a framework each. `next dev` and
// `next start` run in apps/web, where pnpm links the package; the paths are literal so the
// production build traces these two files and nothing else.
const ASSETS: Record<string, { type: string; read: () => Promise<Buffer> }> = {
  'swagger-ui.css': {
    type: 'text/css; charset=utf-8',
    read: () => readFile(join(process.cwd(), 'node_modules/swagger-ui-dist/swagger-ui.css')),
  },
  'swagger-ui-bundle.js': {
    type: 'text/javascript; charset=utf-8',
    read: () => readFile(join(process.cwd(), 'node_modules/swagger-ui-dist/swagger-ui-bundle.js')),
  },
};

export async function docsAsset(name: string): Promise<Response> {
  const asset = ASSETS[name];
  if (!asset) return new Response('Not Found', { status: 404 });
  const bytes = await asset.read().catch(() => null);
  if (!bytes) return new Response('Swagger UI is not installed', { status: 404 });
  return new Response(new Uint8Array(bytes), {
    headers: { 'content-type': asset.type, 'cache-control': 'public, max-age=3600' },
  });
}

export const docsPage = () => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Estuary Chat REST API</title>
  <link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
  <div id="docs"></div>
  <script src="/api/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#docs', deepLinking: true });
  </script>
</body>
</html>
`;
