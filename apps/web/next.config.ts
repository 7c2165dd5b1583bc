import type { NextConfig } from 'next';

const config: NextConfig = {
  // Workspace packages ship TypeScript source; Next compiles them with the app.
  transpilePackages: [
    '@estuary/api',
    '@estuary/auth',
    '@estuary/db',
    '@estuary/realtime',
    '@estuary/client',
  ],
  serverExternalPackages: ['postgres', 'ioredis'],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  devIndicators: false,
  // Build tooling, not app configuration (that is src/env.ts): the e2e harness runs its own
  // `next dev` beside a developer's `pnpm dev`, and Next allows one dev server per dist dir.
  distDir: process.env.ESTUARY_NEXT_DIST_DIR || '.next',
};

export default config;
