import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_LIMITS, DEFAULT_LOGIN_LIMITS, limitsEnv, limitsFromEnv } from '../src';

const parse = (env: Record<string, string>) => z.object(limitsEnv).parse(env);

describe('limitsFromEnv', () => {
  it('gives the library defaults when nothing is set, and no key it was not given', () => {
    const { limits, login } = limitsFromEnv(parse({}));
    expect({ ...DEFAULT_LIMITS, ...limits }).toEqual(DEFAULT_LIMITS);
    expect(Object.keys(limits)).not.toContain('eventRetentionDays');
    expect(login).toEqual(DEFAULT_LOGIN_LIMITS);
  });

  it('maps each variable to its limit, the ws-only ones when given', () => {
    const { limits, login } = limitsFromEnv({
      ...parse({ MESSAGE_MAX_LENGTH: '500', PAGE_MAX: '20', LOGIN_WINDOW_SECONDS: '60' }),
      EVENT_RETENTION_DAYS: 7,
      WS_MAX_SUBSCRIPTIONS_PER_USER: 9,
    });
    expect(limits).toMatchObject({
      maxContentLength: 500,
      maxPageSize: 20,
      eventRetentionDays: 7,
      maxSubscriptionsPerUser: 9,
    });
    expect(login.loginWindowSeconds).toBe(60);
  });
});
