/** What registry requests carry, read as dockerd reads it (server/registry-params.ts). */
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/server/errors.js';
import { decodeRegistryAuth, pullReference, searchFilters } from '../../src/server/registry-params.js';

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('X-Registry-Auth', () => {
  it('gives the credentials in it, from base64url or standard base64', () => {
    expect(decodeRegistryAuth(b64url({ username: 'u', password: 'p?>', serveraddress: 'r' }))).toEqual({
      username: 'u',
      password: 'p?>',
    });
    const std = Buffer.from(JSON.stringify({ username: 'u', password: 'p?>' })).toString('base64');
    expect(decodeRegistryAuth(std)).toEqual({ username: 'u', password: 'p?>' });
    expect(decodeRegistryAuth(b64url({ auth: Buffer.from('me:a:b').toString('base64') }))).toEqual({
      username: 'me',
      password: 'a:b',
    });
  });

  it('none (null: not even the saved ones) for no header, {} and an empty user', () => {
    expect(decodeRegistryAuth(undefined)).toBeNull();
    expect(decodeRegistryAuth('')).toBeNull();
    expect(decodeRegistryAuth(b64url({}))).toBeNull();
    expect(decodeRegistryAuth(b64url({ username: '', password: '' }))).toBeNull();
  });

  it('refuses what is not base64 JSON of an object, wrong types, and tokens berth cannot use', () => {
    const status = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as HttpError).status;
      }
      return 0;
    };
    expect(status(() => decodeRegistryAuth('%%%not-base64'))).toBe(400);
    expect(status(() => decodeRegistryAuth(b64url([1])))).toBe(400);
    expect(status(() => decodeRegistryAuth(b64url({ username: 1 })))).toBe(400);
    expect(status(() => decodeRegistryAuth(b64url({ identitytoken: 'tok' })))).toBe(501);
  });
});

describe('the reference a pull names', () => {
  it('takes tag or digest from the tag parameter, replacing one in fromImage', () => {
    expect(pullReference('busybox', 'latest')).toEqual({ ref: 'busybox:latest', allTags: false });
    expect(pullReference('localhost:5000/a/b:1', '2')).toEqual({ ref: 'localhost:5000/a/b:2', allTags: false });
    const d = 'sha256:' + 'a'.repeat(64);
    expect(pullReference('localhost:5000/a/b', d)).toEqual({ ref: `localhost:5000/a/b@${d}`, allTags: false });
    expect(pullReference(`b@${d}`, 'x')).toEqual({ ref: 'b:x', allTags: false });
  });

  it('pulls every tag only for a bare name without a tag parameter', () => {
    expect(pullReference('localhost:5000/a/b', '')).toEqual({ ref: 'localhost:5000/a/b', allTags: true });
    expect(pullReference('localhost:5000/a/b:1', '')).toEqual({ ref: 'localhost:5000/a/b:1', allTags: false });
  });
});

describe("search's filters", () => {
  it('reads is-official, is-automated and stars, and refuses others', () => {
    const f = new Map([
      ['is-official', ['true']],
      ['stars', ['3', '5']],
    ]);
    expect(searchFilters(f)).toEqual({ stars: 5, official: true, automated: null });
    expect(() => searchFilters(new Map([['stars', ['x']]]))).toThrow("invalid filter 'stars=x'");
    expect(() => searchFilters(new Map([['nope', ['1']]]))).toThrow("invalid filter 'nope'");
  });
});
