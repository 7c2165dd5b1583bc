/** Where and how to PUT a file, as `attachment.createUpload` says. */
export interface UploadTarget {
  url: string;
  method: 'PUT';
  headers: Record<string, string>;
}

export class UploadError extends Error {
  /** The server refused the bytes (4xx): sending them again will not help. */
  constructor(
    message: string,
    readonly refused = false,
  ) {
    super(message);
  }
}

/**
 * PUTs a file with XMLHttpRequest, which (unlike fetch) reports upload progress. Resolves
 * when the server has the whole file; rejects with a readable reason, or an AbortError when
 * `signal` fires.
 */
export function putFile(
  target: UploadTarget,
  file: Blob,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(target.method, target.url);
    for (const [name, value] of Object.entries(target.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      const said = xhr.status < 500 ? xhr.responseText.slice(0, 200) : '';
      const refused = xhr.status >= 400 && xhr.status < 500;
      reject(new UploadError(said || `Upload failed (${xhr.status})`, refused));
    };
    xhr.onerror = () => reject(new UploadError('Upload interrupted: could not reach the server'));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
