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
 * With S3-compatible attachment storage, browsers PUT uploads to the bucket and load images,
 * audio and video from it (after our signed URL redirects there): its origin must be allowed.
 * Read here, like the dist dir, because headers are fixed when the config loads.
 */
function storageOrigin(env = process.env): string {
  const bucket = env.S3_BUCKET;
  if (!bucket) return '';
  try {
    if (!env.S3_ENDPOINT)
      return `https://${bucket}.s3.${env.S3_REGION || 'us-east-1'}.amazonaws.com`;
    const endpoint = new URL(env.S3_ENDPOINT);
    return env.S3_FORCE_PATH_STYLE === 'true'
      ? endpoint.origin
      : `${endpoint.protocol}//${bucket}.${endpoint.host}`;
  } catch {
    return '';
  }
}

/**
 * Security headers on every response. The socket to apps/ws may be on another host or port
 * (WS_PUBLIC_URL), so connect-src allows ws:/wss:. Next's own inline bootstrap scripts need
 * 'unsafe-inline'; `next dev` also needs eval (React Refresh) and its HMR socket ('self').
 */
function securityHeaders(dev: boolean) {
  const storage = storageOrigin();
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${storage ? ` ${storage}` : ''}`,
    `media-src 'self' blob:${storage ? ` ${storage}` : ''}`,
    "font-src 'self' data:",
    `connect-src 'self' ws: wss:${storage ? ` ${storage}` : ''}`,
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

/** Mirrors `downloadHeaders` in @estuary/api's attachments/names.ts (the route sets the rest). */
const DOWNLOAD_HEADERS = [
  {
    key: 'Content-Security-Policy',
    value: "sandbox; default-src 'none'; img-src 'self'; media-src 'self'",
  },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
];

const config = (phase: string): NextConfig => ({
  // Workspace packages ship TypeScript source; Next compiles them with the app.
  transpilePackages: [
    '@estuary/api',
    '@estuary/auth',
    '@estuary/db',
    '@estuary/realtime',
    '@estuary/client',
  ],
  serverExternalPackages: ['postgres', 'ioredis', 'sharp', '@aws-sdk/client-s3'],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  devIndicators: false,
  allowedDevOrigins: devOrigins(),
  // Build tooling, not app configuration (that is src/env.ts): the e2e harness runs its own
  // `next dev` beside a developer's `pnpm dev`, and Next allows one dev server per dist dir.
  distDir: process.env.ESTUARY_NEXT_DIST_DIR || '.next',
  async headers() {
    return [
      { source: '/:path*', headers: securityHeaders(phase === PHASE_DEVELOPMENT_SERVER) },
      // Attachment downloads: user content under a sandbox, never the app's page policy.
      // Config headers override a route's own, and a later rule overrides an earlier one.
      { source: '/api/attachments/:path*', headers: DOWNLOAD_HEADERS },
    ];
  },
});

export default config;
