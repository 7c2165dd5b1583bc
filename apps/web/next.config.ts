import { hostname, networkInterfaces } from 'node:os';
import type { NextConfig } from 'next';
import { PHASE_DEVELOPMENT_SERVER } from 'next/constants';

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

/**
 * Security headers on every response. The socket to apps/ws may be on another host or port
 * (WS_PUBLIC_URL), so connect-src allows ws:/wss:. Next's own inline bootstrap scripts need
 * 'unsafe-inline'; `next dev` also needs eval (React Refresh) and its HMR socket ('self').
 */
function securityHeaders(dev: boolean) {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return [
    { key: 'Content-Security-Policy', value: csp },
    { key: 'X-Frame-Options', value: 'DENY' },
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    { key: 'Referrer-Policy', value: 'same-origin' },
  ];
}

const config = (phase: string): NextConfig => ({
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
  allowedDevOrigins: devOrigins(),
  // Build tooling, not app configuration (that is src/env.ts): the e2e harness runs its own
  // `next dev` beside a developer's `pnpm dev`, and Next allows one dev server per dist dir.
  distDir: process.env.ESTUARY_NEXT_DIST_DIR || '.next',
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders(phase === PHASE_DEVELOPMENT_SERVER) }];
  },
});

export default config;
