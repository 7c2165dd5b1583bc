import { createDecipheriv, createECDH, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import webpush from 'web-push';

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

export interface ReceivedWebhook {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * A booking platform's endpoint: verifies every Standard Webhooks signature (a bad one is a
 * test failure), and answers with whatever `answer` says for each delivery.
 */
export async function startWebhookReceiver() {
  const verifier = new Webhook(WEBHOOK_SECRET);
  const received: ReceivedWebhook[] = [];
  const attempts: string[] = [];
  const badSignatures: string[] = [];
  const state = { answer: (_attempt: number, _id: string): number | 'hang' => 200 };
  const server = createServer(async (req, res) => {
    const body = (await readBody(req)).toString('utf8');
    const id = String(req.headers['webhook-id']);
    try {
      verifier.verify(body, req.headers as Record<string, string>);
    } catch (error) {
      badSignatures.push(`${id}: ${String(error)}`);
      res.writeHead(400).end();
      return;
    }
    attempts.push(id);
    const answer = state.answer(attempts.filter((a) => a === id).length, id);
    if (answer === 'hang') return; // never answers: the sender's process dies first
    if (answer >= 200 && answer < 300) {
      const event = JSON.parse(body) as Omit<ReceivedWebhook, 'id'>;
      received.push({ id, ...event });
    }
    res.writeHead(answer).end();
  });
  const url = await listen(server);
  return {
    url: `${url}/hooks`,
    received,
    attempts,
    badSignatures,
    state,
    close: () => new Promise((r) => server.close(() => r(null))),
  };
}

export const vapidKeys = () => {
  const keys = webpush.generateVAPIDKeys();
  return {
    publicKey: keys.publicKey,
    privateKey: keys.privateKey,
    subject: 'mailto:ops@example.com',
  };
};

/**
 * A browser's push subscription and its push service in one: a real P-256 key pair and auth
 * secret, and an HTTP endpoint that decrypts what it receives (RFC 8291, aes128gcm).
 */
export async function startPushReceiver() {
  const ecdh = createECDH('prime256v1');
  const publicKey = ecdh.generateKeys();
  const authSecret = randomBytes(16);
  const received: { payload: Record<string, unknown>; headers: IncomingMessage['headers'] }[] = [];
  const state = { status: 201 };
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (state.status < 300)
      received.push({ payload: JSON.parse(decrypt(body).toString('utf8')), headers: req.headers });
    res.writeHead(state.status).end();
  });
  const base = await listen(server);

  function decrypt(body: Buffer): Buffer {
    const salt = body.subarray(0, 16);
    const idLength = body.readUInt8(20);
    const senderKey = body.subarray(21, 21 + idLength);
    const ciphertext = body.subarray(21 + idLength);
    const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();
    const shared = ecdh.computeSecret(senderKey);
    const info = Buffer.concat([Buffer.from('WebPush: info\0'), publicKey, senderKey]);
    const ikm = hmac(hmac(authSecret, shared), Buffer.concat([info, Buffer.from([1])]));
    const prk = hmac(salt, ikm);
    const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
    const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(ciphertext.subarray(-16));
    const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, -16)), decipher.final()]);
    let end = padded.length - 1;
    while (end > 0 && padded[end] === 0) end--;
    if (padded[end] !== 2) throw new Error('bad padding delimiter');
    return padded.subarray(0, end);
  }

  return {
    subscription: (path = `/push/${randomBytes(8).toString('hex')}`) => ({
      endpoint: `${base}${path}`,
      keys: { p256dh: publicKey.toString('base64url'), auth: authSecret.toString('base64url') },
    }),
    received,
    state,
    close: () => new Promise((r) => server.close(() => r(null))),
  };
}
