'use client';

import { useEffect, useState } from 'react';
import { errorInfo } from '../lib/errors';
import { trpc } from '../lib/trpc';

type State =
  | { kind: 'checking' }
  | { kind: 'unsupported' }
  | { kind: 'off' }
  | { kind: 'working' }
  | { kind: 'on' }
  | { kind: 'denied' }
  | { kind: 'failed'; message: string };

const supported = () =>
  typeof window !== 'undefined' &&
  'serviceWorker' in navigator &&
  'PushManager' in window &&
  'Notification' in window;

/**
 * "Enable notifications": the browser is asked only when the user chooses this, and a refusal
 * is explained (the browser will not ask again; the site settings can undo it).
 */
export function NotificationsControl() {
  const client = trpc.useUtils().client;
  const [state, setState] = useState<State>({ kind: 'checking' });

  useEffect(() => {
    if (!supported()) return setState({ kind: 'unsupported' });
    if (Notification.permission === 'denied') return setState({ kind: 'denied' });
    void navigator.serviceWorker
      .getRegistration('/')
      .then((registration) => registration?.pushManager.getSubscription())
      .then((subscription) =>
        setState({ kind: subscription && Notification.permission === 'granted' ? 'on' : 'off' }),
      )
      .catch(() => setState({ kind: 'off' }));
  }, []);

  async function enable() {
    setState({ kind: 'working' });
    try {
      const permission = await Notification.requestPermission();
      if (permission !== 'granted')
        return setState({ kind: permission === 'denied' ? 'denied' : 'off' });
      const { publicKey } = await client.notification.vapidPublicKey.query();
      const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      await navigator.serviceWorker.ready;
      const subscription =
        (await registration.pushManager.getSubscription()) ??
        (await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: publicKey,
        }));
      const json = subscription.toJSON();
      await client.notification.subscribe.mutate({
        endpoint: subscription.endpoint,
        keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
      });
      setState({ kind: 'on' });
    } catch (error) {
      setState({ kind: 'failed', message: errorInfo(error).message });
    }
  }

  async function disable() {
    setState({ kind: 'working' });
    try {
      const registration = await navigator.serviceWorker.getRegistration('/');
      const subscription = await registration?.pushManager.getSubscription();
      if (subscription) {
        await client.notification.unsubscribe.mutate({ endpoint: subscription.endpoint });
        await subscription.unsubscribe();
      }
      setState({ kind: 'off' });
    } catch (error) {
      setState({ kind: 'failed', message: errorInfo(error).message });
    }
  }

  switch (state.kind) {
    case 'checking':
    case 'unsupported':
      return null;
    case 'denied':
      return (
        <p className="notifications-note" role="status">
          Notifications are blocked for this site. To get them, allow notifications in your
          browser’s site settings, then reload.
        </p>
      );
    case 'on':
      return (
        <button type="button" className="link-button" onClick={() => void disable()}>
          Turn off notifications
        </button>
      );
    case 'failed':
      return (
        <p className="notifications-note" role="alert">
          Notifications could not be turned on: {state.message}{' '}
          <button type="button" className="link-button" onClick={() => void enable()}>
            Try again
          </button>
        </p>
      );
    default:
      return (
        <button
          type="button"
          className="link-button"
          disabled={state.kind === 'working'}
          onClick={() => void enable()}
        >
          Enable notifications
        </button>
      );
  }
}
