'use client';

import { formatSize } from './put-file';
import type { Upload } from './use-uploads';

interface Props {
  uploads: Upload[];
  onRemove(key: string): void;
  onRetry(key: string): void;
}

/** The composer's files: name, size, a progress bar while uploading, and what can be done. */
export function UploadList({ uploads, onRemove, onRetry }: Props) {
  if (uploads.length === 0) return null;
  return (
    <ul className="uploads" aria-label="Attached files">
      {uploads.map((u) => (
        <li key={u.key} className={`upload ${u.status}`} data-upload-status={u.status}>
          <span className="upload-name">{u.file.name || 'pasted file'}</span>
          <span className="upload-size">{formatSize(u.file.size)}</span>
          {u.status === 'uploading' && (
            <progress max={1} value={u.progress} aria-label={`Uploading ${u.file.name}`} />
          )}
          {u.status === 'held' && (
            <span className="upload-held">Offline: uploads when you are back online</span>
          )}
          {u.status === 'failed' && (
            <>
              <span className="error" role="alert">
                {u.error}
              </span>
              <button type="button" className="link" onClick={() => onRetry(u.key)}>
                Retry
              </button>
            </>
          )}
          <button
            type="button"
            className="link"
            aria-label={`${u.status === 'uploading' ? 'Cancel' : 'Remove'} ${u.file.name}`}
            onClick={() => onRemove(u.key)}
          >
            {u.status === 'uploading' ? 'Cancel' : 'Remove'}
          </button>
        </li>
      ))}
    </ul>
  );
}
