import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { env } from '../env';
import './globals.css';
import { Providers } from './providers';

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
      <body>
        <Providers wsUrl={env().WS_PUBLIC_URL ?? null}>{children}</Providers>
      </body>
    </html>
  );
}
