import { schema } from '@estuary/db';
import { eq } from 'drizzle-orm';
import type { Deps } from '../deps';
import { badRequest } from '../domain/errors';
import { processImage } from './images';
import type { AttachmentStore } from './store';
import { isImage, SNIFF_BYTES, sniffMatches } from './types';

export type AttachmentRow = typeof schema.attachments.$inferSelect;

export const keys = (row: Pick<AttachmentRow, 'conversationId' | 'id'>) => ({
  original: `${row.conversationId}/${row.id}/original`,
  served: `${row.conversationId}/${row.id}/served`,
  thumb: `${row.conversationId}/${row.id}/thumb`,
});

/**
 * Checks an uploaded object against its row: present, exactly the declared size, and
 * sniffing as the declared type. What is checked is what is served: a non-image is copied
 * to a key no upload URL was ever issued for, and sniffed there, so a second PUT to the old
 * URL cannot swap the bytes afterwards. A failed check removes the bytes.
 */
export async function verifyUpload(deps: Deps, store: AttachmentStore, row: AttachmentRow) {
  const k = keys(row);
  const size = await store.size(row.storageKey);
  if (size === null) throw badRequest(`Attachment "${row.name}" has not been uploaded yet`);
  if (size !== row.size) {
    await store.remove([row.storageKey]);
    throw badRequest(
      `Attachment "${row.name}" is ${size} bytes, not the ${row.size} declared; upload it again`,
    );
  }
  let sniffKey = row.storageKey;
  if (!isImage(row.contentType)) {
    await copy(store, row.storageKey, k.served, row.contentType);
    sniffKey = k.served;
  }
  const head = await store.head(sniffKey, SNIFF_BYTES);
  if (!(await sniffMatches(row.contentType, head))) {
    await store.remove([row.storageKey, k.served]);
    throw badRequest(`Attachment "${row.name}" is not a ${row.contentType} file`);
  }
  const image = isImage(row.contentType);
  if (!image) await store.remove([row.storageKey]);
  const [updated] = await deps.db
    .update(schema.attachments)
    .set({ verifiedAt: new Date(), servedKey: image ? null : k.served })
    .where(eq(schema.attachments.id, row.id))
    .returning();
  return updated ?? row;
}

async function copy(store: AttachmentStore, from: string, to: string, contentType: string) {
  if (store.copy) return store.copy(from, to, contentType);
  await store.write(to, await store.read(from), contentType);
}

/**
 * Makes an image's served copy (orientation applied, metadata gone) and its thumbnail, then
 * drops the original, which may carry GPS coordinates. An unreadable image is refused.
 */
export async function prepareImage(deps: Deps, store: AttachmentStore, row: AttachmentRow) {
  const k = keys(row);
  let processed: Awaited<ReturnType<typeof processImage>>;
  try {
    processed = await processImage(await store.read(row.storageKey));
  } catch {
    throw badRequest(`Attachment "${row.name}" is not a readable image`);
  }
  await store.write(k.served, processed.served, row.contentType);
  await store.write(k.thumb, processed.thumbnail, processed.thumbnailType);
  const [updated] = await deps.db
    .update(schema.attachments)
    .set({
      width: processed.width,
      height: processed.height,
      servedKey: k.served,
      thumbnailKey: k.thumb,
    })
    .where(eq(schema.attachments.id, row.id))
    .returning();
  await store.remove([row.storageKey]);
  return updated ?? row;
}
