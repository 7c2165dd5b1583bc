/**
 * A file name safe to store and to show: no directories, no control or bidi-override
 * characters, no leading dots, at most 255 characters. Never empty.
 */
export function cleanName(raw: string): string {
  const base = raw.replace(/\\/g, '/').split('/').pop() ?? '';
  const cleaned = base
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 255);
  return cleaned === '' ? 'file' : cleaned;
}

/** Shown in the page rather than downloaded: images, audio, video and PDF. */
export const servedInline = (contentType: string) =>
  /^(image|audio|video)\//.test(contentType) || contentType === 'application/pdf';

/** `Content-Disposition` with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(name: string, contentType: string): string {
  const kind = servedInline(contentType) ? 'inline' : 'attachment';
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const utf8 = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

/** Headers on every download we serve ourselves. */
export function downloadHeaders(name: string, contentType: string, size: number) {
  return {
    'Content-Type': contentType,
    'Content-Length': String(size),
    'Accept-Ranges': 'bytes',
    'Content-Disposition': contentDisposition(name, contentType),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "sandbox; default-src 'none'; img-src 'self'; media-src 'self'",
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'private, max-age=600',
  };
}
