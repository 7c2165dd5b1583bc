'use client';

import { usePathname } from 'next/navigation';
import { useEffect } from 'react';

/** "(3) Estuary Chat": the unread total in the tab title, so a background tab shows it. */
export function useUnreadTitle(unread: number) {
  // Navigations may reset the title from the page's metadata: apply it again after each.
  const pathname = usePathname();
  // biome-ignore lint/correctness/useExhaustiveDependencies: `pathname` is the trigger
  useEffect(() => {
    const base = document.title.replace(/^\(\d+\) /, '');
    document.title = unread > 0 ? `(${unread}) ${base}` : base;
  }, [unread, pathname]);
}
