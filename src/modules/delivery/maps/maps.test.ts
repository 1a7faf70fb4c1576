// The maps provider: the geometry behind delivery distances, the sandbox's address book, and the
// Nominatim adapter against a real local HTTP server speaking Nominatim's JSON.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOutbound, DependencyUnavailableError } from '../../../platform/resilience/outbound.js';
import { createMapsProvider } from './index.js';
import { createNominatimMaps } from './nominatim.js';
import { AVERAGE_COURIER_SPEED_KMH, estimateRoute, greatCircleMetres, type PostalAddress } from './provider.js';
import { createSandboxMaps, SANDBOX_ADDRESSES } from './sandbox.js';

const BROOKLYN_STORE = { lat: 40.7216, lng: -73.9573 };
const BERLIN_STORE = { lat: 52.5294, lng: 13.401 };
const entry = (line1: string) =>
  SANDBOX_ADDRESSES.find((a) => a.address.line1 === line1) ?? expect.unreachable(`no sandbox address ${line1}`);

const at = (line1: string, city: string, country: string): PostalAddress => ({ line1, city, country });

// Short timeout, few retries, a breaker that never opens here: each test sees its own outcome.
const RETRIES = 2;
const outboundOptions = {
  timeoutMs: 1000,
  retries: RETRIES,
  breakerConsecutiveFailures: 100,
  breakerHalfOpenAfterMs: 200,
  bulkheadLimit: 10,
  bulkheadQueue: 10,
};

describe('great-circle distance', () => {
  it('when measuring around the demo stores, then the distances are the known ones', () => {
    expect(greatCircleMetres(BROOKLYN_STORE, BROOKLYN_STORE)).toBe(0);
    expect(greatCircleMetres(BROOKLYN_STORE, entry('200 Bedford Ave').location)).toBeCloseTo(425, -1);
    expect(greatCircleMetres(BERLIN_STORE, entry('Alexanderplatz 1').location)).toBeCloseTo(1173, -1);
    // Brooklyn to Berlin, about 6 381 km.
    expect(greatCircleMetres(BROOKLYN_STORE, BERLIN_STORE) / 1000).toBeCloseTo(6381, 0);
  });

  it('when two points straddle the antimeridian, then they are 0.2° apart, not 359.8°', () => {
    expect(greatCircleMetres({ lat: 0, lng: 179.9 }, { lat: 0, lng: -179.9 })).toBeCloseTo(22_239, 0);
  });

  it('when measuring between the poles, then it is half the circumference, whatever the longitudes', () => {
    expect(greatCircleMetres({ lat: 90, lng: 0 }, { lat: -90, lng: 0 })).toBeCloseTo(Math.PI * 6_371_008.8, 3);
    expect(greatCircleMetres({ lat: 90, lng: 45 }, { lat: 90, lng: -120 })).toBeCloseTo(0, 6);
  });
});

describe('route estimate', () => {
  it('when no routing service answers, then the ride is 1.3 × the great circle at the courier speed, in whole units', async () => {
    const to = entry('300 Nassau Ave').location;
    const street = greatCircleMetres(BROOKLYN_STORE, to) * 1.3;
    // 18 km/h is 5 m/s.
    const expected = { distance_m: Math.round(street), duration_s: Math.round(street / 5) };
    expect(estimateRoute(BROOKLYN_STORE, to, AVERAGE_COURIER_SPEED_KMH)).toEqual(expected);
    expect(await createSandboxMaps().route(BROOKLYN_STORE, to)).toEqual(expected);
    expect(() => estimateRoute(BROOKLYN_STORE, to, 0)).toThrow(RangeError);
  });
});

describe('sandbox maps', () => {
  const sandbox = createSandboxMaps();

  it('when the address book is read, then the Brooklyn store has addresses near and far, at the distances noted', () => {
    const brooklyn = SANDBOX_ADDRESSES.filter((a) => a.address.country === 'US' && a.note !== 'Brooklyn store');
    const metres = brooklyn.map((a) => greatCircleMetres(BROOKLYN_STORE, a.location));
    expect(metres.filter((m) => m < 3000).length).toBeGreaterThanOrEqual(2);
    expect(metres.filter((m) => m > 3000 && m < 6000).length).toBeGreaterThanOrEqual(1);
    expect(metres.filter((m) => m > 6000).length).toBeGreaterThanOrEqual(1);
    for (const a of SANDBOX_ADDRESSES) {
      const store = a.address.country === 'US' ? BROOKLYN_STORE : BERLIN_STORE;
      const stated = /(\d+) m from/.exec(a.note)?.[1];
      if (stated) expect(Math.round(greatCircleMetres(store, a.location))).toBe(Number(stated));
    }
  });

  it('when a demo address is spelt another way, then it is still found', async () => {
    expect(await sandbox.geocode(at('100 Bedford Avenue', 'brooklyn', 'us'))).toEqual(BROOKLYN_STORE);
    expect(await sandbox.geocode(at('  500  Grand Street, ', 'BROOKLYN', 'US'))).toEqual(
      entry('500 Grand St').location,
    );
    expect(await sandbox.geocode(at('Rosenthaler Str. 1', 'Berlin', 'DE'))).toEqual(BERLIN_STORE);
    expect(await sandbox.geocode(at('Torstr. 100', 'Berlin', 'de'))).toEqual(entry('Torstraße 100').location);
    const kudamm = entry('Kurfürstendamm 100').location;
    expect(await sandbox.geocode(at('KURFÜRSTENDAMM 100', 'Berlin', 'DE'))).toEqual(kudamm);
    const timesSquare = { ...at('1 Times Square', 'New York', 'US'), line2: 'Floor 3' };
    expect(await sandbox.geocode(timesSquare)).toEqual(entry('1 Times Sq').location);
  });

  it('when an address is not in the book, or in another city, then it cannot be placed', async () => {
    expect(await sandbox.geocode(at('12 Nowhere Lane', 'Brooklyn', 'US'))).toBeNull();
    expect(await sandbox.geocode(at('100 Bedford Ave', 'Queens', 'US'))).toBeNull();
    expect(await sandbox.geocode(at('100 Bedford Ave', 'Brooklyn', 'CA'))).toBeNull();
  });

  it('when configured by name, then the factory picks the provider', () => {
    const outbound = createOutbound(outboundOptions);
    const config = { nominatimUrl: 'http://127.0.0.1:1', userAgent: 'Brigade tests' };
    expect(createMapsProvider({ ...config, provider: 'sandbox' }, outbound).name).toBe('sandbox');
    expect(createMapsProvider({ ...config, provider: 'nominatim' }, outbound).name).toBe('nominatim');
  });
});

// A real HTTP server answering like Nominatim's /search; each test sets what it answers.
let answer = { status: 200, body: '[]' };
let received: Array<{ url: URL; userAgent: string | undefined; accept: string | undefined }> = [];
const server = http.createServer((request, response) => {
  const { 'user-agent': userAgent, accept } = request.headers;
  received.push({ url: new URL(request.url ?? '/', 'http://nominatim.test'), userAgent, accept });
  response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
});
let baseUrl = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const failed = (e: unknown) => e instanceof DependencyUnavailableError && e.code === 'DEPENDENCY_FAILED';

describe('Nominatim maps', () => {
  let nominatim: ReturnType<typeof createNominatimMaps>;
  const guest = { ...at('100 Bedford Ave', 'Brooklyn', 'US'), line2: 'Apt 4B', region: 'NY', postal_code: '11211' };

  beforeEach(() => {
    answer = { status: 200, body: '[]' };
    received = [];
    const outbound = createOutbound(outboundOptions);
    nominatim = createNominatimMaps({
      baseUrl: `${baseUrl}/`,
      userAgent: 'Brigade tests (ops@brigade.test)',
      outbound,
    });
  });

  it('when the address is found, then its point is returned from a structured search that identifies Brigade', async () => {
    const match = { place_id: 1, lat: '40.7216194', lon: '-73.9572787', display_name: '100, Bedford Avenue, Brooklyn' };
    answer = { status: 200, body: JSON.stringify([match]) };
    expect(await nominatim.geocode(guest)).toEqual({ lat: 40.7216194, lng: -73.9572787 });
    expect(received).toHaveLength(1);
    const [hit] = received;
    expect(hit?.url.pathname).toBe('/search');
    expect(Object.fromEntries(hit?.url.searchParams ?? [])).toEqual({
      format: 'jsonv2',
      limit: '1',
      addressdetails: '0',
      street: '100 Bedford Ave',
      city: 'Brooklyn',
      postalcode: '11211',
      state: 'NY',
      countrycodes: 'us',
    });
    expect(hit?.userAgent).toBe('Brigade tests (ops@brigade.test)');
    expect(hit?.accept).toBe('application/json');
  });

  it('when the address has no postal code or region, then those parameters are not sent', async () => {
    await nominatim.geocode({ line1: 'Torstraße 100', city: 'Berlin', country: 'DE' });
    const query = received[0]?.url.searchParams;
    expect([query?.has('postalcode'), query?.has('state')]).toEqual([false, false]);
    expect([query?.get('street'), query?.get('countrycodes')]).toEqual(['Torstraße 100', 'de']);
  });

  it('when Nominatim finds nothing, then the address cannot be placed', async () => {
    expect(await nominatim.geocode(guest)).toBeNull();
  });

  it('when Nominatim keeps failing, then the call is retried and then reported unavailable', async () => {
    answer = { status: 500, body: '{"error":"overloaded"}' };
    await expect(nominatim.geocode(guest)).rejects.toSatisfy(failed);
    expect(received).toHaveLength(RETRIES + 1);
  });

  it('when Nominatim refuses our request, then it is a dependency failure, not an unknown address, and not retried', async () => {
    answer = { status: 400, body: '{"error":"bad request"}' };
    await expect(nominatim.geocode(guest)).rejects.toSatisfy(failed);
    expect(received).toHaveLength(1);
  });

  it.each([
    ['not JSON', '<html>Service temporarily unavailable</html>'],
    ['not an array', '{"lat":"40.7","lon":"-73.9"}'],
    ['no coordinates', '[{"place_id":1}]'],
    ['numbers out of range', '[{"lat":"140.7","lon":"-73.9"}]'],
    ['coordinates that are not numbers', '[{"lat":"north","lon":""}]'],
  ])('when Nominatim answers %s, then it is a dependency failure', async (_, body) => {
    answer = { status: 200, body };
    await expect(nominatim.geocode(guest)).rejects.toSatisfy(failed);
  });

  it('when a route is asked, then it is estimated without calling Nominatim', async () => {
    const to = entry('Alexanderplatz 1').location;
    expect(await nominatim.route(BERLIN_STORE, to)).toEqual(estimateRoute(BERLIN_STORE, to, AVERAGE_COURIER_SPEED_KMH));
    expect(received).toHaveLength(0);
  });
});
