'use client';

import { formatTime } from '../lib/format';
import type { OutboxEntry } from './outbox';

interface Props {
  entry: OutboxEntry;
  /** Queued while online means "waiting for its turn", which the user sees as sending. */
  online: boolean;
  onRetry(clientId: string): void;
  onDiscard(clientId: string): void;
}

const LABEL = {
  queued: 'Queued, sends when you are back online',
  sending: 'Sending…',
  failed: 'Not sent',
  sent: 'Sent',
} as const;

/** One of the user's messages the server has not confirmed yet, shown where it will land. */
export function PendingItem({ entry, online, onRetry, onDiscard }: Props) {
  const held = entry.heldFiles ?? 0;
  const label =
    entry.status === 'queued' && online
      ? LABEL.sending
      : entry.status === 'queued' && held > 0
        ? `Queued with ${held === 1 ? 'its file' : `${held} files`}, sends when you are back online`
        : entry.status === 'sending' && held > 0
          ? 'Uploading files…'
          : LABEL[entry.status];
  return (
    <li
      className={`message mine pending ${entry.status}`}
      data-client-id={entry.clientId}
      data-held-files={held || undefined}
    >
      <div className="meta">
        <span className="sender">You</span>
        <time dateTime={entry.createdAt.toISOString()}>{formatTime(entry.createdAt)}</time>
      </div>
      <div className="bubble">
        {entry.content && <p className="content">{entry.content}</p>}
        {entry.attachmentNames && entry.attachmentNames.length > 0 && (
          <p className="pending-files">{entry.attachmentNames.join(', ')}</p>
        )}
      </div>
      <div className="actions">
        <span className="status">{label}</span>
        {entry.status === 'failed' && (
          <>
            {entry.error && <span className="error">{entry.error}</span>}
            <button type="button" className="link" onClick={() => onRetry(entry.clientId)}>
              Retry
            </button>
            <button type="button" className="link" onClick={() => onDiscard(entry.clientId)}>
              Discard
            </button>
          </>
        )}
      </div>
    </li>
  );
}
