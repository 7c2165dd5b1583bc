import { RetryLaterError } from './domain/errors';
import { normaliseEmail } from './domain/users';
import type { Limiter, ThrottleStore } from './throttle';

export interface LoginLimits {
  /** Sign-in attempts per account (email) per window; a success clears the account's count. */
  loginAttemptsPerAccount: number;
  /** Sign-in attempts per client address per window; successes are given back. */
  loginAttemptsPerAddress: number;
  loginWindowSeconds: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  loginAttemptsPerAccount: 10,
  loginAttemptsPerAddress: 100,
  loginWindowSeconds: 15 * 60,
};

/**
 * Password guessing, slowed for every door (auth.login, the web app's /api/session) and every
 * process: each attempt takes a point from its account and from its address before the
 * password is even checked, so a batch of 60 guesses is as slow as 60 requests.
 */
export class LoginThrottle {
  private readonly account: Limiter;
  private readonly address: Limiter;

  constructor(store: ThrottleStore, limits: LoginLimits) {
    this.account = store.limiter({
      keyPrefix: 'login-account',
      points: limits.loginAttemptsPerAccount,
      duration: limits.loginWindowSeconds,
    });
    this.address = store.limiter({
      keyPrefix: 'login-address',
      points: limits.loginAttemptsPerAddress,
      duration: limits.loginWindowSeconds,
    });
  }

  async attempt<T>(email: string, address: string | null, signIn: () => Promise<T>): Promise<T> {
    const account = normaliseEmail(email);
    const verdicts = await Promise.all([
      this.account.consume(account),
      address ? this.address.consume(address) : ({ ok: true } as const),
    ]);
    const waits = verdicts.flatMap((v) => (v.ok ? [] : [v.retryAfterMs]));
    if (waits.length > 0)
      throw new RetryLaterError('Too many sign-in attempts', Math.max(...waits));
    const result = await signIn();
    await Promise.all([this.account.reset(account), address && this.address.refund(address)]);
    return result;
  }
}
