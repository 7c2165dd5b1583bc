'use client';

import type { Message } from '@estuary/api';
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { errorInfo } from '../lib/errors';
import { useLimits } from '../lib/limits';
import { trpc } from '../lib/trpc';

interface Props {
  message: Message;
  onDone(updated: Message | null): void;
}

/** Inline edit of one's own message: Enter saves, Shift+Enter is a newline, Esc cancels. */
export function MessageEditor({ message, onDone }: Props) {
  const [text, setText] = useState(message.content);
  const box = useRef<HTMLTextAreaElement>(null);
  const edit = trpc.message.edit.useMutation();
  const { maxContentLength } = useLimits();

  useEffect(() => {
    const el = box.current;
    el?.focus();
    el?.setSelectionRange(el.value.length, el.value.length);
  }, []);

  const save = () => {
    const content = text.trim();
    if (content === message.content) return onDone(null);
    if (!content || edit.isPending) return;
    edit.mutate({ messageId: message.id, content }, { onSuccess: (updated) => onDone(updated) });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onDone(null);
    } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      save();
    }
  };

  return (
    <form
      className="editor"
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
    >
      <textarea
        ref={box}
        aria-label="Edit message"
        value={text}
        rows={Math.min(8, text.split('\n').length + 1)}
        maxLength={maxContentLength}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      {edit.error && (
        <p role="alert" className="error">
          Could not save: {errorInfo(edit.error).message}
        </p>
      )}
      <div className="editor-actions">
        <button type="submit" disabled={!text.trim() || edit.isPending}>
          Save
        </button>
        <button type="button" className="quiet" onClick={() => onDone(null)}>
          Cancel
        </button>
        <span className="hint">Esc to cancel</span>
      </div>
    </form>
  );
}
