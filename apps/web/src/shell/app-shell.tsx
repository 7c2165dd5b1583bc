'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { useConversations } from '../conversations/conversations-context';
import { roleLabel } from '../conversations/display';
import { useMe } from '../lib/session';
import { ConnectionStatus } from './connection-status';
import { NotificationsControl } from './notifications-control';
import { SignOutButton } from './sign-out-button';
import { useDeliveryMarks } from './use-delivery-marks';
import { useRefetchOnReconnect } from './use-refetch-on-reconnect';
import { useUnreadTitle } from './use-unread-title';

function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const active = usePathname().startsWith(href);
  return (
    <Link href={href} aria-current={active ? 'page' : undefined}>
      {children}
    </Link>
  );
}

export function AppShell({ children }: { children: ReactNode }) {
  const me = useMe();
  const { unread, items } = useConversations();
  useRefetchOnReconnect();
  useDeliveryMarks(items, me.id);
  useUnreadTitle(unread);
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Estuary</span>
        <nav aria-label="Main">
          <NavLink href="/conversations">
            Conversations
            {unread > 0 && (
              <span className="badge">
                {unread}
                <span className="visually-hidden"> unread</span>
              </span>
            )}
          </NavLink>
          <NavLink href="/bookings">Bookings</NavLink>
        </nav>
        <ConnectionStatus />
        <NotificationsControl />
        <span className="me">
          {me.name} <span className="muted">· {roleLabel(me.role)}</span>
        </span>
        <SignOutButton />
      </header>
      <main id="main" className="main">
        {children}
      </main>
    </div>
  );
}
