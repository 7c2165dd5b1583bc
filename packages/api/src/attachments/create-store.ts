import type { AttachmentConfig } from './env';
import { type AttachmentStore, LocalStore } from './store';

// Apart from ./store so that the S3 store, which implements its interface, is not imported
// by the module it imports from.

export async function createStore(config: AttachmentConfig['store']): Promise<AttachmentStore> {
  if (config.kind === 'local') return new LocalStore(config.dir);
  // Loaded on demand: the AWS SDK is large and local installs never need it.
  const { S3Store } = await import('./s3-store');
  return new S3Store(config);
}
