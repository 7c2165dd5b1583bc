import { putFile, type UploadTarget } from './put-file';

type CreateUpload = (input: {
  conversationId: string;
  name: string;
  contentType: string;
  size: number;
}) => Promise<{ attachment: { id: string }; upload: UploadTarget }>;

/**
 * One file to the server: `attachment.createUpload`, then the bytes to the URL it gives.
 * Returns the attachment's id. The composer and the outbox (files held while offline) both
 * upload this way.
 */
export async function uploadFile(
  createUpload: CreateUpload,
  conversationId: string,
  file: { name: string; type: string; blob: Blob },
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<string> {
  const { attachment, upload } = await createUpload({
    conversationId,
    name: file.name || 'pasted file',
    contentType: file.type || 'application/octet-stream',
    size: file.blob.size,
  });
  signal.throwIfAborted();
  await putFile(upload, file.blob, onProgress, signal);
  return attachment.id;
}
