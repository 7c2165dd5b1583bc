import { redirect } from 'next/navigation';
import { sessionUserId } from '../server/session';

export default async function Home() {
  redirect((await sessionUserId()) ? '/conversations' : '/login');
}
