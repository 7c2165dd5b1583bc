import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MIN_SECRET_BYTES = 32;

export class SecretError extends Error {}

/**
 * The signing secret. Production demands a real one; dev makes one up once and keeps it in
 * the gitignored state folder so web and ws (and restarts) agree.
 */
export function resolveAuthSecret(options: {
  secret: string | undefined;
  production: boolean;
  devStateDir: string;
}): string {
  const { secret, production, devStateDir } = options;
  if (secret !== undefined && secret !== '') {
    const bytes = Buffer.byteLength(secret, 'utf8');
    if (bytes < MIN_SECRET_BYTES) {
      throw new SecretError(
        `AUTH_SECRET is ${bytes} bytes; it must be at least ${MIN_SECRET_BYTES}. Generate one with: openssl rand -base64 48`,
      );
    }
    return secret;
  }
  if (production) {
    throw new SecretError(
      'AUTH_SECRET is not set. With NODE_ENV=production the server refuses to start without a secret of at least 32 bytes (openssl rand -base64 48).',
    );
  }
  const file = join(devStateDir, 'auth-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(devStateDir, { recursive: true });
  const generated = randomBytes(48).toString('base64url');
  try {
    // `wx`: if web and ws race here, the loser reads the winner's secret.
    writeFileSync(file, `${generated}\n`, { flag: 'wx', mode: 0o600 });
    return generated;
  } catch {
    return readFileSync(file, 'utf8').trim();
  }
}
