import { hostname, networkInterfaces } from 'node:os';
import type { NextConfig } from 'next';

/**
 * The hosts `next dev` serves its own scripts to. It trusts `localhost` alone by default, so
 * a page opened at http://127.0.0.1:3000, or at the LAN address it prints, never hydrated.
 * These are this machine's own addresses and name: the dev server answers on them anyway.
 */
function devOrigins(): string[] {
  const hosts = new Set(['127.0.0.1', '[::1]', hostname().toLowerCase()]);
  for (const addresses of Object.values(networkInterfaces())) {
    for (const { address, family } of addresses ?? []) {
      hosts.add(family === 'IPv6' ? `[${address.split('%')[0]}]` : address);
    }
  }
  return [...hosts];
}

const config: NextConfig = {
  // Workspace packages ship TypeScript source; Next compiles them with the app.
  transpilePackages: ['@estuary/api', '@estuary/auth', '@estuary/db', '@estuary/realtime'],
  serverExternalPackages: ['postgres', 'ioredis', 'sharp', '@aws-sdk/client-s3'],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  devIndicators: false,
  allowedDevOrigins: devOrigins(),
  // Build tooling, not app configuration (that is src/env.ts): the e2e harness runs its own
  // `next dev` beside a developer's `pnpm dev`, and Next allows one dev server per dist dir.
  distDir: process.env.ESTUARY_NEXT_DIST_DIR || '.next',
};

export default config;
