'use client';

import Link from 'next/link';
import { useEffect, useId, useState } from 'react';
import { formatFull } from '../lib/format';
import { trpc } from '../lib/trpc';
import { snippet } from './snippet';

const DEBOUNCE_MS = 250;

/**
 * Search over all of the user's conversations, above the conversation list. Results come as
 * you type (debounced), the matched words marked; a result opens its conversation at the
 * message. While a query is typed, `children` (the list) is replaced by the results.
 */
export function SearchBox({ children }: { children: React.ReactNode }) {
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const id = useId();
  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim()), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  const results = trpc.message.search.useQuery(
    { query, limit: 20 },
    { enabled: query.length > 0, staleTime: 5_000 },
  );
  const items = results.data?.items ?? [];

  return (
    <>
      <search className="search-box">
        <label htmlFor={id} className="visually-hidden">
          Search messages
        </label>
        <input
          id={id}
          type="search"
          placeholder="Search messages"
          value={text}
          maxLength={200}
          autoComplete="off"
          onChange={(event) => setText(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') setText('');
          }}
        />
      </search>
      {query ? (
        <section aria-label="Search results" aria-busy={results.isFetching}>
          <p className="muted pad" role="status">
            {results.isPending
              ? 'Searching…'
              : results.error
                ? 'Search failed. Try again.'
                : `${items.length}${results.data?.nextCursor ? '+' : ''} result${items.length === 1 ? '' : 's'}`}
          </p>
          <ul className="search-results">
            {items.map((hit) => (
              <li key={hit.message.id}>
                <Link
                  href={`/conversations/${hit.conversationId}?seq=${hit.message.seq}`}
                  onClick={() => setText('')}
                >
                  <span className="hit-title">{hit.conversationTitle || 'Conversation'}</span>
                  <span>
                    {snippet(hit.message.content, hit.highlights).map((part, i) =>
                      part.mark ? (
                        // biome-ignore lint/suspicious/noArrayIndexKey: segments never reorder
                        <mark key={i}>{part.text}</mark>
                      ) : (
                        // biome-ignore lint/suspicious/noArrayIndexKey: segments never reorder
                        <span key={i}>{part.text}</span>
                      ),
                    )}
                  </span>
                  <span className="hit-meta">
                    {hit.message.senderName} · {formatFull(hit.message.createdAt)}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : (
        children
      )}
    </>
  );
}
