import { describe, expect, it } from 'vitest';
import { UrlGuard } from './ssrf.js';

const strict = new UrlGuard({ allowCidrs: [], selfOrigins: ['http://portcullis.internal:8228'] });
const loopbackAllowed = new UrlGuard({
  allowCidrs: ['127.0.0.0/8', '::1/128'],
  selfOrigins: ['http://127.0.0.1:8228'],
});

describe('webhook URL guard', () => {
  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://[fd00:ec2::254]/latest/meta-data/', 'link-local'],
    ['http://[::ffff:169.254.169.254]/', 'link-local'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://0.0.0.0:8080/', 'unspecified'],
    ['http://127.0.0.1:9000/hook', 'private or loopback'],
    ['http://[::1]:9000/hook', 'private or loopback'],
    ['http://10.1.2.3/hook', 'private or loopback'],
    ['http://192.168.1.10/hook', 'private or loopback'],
    ['http://localhost:9000/hook', 'private or loopback'],
    ['http://portcullis.internal:8228/v1/images', 'this service'],
    ['ftp://example.org/', 'only http and https'],
    ['http://user:pass@example.org/', 'credentials'],
    ['not a url', 'not a URL'],
  ])('refuses %s by default', async (url, why) => {
    await expect(strict.check(url)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining(why),
    });
  });

  it('names a URL refused for its credentials without them', async () => {
    const refused = await strict.check('https://anchore:s3cr3t-pw@example.org/hook').catch((e: Error) => e);
    expect(refused).toMatchObject({ message: expect.stringContaining('webhook_user and webhook_pass') });
    expect(JSON.stringify({ message: (refused as Error).message, ...(refused as object) })).not.toMatch(
      /s3cr3t-pw|anchore/,
    );
  });

  it('lets allow-listed loopback through but never metadata or the service itself', async () => {
    expect((await loopbackAllowed.check('http://127.0.0.1:9000/hook')).port).toBe('9000');
    expect((await loopbackAllowed.check('http://[::1]:9000/hook')).hostname).toBe('[::1]');
    await expect(loopbackAllowed.check('http://169.254.169.254/')).rejects.toThrow(/link-local/);
    await expect(loopbackAllowed.check('http://127.0.0.1:8228/v1/events')).rejects.toThrow(/this service/);
    await expect(loopbackAllowed.check('http://10.0.0.1/')).rejects.toThrow(/not in the allow-list/);
  });

  it('accepts a public address and refuses a malformed allow-list', async () => {
    expect((await strict.check('https://93.184.215.14/hook')).protocol).toBe('https:');
    expect(() => new UrlGuard({ allowCidrs: ['loopback'], selfOrigins: [] })).toThrow(/not a CIDR/);
  });

  it('returns the vetted addresses a delivery connects to, so a second lookup cannot swap them', async () => {
    expect(await loopbackAllowed.vet('http://127.0.0.1:9000/hook')).toMatchObject({
      addresses: [{ address: '127.0.0.1', family: 4 }],
    });
    // localhost resolves through /etc/hosts; every answer is vetted and returned.
    const local = await new UrlGuard({ allowCidrs: ['127.0.0.0/8', '::1/128'], selfOrigins: [] }).vet(
      'http://localhost:9000/hook',
    );
    expect(local.addresses.length).toBeGreaterThan(0);
    expect(local.addresses.every((a) => a.address === '127.0.0.1' || a.address === '::1')).toBe(true);
  });
});

describe('the service itself, by address and port', () => {
  const guard = new UrlGuard({
    allowCidrs: ['0.0.0.0/0', '::/0'],
    selfOrigins: [],
    selfAddresses: [
      { host: '127.0.0.1', port: 8228 },
      { host: '0.0.0.0', port: 9443 },
    ],
  });

  it('refuses the listen address under another name, and every local address of a wildcard listener', async () => {
    await expect(guard.check('http://localhost:8228/v1/events')).rejects.toThrow(/is this service/);
    await expect(guard.check('http://127.0.0.1:8228/')).rejects.toThrow(/is this service/);
    await expect(guard.check('https://127.0.0.5:9443/')).rejects.toThrow(/is this service/);
    expect((await guard.check('http://127.0.0.1:8229/hook')).port).toBe('8229');
  });

  it('keeps link-local and metadata refused even when 0.0.0.0/0 is allowed', async () => {
    await expect(guard.check('http://169.254.169.254/latest/meta-data/')).rejects.toThrow(/link-local/);
    await expect(guard.check('http://[fe80::1]/')).rejects.toThrow(/link-local/);
    expect((await guard.check('http://10.1.2.3/hook')).hostname).toBe('10.1.2.3');
  });
});
