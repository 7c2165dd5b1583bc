'use client';

import type { Message } from '@estuary/api';
import { formatFull, formatTime } from '../lib/format';

/**
 * A system message (a booking cancelled or moved, a notice from the platform): a centred
 * line with no sender and no actions, since nobody can edit, delete or react to it.
 */
export function SystemNotice({ message }: { message: Message }) {
  return (
    <li className="system-notice" data-seq={message.seq} data-message-id={message.id}>
      <p className="content">{message.content}</p>
      <time dateTime={message.createdAt.toISOString()} title={formatFull(message.createdAt)}>
        {formatTime(message.createdAt)}
      </time>
    </li>
  );
}
