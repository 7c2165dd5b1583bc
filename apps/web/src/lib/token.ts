'use client';

/**
 * The browser's access token: minted from the HttpOnly session cookie, held in memory only,
 * refreshed a minute before it expires. Never put in a URL or in storage.
 */
let current: { token: string; expiresAt: number } | null = null;
let pending: Promise<string> | null = null;

const REFRESH_MARGIN_MS = 60_000;

export class SignedOutError extends Error {
  constructor() {
    super('Signed out');
  }
}

async function mint(): Promise<string> {
  const res = await fetch('/api/session/token', { method: 'POST', credentials: 'same-origin' });
  if (res.status === 401) {
    current = null;
    throw new SignedOutError();
  }
  if (!res.ok) throw new Error(`Could not get a token (${res.status})`);
  const body = (await res.json()) as { token: string; expiresAt: string };
  current = { token: body.token, expiresAt: Date.parse(body.expiresAt) };
  return body.token;
}

export function getAccessToken(): Promise<string> {
  if (current && current.expiresAt - Date.now() > REFRESH_MARGIN_MS)
    return Promise.resolve(current.token);
  pending ??= mint().finally(() => {
    pending = null;
  });
  return pending;
}

export function forgetAccessToken() {
  current = null;
}
