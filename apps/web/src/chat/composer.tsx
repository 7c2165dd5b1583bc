'use client';

import type { Message } from '@estuary/api';
import {
  type ClipboardEvent,
  type DragEvent,
  type FormEvent,
  type KeyboardEvent,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import { UploadList } from '../attachments/upload-list';
import { useUploads } from '../attachments/use-uploads';
import { useLimits } from '../lib/limits';
import { useOutbox } from './outbox-context';
import { ReplyingTo } from './reply-quote';
import { useTypingAnnouncer } from './use-typing';

/**
 * Writes a message. Enter sends, Shift+Enter starts a new line. It never waits for the
 * network: the text goes to the outbox, which sends it now or when the connection is back.
 * Files (by the button, drag and drop, or paste) upload at once; a message sent while they
 * upload goes out when they are all up, and a failed one keeps the text until it is retried
 * or removed. Offline, files are held and go into the outbox with the message.
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
  const [waiting, setWaiting] = useState(false);
  const [dragging, setDragging] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const { send } = useOutbox();
  const files = useUploads(conversationId);
  const typing = useTypingAnnouncer(conversationId);
  const id = useId();
  const content = text.trim();
  const { maxContentLength } = useLimits();
  const tooLong = content.length > maxContentLength;
  const uploading = files.uploads.some((u) => u.status === 'uploading');
  const failed = files.uploads.some((u) => u.status === 'failed');
  const empty = !content && files.uploads.length === 0;

  // Choosing Reply puts the cursor here, ready to write.
  useEffect(() => {
    if (replyTo) box.current?.focus();
  }, [replyTo]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (empty || tooLong) return;
    if (uploading || failed) return setWaiting(true);
    const done = files.uploads.filter((u) => u.attachmentId);
    const held = files.uploads.filter((u) => u.status === 'held');
    send(
      conversationId,
      content,
      replyTo?.id ?? null,
      done.length + held.length > 0
        ? {
            ids: done.map((u) => u.attachmentId as string),
            names: [...done, ...held].map((u) => u.file.name || 'pasted file'),
            held: held.map((u) => ({ name: u.file.name, type: u.file.type, blob: u.file })),
          }
        : undefined,
    );
    onReplyDone?.();
    typing.stop();
    setText('');
    files.clear();
    setWaiting(false);
    box.current?.focus();
  };

  // Sent while uploading: go as soon as every file is up.
  // biome-ignore lint/correctness/useExhaustiveDependencies: submit reads the latest state
  useEffect(() => {
    if (waiting && !uploading && !failed) submit();
  }, [waiting, uploading, failed]);

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
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    if (event.clipboardData.files.length === 0) return;
    event.preventDefault();
    files.add(event.clipboardData.files);
  };
  const onDrop = (event: DragEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDragging(false);
    if (event.dataTransfer.files.length > 0) files.add(event.dataTransfer.files);
  };

  return (
    <form
      className={dragging ? 'composer dragging' : 'composer'}
      onSubmit={submit}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      {replyTo && <ReplyingTo message={replyTo} onCancel={() => onReplyDone?.()} />}
      <UploadList uploads={files.uploads} onRemove={files.remove} onRetry={files.retry} />
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
        onPaste={onPaste}
        onBlur={typing.stop}
      />
      <input
        ref={picker}
        type="file"
        multiple
        hidden
        data-testid="attach-input"
        onChange={(event) => {
          if (event.target.files) files.add(event.target.files);
          event.target.value = '';
        }}
      />
      <button type="button" className="quiet" onClick={() => picker.current?.click()}>
        Attach
      </button>
      <button type="submit" disabled={empty || tooLong}>
        Send
      </button>
      <p id={`${id}-hint`} className={tooLong || (waiting && failed) ? 'hint error' : 'hint'}>
        {tooLong
          ? `${content.length - maxContentLength} characters over the limit of ${maxContentLength}`
          : waiting && failed
            ? 'A file did not upload: retry or remove it to send'
            : waiting
              ? 'Sends when the files are up'
              : 'Enter to send, Shift+Enter for a new line'}
      </p>
    </form>
  );
}
