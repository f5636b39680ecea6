import { describe, expect, it } from 'vitest';
import { applyChanges, shellWords } from '../../src/engine/image/changes.js';

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

  it('refuses what docker refuses', () => {
    expect(() => applyChanges({}, ['RUN echo'])).toThrow('run is not a valid change command');
    expect(() => applyChanges({}, ['FROB x'])).toThrow('unknown instruction: FROB');
    expect(() => applyChanges({}, ['STOPSIGNAL SIGNOPE'])).toThrow('Invalid signal: SIGNOPE');
    expect(() => applyChanges({}, ['EXPOSE 80x'])).toThrow('invalid containerPort: 80x');
    expect(() => applyChanges({}, ['ONBUILD FROM x'])).toThrow("FROM isn't allowed as an ONBUILD trigger");
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
