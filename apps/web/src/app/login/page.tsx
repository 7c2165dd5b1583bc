import { redirect } from 'next/navigation';
import { env } from '../../env';
import type { FormSignInError } from '../../server/form-sign-in';
import { sessionUserId } from '../../server/session';
import { LoginForm } from './login-form';

// What a sign-in without JavaScript (server/form-sign-in.ts) comes back with.
const FORM_ERRORS: Record<FormSignInError, string> = {
  missing: 'Enter an email and a password',
  credentials: 'Wrong email or password',
  throttled: 'Too many sign-in attempts; wait a few minutes and try again',
};

export default async function LoginPage(props: { searchParams: Promise<{ error?: string }> }) {
  if (await sessionUserId()) redirect('/conversations');
  const { error } = await props.searchParams;
  const initialError = error && error in FORM_ERRORS ? FORM_ERRORS[error as FormSignInError] : null;
  // The demo accounts are listed in development only.
  return <LoginForm showDemo={!env().production} initialError={initialError} />;
}
