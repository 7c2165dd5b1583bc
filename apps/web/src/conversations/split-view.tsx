'use client';

import { useSelectedLayoutSegment } from 'next/navigation';
import type { ReactNode } from 'react';

/** Marks whether a conversation is open, so narrow screens show only one of the panes. */
export function SplitView({ list, children }: { list: ReactNode; children: ReactNode }) {
  const open = useSelectedLayoutSegment() !== null;
  return (
    <div className="split" data-open={open}>
      <div className="pane pane-list">{list}</div>
      <div className="pane pane-chat">{children}</div>
    </div>
  );
}
