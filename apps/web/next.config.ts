import type { NextConfig } from 'next';
import { PHASE_DEVELOPMENT_SERVER } from 'next/constants';

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
  transpilePackages: ['@estuary/api', '@estuary/auth', '@estuary/db', '@estuary/realtime'],
  serverExternalPackages: ['postgres', 'ioredis'],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  devIndicators: false,
  // Build tooling, not app configuration (that is src/env.ts): the e2e harness runs its own
  // `next dev` beside a developer's `pnpm dev`, and Next allows one dev server per dist dir.
  distDir: process.env.ESTUARY_NEXT_DIST_DIR || '.next',
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders(phase === PHASE_DEVELOPMENT_SERVER) }];
  },
});

export default config;
