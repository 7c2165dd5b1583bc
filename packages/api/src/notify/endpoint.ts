import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Addresses a subscription must never make us call: loopback, private, link-local, and the like. */
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return blocked.check(mapped[1], 'ipv4');
  return blocked.check(address, 'ipv6');
}

export class RefusedEndpoint extends Error {}

/** A Web Push endpoint must be an https URL (unless insecure endpoints are allowed). */
export function checkEndpointUrl(endpoint: string, allowInsecure: boolean): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new RefusedEndpoint('The endpoint is not a URL');
  }
  if (url.protocol !== 'https:' && !(allowInsecure && url.protocol === 'http:'))
    throw new RefusedEndpoint('The endpoint must be an https URL');
  if (url.username || url.password)
    throw new RefusedEndpoint('The endpoint must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowInsecure && isIP(host) && isPrivateAddress(host))
    throw new RefusedEndpoint('The endpoint is on a private network');
  return url;
}

/**
 * Resolves like dns.lookup, but fails for private addresses. The connection is made to the
 * address checked here, so a name that re-resolves to a private address later cannot slip by.
 */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 4);
    const list = addresses as unknown as LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad || list.length === 0)
      return callback(new RefusedEndpoint(`${hostname} resolves to a private address`), '', 4);
    if (options.all)
      return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    const first = list[0] as LookupAddress;
    callback(null, first.address, first.family);
  });
};

export interface OutboundResponse {
  status: number;
  body: string;
}

/** POSTs with a timeout. With `publicOnly`, refuses to connect to a private address. */
export function post(
  url: URL,
  headers: Record<string, string>,
  body: string | Buffer,
  options: { publicOnly: boolean; timeoutMs?: number },
): Promise<OutboundResponse> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: options.timeoutMs ?? 15_000,
        ...(options.publicOnly ? { lookup: publicOnlyLookup } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          // Only the start of an answer is kept: it is for the log, not for us to parse.
          if (size < 4_096) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => reject(error));
    req.end(body);
  });
}
