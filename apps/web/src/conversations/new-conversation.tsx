'use client';

import { keepPreviousData } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { userMessage } from '../lib/errors';
import { trpc } from '../lib/trpc';
import { roleLabel } from './display';

/** The caller's contacts, filtered by part of a name as it is typed. */
export function useContacts(query: string) {
  return trpc.user.contacts.useQuery(
    { query: query.trim() || null, limit: 50 },
    { placeholderData: keepPreviousData },
  );
}

/**
 * New conversation: pick people from your contacts (type to filter). One person makes a
 * direct chat; more make a group, which needs a title.
 */
export function NewConversation() {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const [picked, setPicked] = useState<Map<string, string>>(new Map());
  const [title, setTitle] = useState('');
  const id = useId();
  const router = useRouter();
  const utils = trpc.useUtils();
  const contacts = useContacts(filter);
  const done = (conversationId: string) => {
    void utils.conversation.list.invalidate();
    setOpen(false);
    setPicked(new Map());
    setTitle('');
    setFilter('');
    router.push(`/conversations/${conversationId}`);
  };
  const direct = trpc.conversation.direct.useMutation({ onSuccess: (c) => done(c.id) });
  const group = trpc.conversation.createGroup.useMutation({ onSuccess: (c) => done(c.id) });
  const error = direct.error ?? group.error;
  const busy = direct.isPending || group.isPending;
  const isGroup = picked.size > 1;

  if (!open) {
    return (
      <button type="button" className="quiet new-conversation" onClick={() => setOpen(true)}>
        New conversation
      </button>
    );
  }
  const start = (event: React.FormEvent) => {
    event.preventDefault();
    const ids = [...picked.keys()];
    if (ids.length === 1 && ids[0]) direct.mutate({ userId: ids[0] });
    else if (ids.length > 1 && title.trim()) group.mutate({ title, participantIds: ids });
  };
  return (
    <form className="people-panel" aria-label="New conversation" onSubmit={start}>
      <label htmlFor={`${id}-filter`}>People</label>
      <input
        id={`${id}-filter`}
        type="search"
        placeholder="Type a name"
        value={filter}
        autoComplete="off"
        // biome-ignore lint/a11y/noAutofocus: the panel was opened to type a name
        autoFocus
        onChange={(event) => setFilter(event.target.value)}
      />
      <ul aria-label="Your contacts">
        {(contacts.data?.items ?? []).map((person) => (
          <li key={person.id}>
            <label>
              <input
                type="checkbox"
                checked={picked.has(person.id)}
                onChange={(event) => {
                  const next = new Map(picked);
                  if (event.target.checked) next.set(person.id, person.name);
                  else next.delete(person.id);
                  setPicked(next);
                }}
              />{' '}
              {person.name} <span className="muted">({roleLabel(person.role)})</span>
            </label>
          </li>
        ))}
        {contacts.data?.items.length === 0 && (
          <li className="muted">
            {filter ? 'Nobody by that name.' : 'No contacts yet: book a session first.'}
          </li>
        )}
      </ul>
      {isGroup && (
        <>
          <label htmlFor={`${id}-title`}>Group name</label>
          <input
            id={`${id}-title`}
            value={title}
            maxLength={100}
            required
            onChange={(event) => setTitle(event.target.value)}
          />
        </>
      )}
      <div className="row">
        <button type="submit" disabled={busy || picked.size === 0 || (isGroup && !title.trim())}>
          {isGroup ? `Create group of ${picked.size + 1}` : 'Start chat'}
        </button>
        <button type="button" className="quiet" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      {error && <p role="alert">{userMessage(error)}</p>}
    </form>
  );
}
