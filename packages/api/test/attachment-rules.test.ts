import { describe, expect, it } from 'vitest';
import { cleanName, contentDisposition } from '../src/attachments/names';
import { UrlSigner } from '../src/attachments/signing';
import { allowedType, sniffMatches } from '../src/attachments/types';

describe('attachment names', () => {
  it('drops directories, control and bidi characters, and leading dots', () => {
    expect(cleanName('../../etc/passwd')).toBe('passwd');
    expect(cleanName('C:\\Users\\ada\\form.pdf')).toBe('form.pdf');
    expect(cleanName('in\u0000voice\r\n.pdf')).toBe('invoice.pdf');
    expect(cleanName('photo\u202egpj.exe')).toBe('photogpj.exe');
    expect(cleanName('.hidden')).toBe('hidden');
    expect(cleanName('///')).toBe('file');
    expect(cleanName('a'.repeat(300))).toHaveLength(255);
  });

  it('serves images, audio, video and PDF inline, everything else as a download', () => {
    expect(contentDisposition('a.png', 'image/png')).toMatch(/^inline;/);
    expect(contentDisposition('a.webm', 'audio/webm')).toMatch(/^inline;/);
    expect(contentDisposition('a.pdf', 'application/pdf')).toMatch(/^inline;/);
    expect(contentDisposition('a.txt', 'text/plain')).toMatch(/^attachment;/);
    expect(contentDisposition('résumé "1".docx', 'application/msword')).toBe(
      `attachment; filename="r_sum_ _1_.docx"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%221%22.docx`,
    );
  });
});

describe('attachment types', () => {
  it('allows listed types and wildcards only', () => {
    const types = ['image/png', 'audio/*'];
    expect(allowedType(types, 'image/png')).toBe(true);
    expect(allowedType(types, 'audio/ogg')).toBe(true);
    expect(allowedType(types, 'text/html')).toBe(false);
  });

  it('trusts the bytes, not the declared type', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    expect(await sniffMatches('image/png', png)).toBe(true);
    expect(await sniffMatches('image/jpeg', png)).toBe(false);
    expect(await sniffMatches('image/png', Buffer.from('<html><script>x</script>'))).toBe(false);
    expect(await sniffMatches('text/plain', Buffer.from('plain words'))).toBe(true);
    expect(await sniffMatches('text/plain', Buffer.from([0x41, 0x00, 0x42]))).toBe(false);
    expect(await sniffMatches('text/plain', png)).toBe(false);
  });
});

describe('signed URLs', () => {
  it('are bound to the attachment and purpose, and expire', () => {
    let now = 1_800_000_000_000;
    const signer = new UrlSigner('secret-secret-secret-secret-secret', '', () => now);
    const url = new URL(signer.url('file', 'abc'), 'http://x');
    const [exp, sig] = [url.searchParams.get('exp'), url.searchParams.get('sig')];
    expect(Number(exp) * 1000 - now).toBeGreaterThanOrEqual(10 * 60_000);
    expect(signer.verify('file', 'abc', exp, sig)).toBe('ok');
    expect(signer.verify('thumb', 'abc', exp, sig)).toBe('invalid');
    expect(signer.verify('file', 'abd', exp, sig)).toBe('invalid');
    expect(signer.verify('file', 'abc', String(Number(exp) + 1), sig)).toBe('invalid');
    expect(
      new UrlSigner('another-secret-another-secret', '', () => now).verify('file', 'abc', exp, sig),
    ).toBe('invalid');
    now += 21 * 60_000;
    expect(signer.verify('file', 'abc', exp, sig)).toBe('expired');
  });
});
