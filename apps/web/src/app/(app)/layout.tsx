import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { ConversationsProvider } from '../../conversations/conversations-context';
import { env } from '../../env';
import { LimitsProvider } from '../../lib/limits';
import { chatServer } from '../../server/services';
import { sessionUserId } from '../../server/session';
import { AppShell } from '../../shell/app-shell';
import { Providers } from '../providers';

/**
 * Every signed-in page. The session is checked here, on the server, so a signed-out visitor
 * is sent to /login before any client code runs, and the client starts knowing its user.
 */
export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const userId = await sessionUserId();
  const { services } = await chatServer();
  const user = userId ? await services.getUser(userId) : null;
  if (!user) redirect('/login');
  return (
    <Providers wsUrl={env().WS_PUBLIC_URL ?? null} user={user}>
      <LimitsProvider limits={{ maxContentLength: services.limits.maxContentLength }}>
        <ConversationsProvider>
          <AppShell>{children}</AppShell>
        </ConversationsProvider>
      </LimitsProvider>
    </Providers>
  );
}
