'use client';

import { useEffect, useState } from 'react';

/** The current time, re-read every `everyMs`, so "5 min ago" labels age while on screen. */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
