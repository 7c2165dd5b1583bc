import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';
import '../styles/shell.css';
import '../styles/lists.css';
import '../styles/chat.css';
import '../styles/messages.css';
import '../styles/features.css';

export const metadata: Metadata = {
  title: 'Estuary Chat',
  description: 'Messages between practitioners and their clients',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

// Runtime configuration (the ws address) is read per request, not baked in at build time.
export const dynamic = 'force-dynamic';

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
