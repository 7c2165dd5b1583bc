'use client';

import { useEffect } from 'react';

/**
 * "(3) Bookings · Estuary Chat": the unread total in the tab title, so a background tab shows
 * it. Next sets each page's own title after navigations, so the prefix is put back whenever
 * the title changes.
 */
export function useUnreadTitle(unread: number) {
  useEffect(() => {
    const apply = () => {
      const base = document.title.replace(/^\(\d+\) /, '');
      const wanted = unread > 0 ? `(${unread}) ${base}` : base;
      if (document.title !== wanted) document.title = wanted;
    };
    apply();
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { subtree: true, childList: true, characterData: true });
    return () => observer.disconnect();
  }, [unread]);
}
