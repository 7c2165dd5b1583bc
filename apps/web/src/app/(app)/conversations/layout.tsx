import type { ReactNode } from 'react';
import { ConversationList } from '../../../conversations/conversation-list';
import { SplitView } from '../../../conversations/split-view';

/** The list beside the open conversation on wide screens; one or the other on phones. */
export default function ConversationsLayout({ children }: { children: ReactNode }) {
  return <SplitView list={<ConversationList />}>{children}</SplitView>;
}
