// Every date and time is shown in the viewer's locale and time zone: `undefined` as the
// locale lets the browser choose. Formatters are built once; constructing them is costly.

const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
const dayWithYear = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
const session = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: 'numeric',
  minute: '2-digit',
});
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });

export const formatTime = (date: Date) => time.format(date);
export const formatFull = (date: Date) => full.format(date);
export const formatSession = (date: Date) => session.format(date);

/** A session's span, e.g. "Tue 12 May, 10:00 – 11:00" (the end's date is implied). */
export const formatSessionRange = (start: Date, end: Date) =>
  `${session.format(start)} – ${time.format(end)}`;

export function formatDay(date: Date, now = new Date()): string {
  const startOf = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((startOf(date) - startOf(now)) / 86_400_000);
  if (days === 0 || days === -1) return capitalise(relative.format(days, 'day'));
  return date.getFullYear() === now.getFullYear() ? day.format(date) : dayWithYear.format(date);
}

/** "5 min. ago", "2 hr. ago", "yesterday"… in the viewer's language. */
export function formatAgo(date: Date, now = Date.now()): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  if (Math.abs(seconds) < 60) return relative.format(0, 'second');
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return relative.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return relative.format(hours, 'hour');
  return relative.format(Math.round(hours / 24), 'day');
}

const capitalise = (text: string) => text.charAt(0).toLocaleUpperCase() + text.slice(1);
