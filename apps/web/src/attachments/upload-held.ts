import type { OutboxEntry } from '../chat/outbox';
import { type HeldFile, heldFiles } from './held-files';
import { UploadError } from './put-file';
import { uploadFile } from './upload-file';

class HeldFilesLost extends Error {}

/**
 * Uploads the files a queued message was sent with while offline, and returns every
 * attachment id the send must carry (those uploaded before, then these).
 */
export async function uploadHeld(
  createUpload: Parameters<typeof uploadFile>[0],
  entry: OutboxEntry,
): Promise<string[]> {
  const files: HeldFile[] | null = await heldFiles(entry.clientId);
  if (!files) throw new HeldFilesLost('The files were lost (browser storage was cleared)');
  const ids = [...(entry.attachmentIds ?? [])];
  // One at a time: the connection just came back, and the send waits for them all anyway.
  for (const file of files) {
    ids.push(
      await uploadFile(
        createUpload,
        entry.conversationId,
        file,
        () => {},
        new AbortController().signal,
      ),
    );
  }
  return ids;
}

/** How the outbox treats a failure of uploadHeld: null when it is not one of ours. */
export function heldUploadFailure(error: unknown): { permanent: boolean; shown: string } | null {
  if (error instanceof HeldFilesLost) return { permanent: true, shown: error.message };
  if (error instanceof UploadError) return { permanent: error.refused, shown: error.message };
  return null;
}
