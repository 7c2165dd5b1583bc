import { fileTypeFromBuffer } from 'file-type';

/** How many bytes the sniffer reads (file-type's recommended sample). */
export const SNIFF_BYTES = 4100;

export const allowedType = (types: string[], contentType: string) => {
  const type = contentType.toLowerCase();
  return types.some((t) => t === type || (t.endsWith('/*') && type.startsWith(t.slice(0, -1))));
};

const OLD_OFFICE = new Set([
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
]);
const TEXT = new Set(['text/plain', 'text/csv']);
const media = (t: string) => /^(audio|video)\//.test(t);

/**
 * Whether the bytes are what the uploader said. The sniffed type decides; the declared one
 * must agree with it. Containers that hold audio or video alike (mp4, webm, ogg) may be
 * declared as either. Plain text has no signature, so it must sniff as nothing and hold no
 * NUL byte; an HTML page declared as an image sniffs as nothing and is refused.
 */
export async function sniffMatches(declared: string, head: Uint8Array): Promise<boolean> {
  const sniffed = (await fileTypeFromBuffer(head))?.mime as string | undefined;
  const type = declared.toLowerCase();
  if (!sniffed) return TEXT.has(type) && !head.includes(0);
  if (sniffed === type) return true;
  if (media(type) && media(sniffed)) return true;
  if (OLD_OFFICE.has(type)) return sniffed === 'application/x-cfb';
  if (type === 'audio/mp3') return sniffed === 'audio/mpeg';
  return false;
}

export const isImage = (contentType: string) =>
  /^image\/(jpeg|png|gif|webp|avif|heic)$/.test(contentType);
