'use client';

import type { Message } from '@estuary/api';
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { useOutbox } from './outbox-context';
import { ReplyingTo } from './reply-quote';
import { useTypingAnnouncer } from './use-typing';

const MAX_LENGTH = 4_000;

/**
 * Writes a message. Enter sends, Shift+Enter starts a new line. It never waits for the
 * network: the text goes to the outbox, which sends it now or when the connection is back.
 */
export function Composer({
  conversationId,
  replyTo = null,
  onReplyDone,
}: {
  conversationId: string;
  /** v2: the message being replied to, shown above the box and sent as `replyToId`. */
  replyTo?: Message | null;
  onReplyDone?(): void;
}) {
  const [text, setText] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);
  const { send } = useOutbox();
  const typing = useTypingAnnouncer(conversationId);
  const id = useId();
  const content = text.trim();
  const tooLong = content.length > MAX_LENGTH;
  // Choosing Reply puts the cursor here, ready to write.
  useEffect(() => {
    if (replyTo) box.current?.focus();
  }, [replyTo]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!content || tooLong) return;
    send(conversationId, content, replyTo?.id ?? null);
    onReplyDone?.();
    typing.stop();
    setText('');
    box.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape' && replyTo) {
      event.preventDefault();
      onReplyDone?.();
      return;
    }
    // isComposing: Enter that confirms an IME candidate must not send.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <form className="composer" onSubmit={submit}>
      {replyTo && <ReplyingTo message={replyTo} onCancel={() => onReplyDone?.()} />}
      <label htmlFor={id} className="visually-hidden">
        Message
      </label>
      <textarea
        id={id}
        ref={box}
        value={text}
        rows={Math.min(6, text.split('\n').length)}
        placeholder="Write a message…"
        aria-describedby={`${id}-hint`}
        aria-invalid={tooLong || undefined}
        onChange={(event) => {
          setText(event.target.value);
          typing.typed(event.target.value);
        }}
        onKeyDown={onKeyDown}
        onBlur={typing.stop}
      />
      <button type="submit" disabled={!content || tooLong}>
        Send
      </button>
      <p id={`${id}-hint`} className={tooLong ? 'hint error' : 'hint'}>
        {tooLong
          ? `${content.length - MAX_LENGTH} characters over the limit of ${MAX_LENGTH}`
          : 'Enter to send, Shift+Enter for a new line'}
      </p>
    </form>
  );
}
