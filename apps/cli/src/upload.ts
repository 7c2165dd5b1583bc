import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { ChatClient } from '@estuary/client';
import { CliError } from './errors';

/** The usual types by extension; the server sniffs the bytes and refuses a mismatch anyway. */
const TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.webm': 'video/webm',
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.ppt': 'application/vnd.ms-powerpoint',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.odt': 'application/vnd.oasis.opendocument.text',
};

export const contentTypeOf = (path: string) =>
  TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';

/**
 * Uploads one file for a message: asks for an upload, PUTs the bytes where it says (apps/web,
 * whose relative URLs are resolved against --http-url, or the object store), and returns
 * the attachment id to send.
 */
export async function uploadFile(
  client: ChatClient,
  httpUrl: string,
  conversationId: string,
  path: string,
): Promise<string> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new CliError(`No such file: ${path}`);
  const { attachment, upload } = await client.attachment.createUpload.mutate({
    conversationId,
    name: basename(path),
    contentType: contentTypeOf(path),
    size: info.size,
  });
  const response = await fetch(new URL(upload.url, httpUrl), {
    method: upload.method,
    headers: upload.headers,
    body: new Uint8Array(await readFile(path)),
  });
  if (!response.ok) {
    const said = (await response.text()).slice(0, 200);
    throw new CliError(`Upload of ${basename(path)} failed (${response.status}): ${said}`);
  }
  return attachment.id;
}
