// The SSRF guard (issue 17): every refused URL is refused before a socket opens — at registration
// and at send time, where the connection's own DNS lookup is the guard's — and a redirect is
// never followed. Servers on loopback count the connections they get.
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../test-support/webhook-receiver.js';
import { postMessage } from './sender.js';
import { createUrlGuard } from './url-guard.js';

let trap: net.Server;
let trapPort = 0;
let trapped = 0;
beforeAll(async () => {
  trap = net.createServer((socket) => {
    trapped++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  trapPort = (trap.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => trap.close(() => resolve())));

// Names resolve through a fake resolver: `rebinding.test` answers loopback, like a DNS rebinding.
const names: Record<string, string[]> = {
  'rebinding.test': ['127.0.0.1'],
  'mixed.test': ['93.184.215.14', '10.1.2.3'],
  'public.test': ['93.184.215.14'],
};
const resolve = async (host: string) => (names[host] ?? []).map((address) => ({ address, family: net.isIP(address) }));
const guard = createUrlGuard({ production: false, allowedNetworks: [], resolve });

describe('URLs the guard refuses', () => {
  it.each([
    ['loopback', 'http://127.0.0.1/hooks'],
    ['another loopback address', 'http://127.8.9.10/hooks'],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data'],
    ['a private network', 'http://10.0.0.1/hooks'],
    ['a 192.168 address', 'http://192.168.1.20/hooks'],
    ['the carrier-grade NAT range', 'http://100.100.100.200/'],
    ['IPv6 loopback', 'http://[::1]/hooks'],
    ['IPv6 unique-local', 'http://[fd00:ec2::254]/'],
    ['IPv6 link-local', 'http://[fe80::1]/'],
    ['an IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/hooks'],
    ['an IPv4-mapped metadata address in hex', 'http://[::ffff:a9fe:a9fe]/'],
    ['a name resolving to loopback', 'http://rebinding.test/hooks'],
    ['a name with one private address among public ones', 'http://mixed.test/hooks'],
    ['a name that does not resolve', 'http://nowhere.test/hooks'],
    ['a URL with credentials', 'http://user:secret@public.test/hooks'],
    ['a non-HTTP scheme', 'ftp://public.test/hooks'],
  ])('when a webhook URL reaches %s, then it is refused with WEBHOOK_URL_NOT_ALLOWED', async (_what, url) => {
    await expect(guard.check(url)).rejects.toMatchObject({ status: 422, code: 'WEBHOOK_URL_NOT_ALLOWED' });
  });

  it('when a URL is public, then it passes; in production only over https', async () => {
    await expect(guard.check('http://public.test/hooks')).resolves.toBeUndefined();
    await expect(guard.check('https://[2606:4700::1111]/hooks')).resolves.toBeUndefined();
    const production = createUrlGuard({ production: true, allowedNetworks: [], resolve });
    await expect(production.check('http://public.test/hooks')).rejects.toMatchObject({
      code: 'WEBHOOK_URL_NOT_ALLOWED',
    });
    await expect(production.check('https://public.test/hooks')).resolves.toBeUndefined();
  });

  it('when a network is listed in WEBHOOKS_ALLOWED_NETWORKS, then its addresses pass and the rest stay refused', async () => {
    const development = createUrlGuard({ production: false, allowedNetworks: ['127.0.0.0/8'], resolve });
    await expect(development.check('http://127.0.0.1:8080/hooks')).resolves.toBeUndefined();
    await expect(development.check('http://rebinding.test/hooks')).resolves.toBeUndefined();
    await expect(development.check('http://10.0.0.1/hooks')).rejects.toMatchObject({ code: 'WEBHOOK_URL_NOT_ALLOWED' });
    await expect(development.check('http://[::1]/hooks')).rejects.toMatchObject({ code: 'WEBHOOK_URL_NOT_ALLOWED' });
  });
});

describe('sending to a refused address', () => {
  it.each([
    ['an IP literal', () => `http://127.0.0.1:${trapPort}/hooks`],
    ['an IPv4-mapped IPv6 literal', () => `http://[::ffff:127.0.0.1]:${trapPort}/hooks`],
    ['a name that resolves to it at send time', () => `http://rebinding.test:${trapPort}/hooks`],
  ])('when a message goes to %s of loopback, then no connection is made', async (_what, url) => {
    const before = trapped;
    const outcome = await postMessage(guard, url(), {}, '{}');
    expect(outcome).toMatchObject({ ok: false, status: null });
    expect(outcome.error).toMatch(/not allowed/);
    expect(trapped).toBe(before);
  });

  it('when a name passed the check at registration and resolves to loopback later, then the connection’s own lookup refuses it', async () => {
    const answers: Record<string, string> = { 'flip.test': '93.184.215.14' };
    const flipping = createUrlGuard({
      production: false,
      allowedNetworks: [],
      resolve: async (host) => [{ address: answers[host]!, family: 4 }],
    });
    await expect(flipping.check('http://flip.test/hooks')).resolves.toBeUndefined();
    answers['flip.test'] = '127.0.0.1';
    const before = trapped;
    const looked = await new Promise<Error | null>((done) =>
      flipping.lookup('flip.test', {}, (error) => done(error as Error | null)),
    );
    expect(looked?.message).toMatch(/not allowed/);
    expect(trapped).toBe(before);
  });
});

describe('redirects', () => {
  let redirecting: Receiver;
  beforeAll(async () => {
    redirecting = await startReceiver('127.0.0.2');
  });
  afterAll(() => redirecting.close());

  it('when an allowed receiver answers 302 to loopback, then the redirect is not followed and the attempt is a failure', async () => {
    const onlyThatHost = createUrlGuard({ production: false, allowedNetworks: ['127.0.0.2/32'], resolve });
    redirecting.answer(302, { location: `http://127.0.0.1:${trapPort}/internal` });
    const before = trapped;
    const outcome = await postMessage(onlyThatHost, redirecting.url, {}, '{}');
    expect(outcome).toMatchObject({ ok: false, status: 302 });
    expect(redirecting.received).toHaveLength(1);
    expect(trapped).toBe(before);
  });
});
