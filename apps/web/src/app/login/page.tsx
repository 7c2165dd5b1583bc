import { env } from '../../env';
import { LoginForm } from './login-form';

export default function LoginPage() {
  // The demo accounts are listed in development only.
  return <LoginForm showDemo={!env().production} />;
}
