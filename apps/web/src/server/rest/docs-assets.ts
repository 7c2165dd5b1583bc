import 'server-only';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

// The reference page's renderer, Swagger UI, served from node_modules (no CDN): a single
// dependency-free package, where the alternatives pull in a framework each.
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

function packageDir(): string | null {
  // `next dev`/`next start` run in apps/web; pnpm links the package into its node_modules.
  for (const base of [process.cwd(), join(process.cwd(), 'apps/web')]) {
    const dir = join(base, 'node_modules', 'swagger-ui-dist');
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return null;
}

export async function docsAsset(name: string): Promise<Response> {
  const type = ASSETS[name];
  const dir = packageDir();
  if (!type || !dir) return new Response('Not Found', { status: 404 });
  return new Response(new Uint8Array(await readFile(join(dir, name))), {
    headers: { 'content-type': type, 'cache-control': 'public, max-age=3600' },
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
