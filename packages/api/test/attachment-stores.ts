import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { AttachmentConfig } from '../src/attachments/env';
import { DEFAULT_ATTACHMENT_TYPES } from '../src/attachments/env';

const base = {
  maxBytes: 1024 * 1024,
  types: DEFAULT_ATTACHMENT_TYPES.split(','),
  publicUrl: '',
};

/** Local disk in a fresh temp dir. */
export async function localStore() {
  const dir = await mkdtemp(join(tmpdir(), 'estuary-att-'));
  const config: AttachmentConfig = { ...base, store: { kind: 'local', dir } };
  return { config, close: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * An S3-compatible server from npm (s3rver), on a free port, with its own bucket: the S3
 * store's real code path (AWS SDK, presigned PUT and GET) with no credentials or network.
 */
export async function s3Store() {
  const dir = await mkdtemp(join(tmpdir(), 'estuary-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: 'estuary-test' }],
  });
  const { port } = await server.run();
  const config: AttachmentConfig = {
    ...base,
    store: {
      kind: 's3',
      bucket: 'estuary-test',
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    },
  };
  return {
    config,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
