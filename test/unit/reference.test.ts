import { describe, expect, it } from 'vitest';
import {
  familiarName,
  familiarString,
  normalizedString,
  parseReference,
  parseRepoTag,
  parseTagTarget,
  withDefaultTag,
} from '../../src/engine/reference/reference.js';

const norm = (s: string) => normalizedString(parseReference(s));

describe('image references (docker grammar)', () => {
  it('normalises docker hub names', () => {
    expect(norm('busybox')).toBe('docker.io/library/busybox');
    expect(normalizedString(withDefaultTag(parseReference('busybox')))).toBe('docker.io/library/busybox:latest');
    expect(norm('library/busybox:1.36')).toBe('docker.io/library/busybox:1.36');
    expect(norm('docker.io/busybox')).toBe('docker.io/library/busybox');
    expect(norm('index.docker.io/library/busybox')).toBe('docker.io/library/busybox');
    expect(norm('user/app')).toBe('docker.io/user/app');
  });

  it('recognises registry hosts and ports', () => {
    expect(parseReference('localhost/app:v1')).toEqual({ domain: 'localhost', path: 'app', tag: 'v1' });
    expect(parseReference('localhost:5000/a/b')).toEqual({ domain: 'localhost:5000', path: 'a/b' });
    expect(parseReference('quay.io/x/y@sha256:' + 'a'.repeat(64))).toEqual({
      domain: 'quay.io',
      path: 'x/y',
      digest: 'sha256:' + 'a'.repeat(64),
    });
    expect(parseReference('127.0.0.1:5005/img:tag').domain).toBe('127.0.0.1:5005');
  });

  it('prints familiar names as docker does', () => {
    expect(familiarString(parseReference('docker.io/library/bb:latest'))).toBe('bb:latest');
    expect(familiarName(parseReference('docker.io/user/app'))).toBe('user/app');
    expect(familiarString(parseReference('localhost/bb-layers:v1'))).toBe('localhost/bb-layers:v1');
    expect(familiarName(parseReference('docker.io/library/a/b'))).toBe('library/a/b');
  });

  it('rejects invalid references with docker messages', () => {
    expect(() => parseReference('Busybox')).toThrow(
      'invalid reference format: repository name (library/Busybox) must be lowercase',
    );
    expect(() => parseReference('busybox:')).toThrow('invalid reference format');
    expect(() => parseReference('bad name')).toThrow('invalid reference format');
    expect(() => parseReference('a'.repeat(64))).toThrow('cannot specify 64-byte hexadecimal strings');
    expect(() => parseReference('x@sha256:abc')).toThrow('invalid reference format');
    expect(() => parseReference('x@sha256:' + 'a'.repeat(63))).toThrow('invalid reference format');
    expect(() => parseReference('x:' + 't'.repeat(129))).toThrow('invalid reference format');
    expect(() => parseReference('a/'.repeat(130) + 'b')).toThrow('must not be more than 255 characters');
    expect(() => parseReference('-x')).toThrow('invalid reference format');
    expect(() => parseRepoTag('x@sha256:' + 'a'.repeat(64))).toThrow(
      'refusing to create a tag with a digest reference',
    );
  });

  it('explains a bad tag target as the docker CLI does', () => {
    expect(() => parseTagTarget('Bad:Ref')).toThrow(
      /^"Bad:Ref" is not a valid repository\/tag: invalid reference format: repository name \(library\/Bad\) must be lowercase$/,
    );
    expect(() => parseTagTarget('x:-bad')).toThrow(
      /^"x:-bad" is not a valid repository\/tag: invalid reference format$/,
    );
    expect(() => parseTagTarget('x@sha256:' + 'a'.repeat(64))).toThrow(
      /^refusing to create a tag with a digest reference$/,
    );
    expect(normalizedString(parseTagTarget('localhost:5000/a/b:1'))).toBe('localhost:5000/a/b:1');
  });

  it('accepts docker separators and tag characters', () => {
    expect(parseReference('a_b__c-d.e---f:v1.2-rc_3').tag).toBe('v1.2-rc_3');
    expect(() => parseReference('a___b')).toThrow('invalid reference format');
  });
});
