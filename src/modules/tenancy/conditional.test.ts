import { describe, expect, it } from 'vitest';
import { isNotModified } from '../../platform/http/conditional.js';
import { ifMatchVersions } from '../../platform/http/conditional.js';
import { etagOf } from './conditional.js';

describe('ETags', () => {
  it('when a body is given, then the tag carries the version and a digest of the body', () => {
    const tag = etagOf(3, { is_open_now: true });
    expect(tag).toMatch(/^"3-[A-Za-z0-9_-]{22}"$/);
    expect(etagOf(3, { is_open_now: false })).not.toBe(tag);
    expect(etagOf(3)).toBe('"3"');
  });

  it('when If-Match is absent or "*", then the write is unconditional', () => {
    expect(ifMatchVersions(undefined)).toBeNull();
    expect(ifMatchVersions(' * ')).toBeNull();
  });

  it('when If-Match lists tags, then only strong, well-formed tags name versions', () => {
    expect(ifMatchVersions('"4-abc", "5"')).toEqual([4, 5]);
    expect(ifMatchVersions('W/"4-abc"')).toEqual([]);
    expect(ifMatchVersions('4')).toEqual([]);
    expect(ifMatchVersions('"x-1"')).toEqual([]);
  });

  it('when If-None-Match is compared, then the weak comparison applies and "*" matches', () => {
    expect(isNotModified(undefined, '"1-a"')).toBe(false);
    expect(isNotModified('"1-a"', '"1-a"')).toBe(true);
    expect(isNotModified('W/"1-a"', '"1-a"')).toBe(true);
    expect(isNotModified('"0-b", "1-a"', '"1-a"')).toBe(true);
    expect(isNotModified('"1-b"', '"1-a"')).toBe(false);
    expect(isNotModified('*', '"1-a"')).toBe(true);
    // A malformed member is skipped, not read as a match.
    expect(isNotModified('1-a', '"1-a"')).toBe(false);
  });
});
