import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveVapidKeys } from '../src';
import { vapidKeys } from '../src/notify/testing';

const dir = mkdtempSync(join(tmpdir(), 'vapid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const none = { publicKey: undefined, privateKey: undefined, subject: undefined };

describe('resolveVapidKeys', () => {
  it('makes a pair once in dev and keeps it beside the auth secret', () => {
    const first = resolveVapidKeys({ ...none, production: false, devStateDir: dir });
    const again = resolveVapidKeys({ ...none, production: false, devStateDir: dir });
    expect(first.keys?.publicKey).toMatch(/^[A-Za-z0-9_-]{80,}$/);
    expect(again.keys).toEqual(first.keys);
    expect(readFileSync(join(dir, 'vapid.json'), 'utf8')).toContain(first.keys?.privateKey);
  });

  it('turns push off in production without keys, and says so', () => {
    const result = resolveVapidKeys({ ...none, production: true, devStateDir: dir });
    expect(result.keys).toBeNull();
    expect(result.reason).toMatch(/VAPID_PUBLIC_KEY/);
  });

  it('takes given keys, and refuses half or invalid ones', () => {
    const given = vapidKeys();
    expect(resolveVapidKeys({ ...given, production: true, devStateDir: dir }).keys).toEqual(given);
    expect(() =>
      resolveVapidKeys({ ...none, publicKey: given.publicKey, production: true, devStateDir: dir }),
    ).toThrow(/both/);
    expect(() =>
      resolveVapidKeys({ ...given, subject: undefined, production: true, devStateDir: dir }),
    ).toThrow(/VAPID_SUBJECT/);
    expect(() =>
      resolveVapidKeys({ ...given, privateKey: 'short', production: true, devStateDir: dir }),
    ).toThrow(/Invalid VAPID/);
  });
});
