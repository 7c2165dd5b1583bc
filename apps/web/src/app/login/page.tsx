import { redirect } from 'next/navigation';
import { env } from '../../env';
import { sessionUserId } from '../../server/session';
import { LoginForm } from './login-form';

export default async function LoginPage() {
  if (await sessionUserId()) redirect('/conversations');
  // The demo accounts are listed in development only.
  return <LoginForm showDemo={!env().production} />;
}
