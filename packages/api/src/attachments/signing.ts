import { createHmac, timingSafeEqual } from 'node:crypto';

export type UrlPurpose = 'file' | 'thumb' | 'upload';

/** How long a minted URL lasts: at least 10 minutes (the contract), up to 20. */
export const URL_TTL_SECONDS = 15 * 60;
const BUCKET_SECONDS = 5 * 60;

/**
 * Signs apps/web's attachment URLs with a key derived from the auth secret. A URL names the
 * attachment, what it is for and when it expires; anything else gives a different signature.
 * Expiry is rounded up to 5 minutes so one message serialises the same for everyone for a while.
 */
export class UrlSigner {
  private readonly key: Buffer;

  constructor(
    authSecret: string,
    readonly publicUrl = '',
    readonly now: () => number = Date.now,
  ) {
    this.key = createHmac('sha256', authSecret).update('estuary attachment urls v1').digest();
  }

  private mac(purpose: UrlPurpose, id: string, exp: number) {
    return createHmac('sha256', this.key).update(`${purpose}\n${id}\n${exp}`).digest('base64url');
  }

  expiry(ttlSeconds = URL_TTL_SECONDS): number {
    const nowSeconds = Math.floor(this.now() / 1000) + ttlSeconds;
    return Math.ceil(nowSeconds / BUCKET_SECONDS) * BUCKET_SECONDS;
  }

  url(purpose: UrlPurpose, id: string, exp = this.expiry()): string {
    return `${this.publicUrl}/api/attachments/${id}/${purpose}?exp=${exp}&sig=${this.mac(purpose, id, exp)}`;
  }

  /** 'ok', or why not. Constant-time on the signature. */
  verify(purpose: UrlPurpose, id: string, exp: string | null, sig: string | null) {
    if (!exp || !sig || !/^\d{1,12}$/.test(exp)) return 'invalid' as const;
    const expected = Buffer.from(this.mac(purpose, id, Number(exp)));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return 'invalid' as const;
    }
    if (Number(exp) * 1000 < this.now()) return 'expired' as const;
    return 'ok' as const;
  }
}
