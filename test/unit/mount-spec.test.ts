/** Mount flags: the docker CLI's --mount parsing (cli/mount-opt) and the daemon's rules (engine/volume/mount-spec). */
import { describe, expect, it } from 'vitest';
import { checkVolumeOpt, csvFields, parseMountOpt } from '../../src/cli/mount-opt.js';
import {
  parseTmpfsFlag,
  parseVolumeFlag,
  validateMountSpec,
  validMountMode,
  volumeNameError,
  volumeOptionsError,
} from '../../src/engine/volume/mount-spec.js';

describe('--mount as the docker CLI parses it', () => {
  it('builds the API Mount object with only the option groups given', () => {
    expect(parseMountOpt('type=bind,src=/h,dst=/c,bind-propagation=RSLAVE')).toEqual({
      Type: 'bind',
      Source: '/h',
      Target: '/c',
      BindOptions: { Propagation: 'rslave' },
    });
    expect(parseMountOpt('source=v,target=/d,readonly,volume-nocopy,volume-label=a=b,volume-opt=o=bind')).toEqual({
      Type: 'volume',
      Source: 'v',
      Target: '/d',
      ReadOnly: true,
      VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: { Options: { o: 'bind' } } },
    });
    expect(parseMountOpt('type=tmpfs,destination=/t,tmpfs-size=1m,tmpfs-mode=1770,ro=false')).toEqual({
      Type: 'tmpfs',
      Target: '/t',
      ReadOnly: false,
      TmpfsOptions: { SizeBytes: 1 << 20, Mode: 0o1770 },
    });
    expect(parseMountOpt('type=bind,src=./here,dst=/x', '/base').Source).toBe('/base/here');
    expect(parseMountOpt('"type=bind","src=/a,b",dst=/x').Source).toBe('/a,b');
  });

  it("refuses with the CLI's messages", () => {
    const cases: [string, string][] = [
      ['type=volume,src=v', 'target is required'],
      ['bogus', "invalid field 'bogus' must be a key=value pair"],
      ['type=volume,target=/x,foo=bar', "unexpected key 'foo' in 'foo=bar'"],
      ['type=volume,target=/x,readonly=maybe', 'invalid value for readonly: maybe'],
      ['type=tmpfs,target=/x,tmpfs-size=lots', 'invalid value for tmpfs-size: lots'],
      ['type=tmpfs,target=/x,tmpfs-mode=9', 'invalid value for tmpfs-mode: 9'],
      ['type=volume,target=/x,bind-propagation=shared', "cannot mix 'bind-*' options with mount type 'volume'"],
      ['type=bind,src=/a,target=/x,volume-nocopy', "cannot mix 'volume-*' options with mount type 'bind'"],
      ['type=volume,target=/x,tmpfs-size=1m', "cannot mix 'tmpfs-*' options with mount type 'volume'"],
    ];
    for (const [spec, msg] of cases) expect(() => parseMountOpt(spec), spec).toThrow(msg);
  });

  it("-v: only empty sections are the CLI's business", () => {
    expect(() => checkVolumeOpt(':/x')).toThrow('invalid spec: :/x: empty section between colons');
    expect(() => checkVolumeOpt('a::b')).toThrow('empty section between colons');
    expect(() => checkVolumeOpt('a:b')).not.toThrow();
    expect(csvFields('a,"b,c",d')).toEqual(['a', 'b,c', 'd']);
  });
});

describe('mount rules as the docker daemon applies them', () => {
  it('-v forms', () => {
    expect(parseVolumeFlag('/anon')).toMatchObject({ type: 'volume', source: '', target: '/anon', readOnly: false });
    expect(parseVolumeFlag('data:/d:ro,nocopy')).toMatchObject({
      type: 'volume',
      source: 'data',
      readOnly: true,
      noCopy: true,
      mode: 'ro,nocopy',
    });
    expect(parseVolumeFlag('/h/../h2:/d:rshared')).toMatchObject({
      type: 'bind',
      source: '/h2',
      propagation: 'rshared',
      createSource: true,
    });
    expect(parseVolumeFlag('/h:/d')).toMatchObject({ type: 'bind', propagation: 'rprivate', readOnly: false });
    expect(() => parseVolumeFlag('/x:ro')).toThrow("invalid volume specification: '/x:ro'");
    expect(() => parseVolumeFlag('a:/b:ro,rw')).toThrow('invalid mode: ro,rw');
    expect(() => parseVolumeFlag('a:b:c:d:e')).toThrow("invalid volume specification: 'a:b:c:d:e'");
    expect(() => parseVolumeFlag('/h:/d:nocopy')).toThrow(
      `invalid volume specification: '/h:/d:nocopy': invalid mount config for type "bind": field VolumeOptions must not be specified`,
    );
  });

  it('mode words: at most one of each kind', () => {
    expect(validMountMode('ro,z,rslave,nocopy,cached')).toBe(true);
    expect(validMountMode('z,Z')).toBe(false);
    expect(validMountMode('shared,slave')).toBe(false);
    expect(validMountMode('exec')).toBe(false);
  });

  it("Mount objects: checked in docker's order", () => {
    const msg = (m: Parameters<typeof validateMountSpec>[0]) => {
      try {
        validateMountSpec(m);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(msg({ Type: 'bind', Target: '' })).toBe(
      'invalid mount config for type "bind": field Target must not be empty',
    );
    expect(msg({ Type: 'bind', Target: 'rel/' })).toBe(
      `invalid mount config for type "bind": invalid mount path: 'rel/' mount path must be absolute`,
    );
    expect(msg({ Type: 'volume', Target: '/x/..' })).toBe(
      `invalid mount config for type "volume": invalid specification: destination can't be '/'`,
    );
    expect(msg({ Type: 'bind', Target: '/x' })).toBe(
      'invalid mount config for type "bind": field Source must not be empty',
    );
    expect(msg({ Type: 'bind', Source: '/a', Target: '/x', BindOptions: { Propagation: 'odd' } })).toBe(
      'invalid mount config for type "bind": invalid propagation mode: odd',
    );
    expect(msg({ Type: 'volume', Target: '/x', BindOptions: {} })).toBe(
      'invalid mount config for type "volume": field BindOptions must not be specified',
    );
    expect(msg({ Type: 'tmpfs', Source: 's', Target: '/x' })).toBe(
      'invalid mount config for type "tmpfs": field Source must not be specified',
    );
    expect(msg({ Type: 'image', Target: '/x' })).toBe('invalid mount config for type "image": mount type unknown');
    expect(
      validateMountSpec({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 5, Mode: 0o700 } }),
    ).toMatchObject({ tmpfsSize: 5, tmpfsMode: 0o700 });
  });

  it("--tmpfs, volume names and the local driver's options", () => {
    expect(parseTmpfsFlag('/t:size=2m,mode=1770,exec')).toMatchObject({
      target: '/t',
      tmpfsSize: 2 << 20,
      tmpfsMode: 0o1770,
      tmpfsOptions: ['exec'],
      tmpfsFlag: true,
    });
    expect(() => parseTmpfsFlag('t')).toThrow("invalid mount path: 't' mount path must be absolute");
    expect(() => parseTmpfsFlag('/t:bogus')).toThrow('invalid tmpfs option "bogus" in "/t:bogus"');
    expect(volumeNameError('ok')).toBeNull();
    expect(volumeNameError('x')).toBe('volume name is too short, names should be at least two alphanumeric characters');
    expect(volumeNameError('a/b')).toMatch(/^"a\/b" includes invalid characters for a local volume name/);
    expect(volumeOptionsError({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' })).toBeNull();
    expect(volumeOptionsError({ size: '1' })).toBe('invalid option: "size"');
    expect(volumeOptionsError({ type: 'tmpfs' })).toBe('missing required option: "device"');
    expect(volumeOptionsError({ device: '/dev/x' })).toBe('missing required option: "type"');
  });
});
