import { createECDH } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

const DEV_SUBJECT = 'mailto:dev@localhost';

/**
 * The VAPID keys for Web Push. Given ones are checked; production without them has push off
 * (null, with the reason); dev makes a pair once and keeps it beside the auth secret, so web
 * and ws (and restarts, and the browsers' subscriptions) agree.
 */
export function resolveVapidKeys(options: {
  publicKey: string | undefined;
  privateKey: string | undefined;
  subject: string | undefined;
  production: boolean;
  devStateDir: string;
}): { keys: VapidKeys | null; reason: string | null } {
  const { publicKey, privateKey, production } = options;
  const subject = options.subject || (production ? undefined : DEV_SUBJECT);
  if (publicKey || privateKey) {
    if (!publicKey || !privateKey)
      throw new Error('Set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither');
    if (!subject)
      throw new Error('VAPID_SUBJECT is required with VAPID keys (mailto: or https: URL)');
    const keys = { publicKey, privateKey, subject };
    const problem = vapidProblem(keys);
    if (problem) throw new Error(`Invalid VAPID configuration: ${problem}`);
    return { keys, reason: null };
  }
  if (production)
    return {
      keys: null,
      reason:
        'Web Push is off: set VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT to turn it on',
    };
  const file = join(options.devStateDir, 'vapid.json');
  const read = () => ({
    ...(JSON.parse(readFileSync(file, 'utf8')) as VapidKeys),
    subject: subject as string,
  });
  if (existsSync(file)) return { keys: read(), reason: null };
  mkdirSync(options.devStateDir, { recursive: true });
  // A P-256 key pair: the public key uncompressed (65 bytes), the private key 32 bytes.
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const generated = {
    publicKey: ecdh.getPublicKey().toString('base64url'),
    privateKey: ecdh.getPrivateKey().toString('base64url'),
  };
  try {
    // `wx`: if web and ws race here, the loser reads the winner's keys.
    writeFileSync(file, `${JSON.stringify(generated)}\n`, { flag: 'wx', mode: 0o600 });
    return { keys: { ...generated, subject: subject as string }, reason: null };
  } catch {
    return { keys: read(), reason: null };
  }
}

/** What web-push would refuse, said before the first push rather than at it. */
function vapidProblem(keys: VapidKeys): string | null {
  const bytes = (value: string) =>
    /^[A-Za-z0-9_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64url').length : -1;
  if (bytes(keys.publicKey) !== 65) return 'VAPID_PUBLIC_KEY must be 65 bytes, base64url';
  if (bytes(keys.privateKey) !== 32) return 'VAPID_PRIVATE_KEY must be 32 bytes, base64url';
  if (!/^(mailto:|https:\/\/)/.test(keys.subject))
    return 'VAPID_SUBJECT must be a mailto: or https: URL';
  return null;
}
