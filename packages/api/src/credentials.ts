import { z } from 'zod';
import { isPlainText } from './safety';

const plain = (text: string) => isPlainText(text);

/**
 * What signing in takes, at every door (`auth.login`, apps/web's /api/session): one schema,
 * so both accept and refuse the same input.
 */
export const credentials = z.object({
  email: z.string().trim().min(1).max(254).refine(plain, 'control characters are not allowed'),
  password: z.string().min(1).max(200).refine(plain, 'control characters are not allowed'),
});

export type Credentials = z.infer<typeof credentials>;
