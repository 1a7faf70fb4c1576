import { describe, expect, it } from 'vitest';
import { createListCache } from './list-cache.js';

/** A cache on a hand-moved clock, and a loader that counts its calls and answers when told. */
function setup(options: { maxPages?: number } = {}) {
  let time = 0;
  const cache = createListCache({ freshMs: 1000, maxAgeMs: 2000, now: () => time, ...options });
  const calls: Array<{ key: string; resolve: (body: string) => void; reject: (error: Error) => void }> = [];
  const load = (key: string) => () =>
    new Promise<Buffer>((resolve, reject) => {
      calls.push({ key, resolve: (body) => resolve(Buffer.from(body)), reject });
    });
  const get = async (key: string) => (await cache.get(key, load(key))).toString();
  return { cache, calls, get, advance: (ms: number) => (time += ms) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('review list cache', () => {
  it('when fifty readers miss at once, then one load answers them all, and the page is served from memory while fresh', async () => {
    const { calls, get, advance } = setup();
    const readers = Array.from({ length: 50 }, () => get('a'));
    expect(calls).toHaveLength(1);
    calls[0]!.resolve('page-1');
    expect(new Set(await Promise.all(readers))).toEqual(new Set(['page-1']));
    advance(999);
    expect(await get('a')).toBe('page-1');
    expect(calls).toHaveLength(1);
  });

  it('when a page is past fresh but not too old, then readers get it at once while one load refreshes it; too old, they wait', async () => {
    const { calls, get, advance } = setup();
    const first = get('a');
    calls[0]!.resolve('v1');
    await first;
    advance(1500);
    expect(await get('a')).toBe('v1');
    expect(await get('a')).toBe('v1');
    expect(calls).toHaveLength(2);
    calls[1]!.resolve('v2');
    await tick();
    expect(await get('a')).toBe('v2');

    advance(2500);
    const waiting = get('a');
    expect(calls).toHaveLength(3);
    calls[2]!.resolve('v3');
    expect(await waiting).toBe('v3');
  });

  it('when a write clears the cache during a load, then that load answers its readers but is not kept', async () => {
    const { cache, calls, get } = setup();
    const before = get('a');
    cache.clear();
    const after = get('a');
    expect(calls).toHaveLength(2);
    calls[0]!.resolve('before-write');
    calls[1]!.resolve('after-write');
    expect(await before).toBe('before-write');
    expect(await after).toBe('after-write');
    expect(await get('a')).toBe('after-write');
    expect(calls).toHaveLength(2);
  });

  it('when a load fails, then its readers see the error and the next reader loads again', async () => {
    const { calls, get } = setup();
    const failing = get('a');
    calls[0]!.reject(new Error('database away'));
    await expect(failing).rejects.toThrow('database away');
    const retry = get('a');
    calls[1]!.resolve('ok');
    expect(await retry).toBe('ok');
  });

  it('when more pages are loaded than it keeps, then the oldest is forgotten', async () => {
    const { calls, get } = setup({ maxPages: 2 });
    for (const key of ['a', 'b', 'c']) {
      const page = get(key);
      calls.at(-1)!.resolve(key);
      await page;
    }
    const again = get('a');
    expect(calls).toHaveLength(4);
    calls[3]!.resolve('a');
    await again;
    await get('c');
    expect(calls).toHaveLength(4);
  });
});
