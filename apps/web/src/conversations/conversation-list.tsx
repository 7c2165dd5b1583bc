'use client';

import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useMe } from '../lib/session';
import { SearchBox } from '../search/search-box';
import { ConversationListItem } from './conversation-list-item';
import { useConversations } from './conversations-context';
import { NewConversation } from './new-conversation';

/** Rows whose presence dot follows a subscription; the rest poll (see usePresence). */
const LIVE_PRESENCE_ROWS = 30;

export function ConversationList() {
  const me = useMe();
  const params = useParams<{ id?: string }>();
  const { items, loading, error, hasMore, loadMore } = useConversations();
  return (
    <nav className="conversation-list" aria-labelledby="conversations-title">
      <h2 id="conversations-title">Conversations</h2>
      <NewConversation />
      <SearchBox>
        {loading && <p className="muted pad">Loading…</p>}
        {error && (
          <p role="alert" className="error pad">
            {error}
          </p>
        )}
        {!loading && items.length === 0 && (
          <p className="muted pad">
            No conversations yet. Open one from <Link href="/bookings">your bookings</Link>.
          </p>
        )}
        <ul>
          {items.map((summary, index) => (
            <ConversationListItem
              key={summary.id}
              summary={summary}
              meId={me.id}
              active={summary.id === params.id}
              live={index < LIVE_PRESENCE_ROWS}
            />
          ))}
        </ul>
        {hasMore && (
          <button type="button" className="quiet more" onClick={loadMore}>
            Show more conversations
          </button>
        )}
      </SearchBox>
    </nav>
  );
}
