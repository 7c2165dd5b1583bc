'use client';

import type { Message } from '@estuary/api';
import { useEffect, useRef, useState } from 'react';
import { AttachmentList } from '../attachments/attachment-list';
import { formatFull, formatTime } from '../lib/format';
import { trpc } from '../lib/trpc';
import { MessageEditor } from './message-editor';
import { Reactions } from './reactions';
import { ReplyQuote } from './reply-quote';

interface Props {
  message: Message;
  mine: boolean;
  /** Follows a message of the same sender within minutes: the name and time are not repeated. */
  continued: boolean;
  /** For one's own messages: "Sent", "Delivered", "Read", or "Delivered to 3, read by 2". */
  status: string | null;
  /** Shows a mutation's result before its event arrives. */
  onChanged(message: Message): void;
  /** v2: reactions, replies and jumping to a quoted message. */
  meId?: string;
  nameOf?(userId: string): string;
  onReply?(message: Message): void;
  onJump?(seq: number): void;
  highlighted?: boolean;
}

export function MessageItem(props: Props) {
  const { message, mine, continued, status, onChanged } = props;
  const { meId, nameOf, onReply, onJump, highlighted } = props;
  const [mode, setMode] = useState<'view' | 'edit' | 'confirm-delete'>('view');
  const editButton = useRef<HTMLButtonElement>(null);
  const keepButton = useRef<HTMLButtonElement>(null);
  const remove = trpc.message.delete.useMutation({
    onSuccess(deleted) {
      onChanged(deleted);
      setMode('view');
    },
  });
  const deleted = message.deletedAt !== null;

  // The user asked to delete: put them on the safe answer of the question that appeared.
  useEffect(() => {
    if (mode === 'confirm-delete') keepButton.current?.focus();
  }, [mode]);

  const closeEditor = (updated: Message | null) => {
    if (updated) onChanged(updated);
    setMode('view');
    // Give focus back to where the edit started, for keyboard users.
    requestAnimationFrame(() => editButton.current?.focus());
  };

  return (
    <li
      className={`message${mine ? ' mine' : ''}${deleted ? ' deleted' : ''}${continued ? ' continued' : ''}${highlighted ? ' highlighted' : ''}`}
      data-seq={message.seq}
      data-message-id={message.id}
    >
      {/* Still read out when visually folded: a screen reader has no visual grouping. */}
      <div className={continued ? 'meta visually-hidden' : 'meta'}>
        <span className="sender">{mine ? 'You' : message.senderName}</span>
        <time dateTime={message.createdAt.toISOString()} title={formatFull(message.createdAt)}>
          {formatTime(message.createdAt)}
        </time>
      </div>
      {mode === 'edit' ? (
        <MessageEditor message={message} onDone={closeEditor} />
      ) : (
        <div className="bubble">
          {message.replyTo && onJump && <ReplyQuote quote={message.replyTo} onJump={onJump} />}
          {deleted ? (
            <em>Message deleted</em>
          ) : (
            message.content !== '' && <p className="content">{message.content}</p>
          )}
          {!deleted && <AttachmentList attachments={message.attachments ?? []} />}
          {message.editedAt && !deleted && (
            <span className="edited" title={formatFull(message.editedAt)}>
              (edited)
            </span>
          )}
        </div>
      )}
      {!deleted && mode === 'view' && meId && nameOf && (
        <div className="message-tools">
          <Reactions message={message} meId={meId} nameOf={nameOf} onChanged={onChanged} />
          {onReply && (
            <button type="button" className="link" onClick={() => onReply(message)}>
              Reply
            </button>
          )}
        </div>
      )}
      {mine && !deleted && mode === 'view' && (
        <div className="actions">
          {status && <span className="status">{status}</span>}
          <button ref={editButton} type="button" className="link" onClick={() => setMode('edit')}>
            Edit
          </button>
          <button type="button" className="link" onClick={() => setMode('confirm-delete')}>
            Delete
          </button>
        </div>
      )}
      {mode === 'confirm-delete' && (
        // biome-ignore lint/a11y/useSemanticElements: an inline confirmation, not a form field group
        <div className="actions confirm" role="group" aria-label="Confirm delete">
          <span>Delete this message?</span>
          <button
            type="button"
            className="danger"
            disabled={remove.isPending}
            onClick={() => remove.mutate({ messageId: message.id })}
          >
            Yes, delete
          </button>
          <button ref={keepButton} type="button" className="quiet" onClick={() => setMode('view')}>
            Keep
          </button>
          {remove.error && <span role="alert">Could not delete. Try again.</span>}
        </div>
      )}
    </li>
  );
}
