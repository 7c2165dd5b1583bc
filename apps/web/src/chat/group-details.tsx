'use client';

import type { Conversation } from '@estuary/api';
import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { roleLabel } from '../conversations/display';
import { useContacts } from '../conversations/new-conversation';
import { userMessage } from '../lib/errors';
import { trpc } from '../lib/trpc';

/**
 * A group's details: who is in it, and (by the API's rules) rename, add, remove and leave.
 * The group's creator and practitioners may remove others; anyone may leave.
 */
export function GroupDetails({ conversation, meId }: { conversation: Conversation; meId: string }) {
  const id = useId();
  const router = useRouter();
  const utils = trpc.useUtils();
  const [title, setTitle] = useState(conversation.title ?? '');
  const [filter, setFilter] = useState('');
  const contacts = useContacts(filter);
  const me = conversation.participants.find((p) => p.userId === meId);
  const mayRemove = conversation.createdBy === meId || me?.role === 'practitioner';
  const refresh = (next: Conversation) =>
    utils.conversation.get.setData({ conversationId: conversation.id }, next);
  const rename = trpc.conversation.rename.useMutation({ onSuccess: refresh });
  const add = trpc.conversation.addParticipant.useMutation({ onSuccess: refresh });
  const remove = trpc.conversation.removeParticipant.useMutation({ onSuccess: refresh });
  const leave = trpc.conversation.leave.useMutation({
    onSuccess() {
      void utils.conversation.list.invalidate();
      router.push('/conversations');
    },
  });
  const error = rename.error ?? add.error ?? remove.error ?? leave.error;
  const members = new Set(conversation.participants.map((p) => p.userId));
  const conversationId = conversation.id;

  return (
    <section className="people-panel" aria-label="Group details">
      <form
        className="row"
        onSubmit={(event) => {
          event.preventDefault();
          if (title.trim()) rename.mutate({ conversationId, title });
        }}
      >
        <label htmlFor={`${id}-title`}>Group name</label>
        <input
          id={`${id}-title`}
          value={title}
          maxLength={100}
          onChange={(event) => setTitle(event.target.value)}
        />
        <button type="submit" disabled={rename.isPending || !title.trim()}>
          Rename
        </button>
      </form>
      <h2 className="visually-hidden">People</h2>
      <ul aria-label="People in this group">
        {conversation.participants.map((p) => (
          <li key={p.userId}>
            <span>
              {p.userId === meId ? 'You' : p.name}{' '}
              <span className="muted">({roleLabel(p.role)})</span>
            </span>
            {p.userId !== meId && mayRemove && (
              <button
                type="button"
                className="link"
                disabled={remove.isPending}
                aria-label={`Remove ${p.name}`}
                onClick={() => remove.mutate({ conversationId, userId: p.userId })}
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      <label htmlFor={`${id}-add`}>Add people</label>
      <input
        id={`${id}-add`}
        type="search"
        placeholder="Type a name"
        value={filter}
        autoComplete="off"
        onChange={(event) => setFilter(event.target.value)}
      />
      <ul aria-label="Contacts to add">
        {(contacts.data?.items ?? [])
          .filter((c) => !members.has(c.id))
          .map((c) => (
            <li key={c.id}>
              <span>
                {c.name} <span className="muted">({roleLabel(c.role)})</span>
              </span>
              <button
                type="button"
                className="link"
                disabled={add.isPending}
                aria-label={`Add ${c.name}`}
                onClick={() => add.mutate({ conversationId, userId: c.id })}
              >
                Add
              </button>
            </li>
          ))}
      </ul>
      <div className="row">
        <button
          type="button"
          className="danger"
          disabled={leave.isPending}
          onClick={() => leave.mutate({ conversationId })}
        >
          Leave group
        </button>
      </div>
      {error && <p role="alert">{userMessage(error)}</p>}
    </section>
  );
}
