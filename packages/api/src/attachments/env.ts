import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devStateDir } from '@estuary/db';
import { z } from 'zod';

/** The default allow-list: images, PDF, audio, video, plain text and office documents. */
export const DEFAULT_ATTACHMENT_TYPES = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'application/pdf',
  'audio/*',
  'video/*',
  'text/plain',
  'text/csv',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
].join(',');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  ATTACHMENTS_DIR: z.string().min(1).optional(),
  /** Optional origin put in front of apps/web's attachment paths (e.g. for the CLI). */
  ATTACHMENTS_PUBLIC_URL: z.url().optional(),
  S3_BUCKET: z.string().min(1).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ENDPOINT: z.url().optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: z.stringbool().default(false),
  ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
  ATTACHMENT_TYPES: z.string().min(1).default(DEFAULT_ATTACHMENT_TYPES),
});

export type S3Config = {
  bucket: string;
  region: string;
  endpoint?: string | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  forcePathStyle: boolean;
};

export type AttachmentConfig = {
  store: { kind: 'local'; dir: string } | ({ kind: 's3' } & S3Config);
  maxBytes: number;
  /** Allowed types; `audio/*` style wildcards allowed. */
  types: string[];
  publicUrl: string;
};

/** The only reader of process.env for attachments. S3 when `S3_BUCKET` is set, else local disk. */
export function attachmentConfigFromEnv(source: NodeJS.ProcessEnv = process.env): AttachmentConfig {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid attachment configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dir =
    e.ATTACHMENTS_DIR ??
    (e.NODE_ENV === 'test'
      ? join(tmpdir(), `estuary-attachments-${process.pid}`)
      : join(devStateDir(), 'attachments'));
  return {
    store: e.S3_BUCKET
      ? {
          kind: 's3',
          bucket: e.S3_BUCKET,
          region: e.S3_REGION,
          endpoint: e.S3_ENDPOINT,
          accessKeyId: e.S3_ACCESS_KEY_ID,
          secretAccessKey: e.S3_SECRET_ACCESS_KEY,
          forcePathStyle: e.S3_FORCE_PATH_STYLE,
        }
      : { kind: 'local', dir },
    maxBytes: e.ATTACHMENT_MAX_BYTES,
    types: e.ATTACHMENT_TYPES.split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
    publicUrl: (e.ATTACHMENTS_PUBLIC_URL ?? '').replace(/\/$/, ''),
  };
}
