import { describe, expect, it } from 'vitest';
import { applyChanges, shellWords } from '../../src/engine/image/changes.js';
import { parsePlatform } from '../../src/engine/image/platform.js';

describe('--change instructions', () => {
  it('applies every supported instruction as docker does', () => {
    const c = applyChanges({ Env: ['PATH=/bin'], WorkingDir: '/srv' }, [
      'CMD ["httpd","-f","-p","8080"]',
      'ENV FOO=bar BAZ="a b"',
      'env LEGACY some value',
      'EXPOSE 8080 53/udp 9000-9001',
      'LABEL org.example.fixture=layers "quoted key"="v w"',
      'ONBUILD RUN echo hi',
      'STOPSIGNAL SIGINT',
      'USER nobody:nogroup',
      'VOLUME ["/data", "/logs"]',
      'WORKDIR app',
    ]);
    expect(c.Cmd).toEqual(['httpd', '-f', '-p', '8080']);
    expect(c.Env).toEqual(['PATH=/bin', 'FOO=bar', 'BAZ=a b', 'LEGACY=some value']);
    expect(c.ExposedPorts).toEqual({ '8080/tcp': {}, '53/udp': {}, '9000/tcp': {}, '9001/tcp': {} });
    expect(c.Labels).toEqual({ 'org.example.fixture': 'layers', 'quoted key': 'v w' });
    expect(c.OnBuild).toEqual(['RUN echo hi']);
    expect(c.StopSignal).toBe('SIGINT');
    expect(c.User).toBe('nobody:nogroup');
    expect(c.Volumes).toEqual({ '/data': {}, '/logs': {} });
    expect(c.WorkingDir).toBe('/srv/app');
  });

  it('shell form, entrypoint resets cmd, env substitution', () => {
    const c = applyChanges({ Cmd: ['old'], Env: ['HOME=/root'] }, ['ENTRYPOINT echo $HOME', 'VOLUME /a /b']);
    expect(c.Entrypoint).toEqual(['/bin/sh', '-c', 'echo $HOME']);
    expect(c.Cmd).toBeNull();
    expect(applyChanges({ Env: ['D=/x'] }, ['WORKDIR $D/y']).WorkingDir).toBe('/x/y');
    expect(applyChanges({}, ['CMD ["a"]', 'ENTRYPOINT ["b"]']).Cmd).toEqual(['a']);
  });

  it('refuses what docker refuses, with its messages', () => {
    expect(() => applyChanges({}, ['RUN echo'])).toThrow('run is not a valid change command');
    expect(() => applyChanges({}, ['HEALTHCHECK NONE'])).toThrow('healthcheck is not a valid change command');
    expect(() => applyChanges({}, ['FROB x'])).toThrow(/^frob is not a valid change command$/);
    expect(() => applyChanges({}, ['STOPSIGNAL SIGNOPE'])).toThrow('Invalid signal: SIGNOPE');
    expect(() => applyChanges({}, ['EXPOSE 80x'])).toThrow(/^Invalid containerPort: 80x$/);
    expect(() => applyChanges({}, ['EXPOSE 80-70'])).toThrow(/^Invalid containerPort: 80-70$/);
    expect(() => applyChanges({}, ['EXPOSE 70000'])).toThrow(/^Invalid containerPort: 70000$/);
    expect(() => applyChanges({}, ['EXPOSE 80/xyz'])).toThrow(/^Invalid proto: xyz$/);
    expect(() => applyChanges({}, ['ENV A=1 B'])).toThrow(
      /^Syntax error - can't find = in "B". Must be of the form: name=value$/,
    );
    expect(() => applyChanges({}, ['ONBUILD FROM x'])).toThrow("FROM isn't allowed as an ONBUILD trigger");
    expect(() => applyChanges({}, [''])).toThrow(/^file with no instructions$/);
    expect(() => applyChanges({}, ['  ', '# only a comment'])).toThrow(/^file with no instructions$/);
  });

  it('takes the forms docker takes', () => {
    // empty CMD is the bare shell; empty ENTRYPOINT resets it (and the CMD)
    expect(applyChanges({}, ['CMD']).Cmd).toEqual(['/bin/sh', '-c']);
    expect(applyChanges({ Entrypoint: ['x'], Cmd: ['y'] }, ['ENTRYPOINT'])).toMatchObject({
      Entrypoint: null,
      Cmd: null,
    });
    expect(applyChanges({}, ['CMD ["a"]', 'CMD']).Cmd).toEqual(['/bin/sh', '-c']);
    // USER takes the rest of the line
    expect(applyChanges({}, ['USER a b']).User).toBe('a b');
    expect(applyChanges({}, ['EXPOSE 80/UDP']).ExposedPorts).toEqual({ '80/udp': {} });
    // several instructions in one change, as a Dockerfile
    expect(applyChanges({}, ['ENV A=1\nUSER x'])).toMatchObject({ Env: ['A=1'], User: 'x' });
    expect(applyChanges({ User: 'u' }, [])).toEqual({ User: 'u' });
  });

  it('does not modify its input', () => {
    const base = { Env: ['A=1'] };
    applyChanges(base, ['ENV A=2']);
    expect(base.Env).toEqual(['A=1']);
  });

  it('splits shell words', () => {
    expect(shellWords(`a "b c" 'd $X' \\e $X`, { X: 'x' })).toEqual(['a', 'b c', 'd $X', 'e', 'x']);
  });
});

describe('--platform', () => {
  it('reads os[/arch[/variant]] as containerd does, normalised', () => {
    expect(parsePlatform('linux', 'amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/arm64/v8', 'amd64')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('linux/aarch64', 'amd64')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('linux/arm', 'amd64')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('armel', 'amd64')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    expect(parsePlatform('Linux/X86_64', 'arm64')).toEqual({ os: 'linux', architecture: 'amd64' });
  });
  it('refuses what docker refuses, with its messages', () => {
    expect(() => parsePlatform('bogus', 'amd64')).toThrow(
      /^"bogus": unknown operating system or architecture: invalid argument$/,
    );
    expect(() => parsePlatform('linux/nope', 'amd64')).toThrow('unknown operating system or architecture');
    expect(() => parsePlatform('windows/amd64', 'amd64')).toThrow(/^operating system is not supported$/);
  });
});
