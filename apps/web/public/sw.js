// Estuary's service worker: shows Web Push notifications and opens the conversation on click.
// The payload is { conversationId, title, body, unreadCount, url, tag }; one tag per
// conversation, so a newer notification replaces the older one.
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: 'Estuary', body: event.data ? event.data.text() : 'New messages' };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || 'Estuary', {
      body: data.body || 'New messages',
      tag: data.tag,
      renotify: Boolean(data.tag),
      icon: '/icon.svg',
      data: { url: data.url || '/conversations' },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || '/conversations', self.location.origin);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      // A tab already on the conversation is focused; otherwise any tab of ours navigates there.
      const exact = windows.find((w) => new URL(w.url).pathname === target.pathname);
      if (exact) return exact.focus();
      const ours = windows.find((w) => new URL(w.url).origin === target.origin);
      if (ours) {
        await ours.focus();
        return ours.navigate(target.href);
      }
      return self.clients.openWindow(target.href);
    })(),
  );
});
