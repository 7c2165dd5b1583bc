'use client';

import type { Message } from '@estuary/api';
import { useEffect, useRef, useState } from 'react';
import { trpc } from '../lib/trpc';

/** The quick choices; any emoji works through the API, these are one click away. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '🙏'];

interface Props {
  message: Message;
  meId: string;
  nameOf(userId: string): string;
  onChanged(message: Message): void;
}

/**
 * Reactions under a message: one toggle per emoji (pressed when it is yours; its title and
 * label say who reacted), and a "React" button opening a row of quick emoji. Everything is a
 * real button, so Tab and Enter do what a pointer does; Escape closes the row.
 */
export function Reactions({ message, meId, nameOf, onChanged }: Props) {
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const firstChoice = useRef<HTMLButtonElement>(null);
  // The row was asked for: put focus on its first choice, so arrows-free Tab order starts there.
  useEffect(() => {
    if (open) firstChoice.current?.focus();
  }, [open]);
  const add = trpc.reaction.add.useMutation({ onSuccess: onChanged });
  const remove = trpc.reaction.remove.useMutation({ onSuccess: onChanged });
  const busy = add.isPending || remove.isPending;
  const react = (emoji: string) => {
    const mine = message.reactions.find((r) => r.emoji === emoji)?.userIds.includes(meId);
    (mine ? remove : add).mutate({ messageId: message.id, emoji });
  };
  const who = (userIds: string[]) =>
    userIds.map((id) => (id === meId ? 'You' : nameOf(id))).join(', ');

  return (
    <div className="reactions">
      {message.reactions.map((r) => {
        const mine = r.userIds.includes(meId);
        return (
          <button
            key={r.emoji}
            type="button"
            className={mine ? 'reaction mine' : 'reaction'}
            aria-pressed={mine}
            aria-label={`${r.emoji} ${r.count}: ${who(r.userIds)}`}
            title={who(r.userIds)}
            disabled={busy}
            onClick={() => react(r.emoji)}
          >
            <span aria-hidden="true">{r.emoji}</span> <span aria-hidden="true">{r.count}</span>
          </button>
        );
      })}
      <button
        ref={toggle}
        type="button"
        className="link react-toggle"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        React
      </button>
      {open && (
        <div
          className="reaction-picker"
          role="toolbar"
          aria-label="Choose a reaction"
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              setOpen(false);
              toggle.current?.focus();
            }
          }}
        >
          {QUICK_REACTIONS.map((emoji, i) => (
            <button
              key={emoji}
              type="button"
              ref={i === 0 ? firstChoice : undefined}
              aria-label={`React with ${emoji}`}
              onClick={() => {
                react(emoji);
                setOpen(false);
                toggle.current?.focus();
              }}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
      {(add.error || remove.error) && <span role="alert">Could not react. Try again.</span>}
    </div>
  );
}
