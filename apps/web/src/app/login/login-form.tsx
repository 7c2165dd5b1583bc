'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { forgetAccessToken } from '../../lib/token';

const DEMO = [
  ['ada@example.com', 'Ada Okafor', 'practitioner'],
  ['ben@example.com', 'Ben Carter', 'practitioner'],
  ['chloe@example.com', 'Chloe Martin', 'client'],
  ['dev@example.com', 'Dev Patel', 'client'],
  ['emma@example.com', 'Emma Rossi', 'client'],
] as const;

export function LoginForm(props: { showDemo: boolean; initialError?: string | null }) {
  const { showDemo } = props;
  const router = useRouter();
  const [error, setError] = useState<string | null>(props.initialError ?? null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const res = await fetch('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: form.get('email'), password: form.get('password') }),
    }).catch(() => null);
    setBusy(false);
    if (!res?.ok) {
      const body = (await res?.json().catch(() => null)) as { error?: string } | null;
      setError(body?.error ?? 'Could not reach the server');
      return;
    }
    forgetAccessToken();
    router.push('/conversations');
    router.refresh();
  }

  return (
    <main className="login">
      {/* Before (or without) hydration the browser submits the form itself: as a POST, never a
          GET that would put the password in the URL, to an endpoint that signs in and redirects. */}
      <form
        method="post"
        action="/api/session"
        onSubmit={submit}
        className="login-card"
        aria-labelledby="login-title"
      >
        <h1 id="login-title">Sign in to Estuary</h1>
        <label>
          Email
          <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {showDemo && (
          <aside className="demo" aria-label="Demo accounts">
            <p>
              Demo accounts (password <code>estuary-demo</code>):
            </p>
            <ul>
              {DEMO.map(([email, name, role]) => (
                <li key={email}>
                  <code>{email}</code> — {name}, {role}
                </li>
              ))}
            </ul>
          </aside>
        )}
      </form>
    </main>
  );
}
