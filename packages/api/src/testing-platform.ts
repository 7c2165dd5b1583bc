// Test helpers for platform tokens: a real key server and tokens signed as the platform would.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export type SigningKey = { kid: string; privateKey: CryptoKey; jwk: JWK };

export async function newKey(alg: 'ES256' | 'RS256' = 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `key-${randomUUID().slice(0, 8)}`;
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/**
 * The platform's key server, for real: it serves a JWKS over HTTP, its keys can be rotated,
 * and it can be switched off (503) to play an outage. It counts the fetches it answers.
 */
export async function startJwksServer(keys: SigningKey[]) {
  const state = { keys: [...keys], down: false, fetches: 0 };
  const server: Server = createServer((_req, res) => {
    if (state.down) {
      res.writeHead(503).end('down');
      return;
    }
    state.fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: state.keys.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    close: () => new Promise((resolve) => server.close(() => resolve(null))),
  };
}

export const ISSUER = 'https://platform.example';
export const AUDIENCE = 'estuary';

/** A platform access token, as the platform's login would issue it. */
export function platformToken(
  key: SigningKey,
  claims: Record<string, unknown>,
  options: { issuer?: string; audience?: string; expiresIn?: string | number } = {},
) {
  const alg = key.jwk.alg as string;
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid: key.kid })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '10m')
    .sign(key.privateKey);
}
