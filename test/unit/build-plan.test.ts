/**
 * The planner: stages, ARG/ENV scoping, steps and history as BuildKit makes
 * them. Expected strings are what the peer docker 20.10 (BuildKit) recorded
 * for the same Dockerfiles.
 */
import { describe, expect, it } from 'vitest';
import { plan, type PlanInput } from '../../src/engine/build/plan/plan.js';
import type { BaseImage } from '../../src/engine/build/plan/dispatch.js';
import type { ImageConfig } from '../../src/engine/image/types.js';
import { goDuration, goQuote } from '../../src/engine/build/plan/go-format.js';

const BB: ImageConfig = {
  architecture: 'amd64',
  config: { Env: null, Cmd: null, WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null, Hostname: '' },
  history: [{ created: '2026-11-23T22:51:43.077094358Z', comment: 'Imported from -' }],
  os: 'linux',
  rootfs: { type: 'layers', diff_ids: ['sha256:bb1f'] },
};

const images: Record<string, ImageConfig> = {
  bb: BB,
  'with-onbuild': {
    ...BB,
    config: { ...BB.config, OnBuild: ['RUN echo triggered', 'COPY --from=helper /h /h'], Env: ['A=from-base'] },
  },
};

async function planOf(text: string, extra: Partial<PlanInput> = {}) {
  const lookups: string[] = [];
  const r = await plan(
    { dockerfile: text, buildArgs: new Map(), labels: {}, network: 'none', hostArch: 'amd64', ...extra },
    async (ref): Promise<BaseImage> => {
      lookups.push(ref);
      const config = images[ref];
      if (!config) throw new Error(`no image ${ref}`);
      return { id: `sha256:${ref}`, name: `docker.io/library/${ref}:latest`, config };
    },
  );
  return { ...r.plan, lookups };
}

const target = (p: Awaited<ReturnType<typeof planOf>>) => p.stages.find((s) => s.index === p.target)!;

describe('planner', () => {
  it('metadata instructions: config fields and history strings as the peer recorded them', async () => {
    const p = await planOf(
      [
        'FROM bb',
        'RUN echo 1 > /a',
        'ENV X=1',
        'CMD ["sh"]',
        'ENTRYPOINT ["/bin/sh", "-c"]',
        'HEALTHCHECK --interval=5s CMD true',
        'EXPOSE 80 53/udp',
        'VOLUME /data',
        'STOPSIGNAL SIGKILL',
        'SHELL ["/bin/sh","-xc"]',
        'ONBUILD RUN echo hi',
        'USER 1:2',
        'ARG Q=1',
        'RUN echo $Q',
      ].join('\n'),
    );
    const t = target(p);
    expect(t.image.config).toEqual({
      User: '1:2',
      ExposedPorts: { '53/udp': {}, '80/tcp': {} },
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'X=1'],
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: ['sh'],
      Volumes: { '/data': {} },
      StopSignal: 'SIGKILL',
      Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 5000000000 },
      ArgsEscaped: true,
      OnBuild: ['RUN echo hi'],
      Shell: ['/bin/sh', '-xc'],
    });
    expect(t.image.history.map((h) => [h.created_by ?? '', !!h.empty_layer])).toEqual([
      ['', false],
      ['RUN /bin/sh -c echo 1 > /a # buildkit', false],
      ['ENV X=1', true],
      ['CMD ["sh"]', true],
      ['ENTRYPOINT ["/bin/sh" "-c"]', true],
      ['HEALTHCHECK &{["CMD-SHELL" "true"] "5s" "0s" "0s" \'\\x00\'}', true],
      ['EXPOSE map[53/udp:{} 80/tcp:{}]', true],
      ['VOLUME [/data]', true],
      ['STOPSIGNAL SIGKILL', true],
      ['SHELL [/bin/sh -xc]', true],
      ['USER 1:2', true],
      ['ARG Q=1', true],
      ['RUN |1 Q=1 /bin/sh -xc echo $Q # buildkit', false],
    ]);
    // set variables show expanded in progress names
    expect(t.steps.map((s) => s.name)).toEqual(['[2/3] RUN echo 1 > /a', '[3/3] RUN echo 1']);
    expect(t.fromName).toBe('[1/3] FROM docker.io/library/bb:latest');
    expect(t.steps[1]!.step).toMatchObject({ op: 'run', args: ['/bin/sh', '-xc', 'echo $Q'], user: '1:2', cwd: '/' });
    expect((t.steps[1]!.step as { env: string[] }).env).toContain('Q=1');
  });

  it('WORKDIR makes a step (not for /), relative to the previous one, owned by USER', async () => {
    const t = target(await planOf('FROM bb\nWORKDIR /tmp\nWORKDIR sub/../x\nUSER 1000\nWORKDIR /\nWORKDIR y'));
    expect(t.steps.map((s) => [s.name, s.step])).toEqual([
      ['[2/5] WORKDIR /tmp', { op: 'mkdir', path: '/tmp', user: '' }],
      ['[3/5] WORKDIR sub/../x', { op: 'mkdir', path: '/tmp/x', user: '' }],
      ['[4/5] WORKDIR y', { op: 'mkdir', path: '/y', user: '1000' }],
    ]);
    expect(t.image.history.slice(1).map((h) => h.created_by)).toEqual([
      'WORKDIR /tmp',
      'WORKDIR /tmp/x',
      'USER 1000',
      'WORKDIR /',
      'WORKDIR /y',
    ]);
    expect(t.image.config.WorkingDir).toBe('/y');
  });

  it('ARG scoping: global ARGs only in FROM until redeclared; --build-arg wins; predefined platform args', async () => {
    const p = await planOf(
      [
        'ARG BASE=bb',
        'ARG V=global',
        'FROM $BASE',
        'RUN echo "$V" $TARGETARCH',
        'ARG V',
        'ARG TARGETPLATFORM',
        'ARG D=dflt',
        'RUN echo $V $TARGETPLATFORM $D',
      ].join('\n'),
      { buildArgs: new Map([['D', 'given']]) },
    );
    const [r1, r2] = target(p).steps.map((s) => s.step as { args: string[]; env: string[] });
    expect(p.lookups).toEqual(['bb']);
    expect(r1!.env.some((e) => e.startsWith('V='))).toBe(false);
    expect(r2!.env).toEqual(expect.arrayContaining(['V=global', 'TARGETPLATFORM=linux/amd64', 'D=given']));
    expect(target(p).image.history.at(-1)!.created_by).toBe(
      'RUN |3 V=global TARGETPLATFORM=linux/amd64 D=given /bin/sh -c echo $V $TARGETPLATFORM $D # buildkit',
    );
    // ARG values reach RUN's environment, not the image's
    expect(target(p).image.config.Env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
  });

  it('proxy build args reach RUN without being declared, and stay out of the history', async () => {
    const p = await planOf('FROM bb\nRUN env', { buildArgs: new Map([['HTTP_PROXY', 'http://p:3128']]) });
    const run = target(p).steps[0]!.step as { proxyEnv: string[]; env: string[] };
    expect(run.proxyEnv).toEqual(['HTTP_PROXY=http://p:3128']);
    expect(run.env.join()).not.toContain('PROXY');
    expect(target(p).image.history.at(-1)!.created_by).toBe('RUN /bin/sh -c env # buildkit');
    expect(p.unusedArgs).toEqual([]);
  });

  it('only the stages the target needs; stage names in progress; --target', async () => {
    const text = [
      'FROM bb AS base',
      'RUN echo base',
      'FROM bb AS unused',
      'RUN echo never',
      'FROM base AS build',
      'COPY --from=0 /etc/passwd /p',
      'FROM scratch',
      'COPY --from=build /p /p',
    ].join('\n');
    const p = await planOf(text);
    expect(p.stages.map((s) => s.index)).toEqual([0, 2, 3]);
    expect(p.stages.map((s) => s.steps.map((x) => x.name))).toEqual([
      ['[base 2/2] RUN echo base'],
      ['[build 1/1] COPY --from=0 /etc/passwd /p'],
      ['[stage-3 1/1] COPY --from=build /p /p'],
    ]);
    const t = await planOf(text, { target: 'base' });
    expect(t.stages.map((s) => s.index)).toEqual([0]);
    await expect(planOf(text, { target: 'nope' })).rejects.toThrow('target stage "nope" could not be found');
  });

  it('COPY: destination against WORKDIR with its slash, sources from context, stage, image, URL; history', async () => {
    images['other:1'] = BB;
    const p = await planOf(
      [
        'FROM bb AS s',
        'FROM bb',
        'WORKDIR /app',
        'ENV F=file',
        'COPY --chown=1:2 --chmod=640 $F dir/ ./',
        'COPY --from=s /etc /etc2',
        'COPY --from=other:1 /x y',
        'ADD https://example.com/a/b.tgz?x=1 /dl/',
        'COPY <<EOF /inline',
        'hello $F',
        'EOF',
      ].join('\n'),
    );
    const steps = target(p)
      .steps.slice(1)
      .map((s) => s.step);
    expect(steps[0]).toMatchObject({
      op: 'copy',
      sources: [
        { kind: 'context', path: '/file' },
        { kind: 'context', path: '/dir' },
      ],
      dest: '/app/',
      chown: '1:2',
      chmod: 0o640,
    });
    expect(steps[1]).toMatchObject({ sources: [{ kind: 'stage', index: 0, path: '/etc' }], dest: '/etc2' });
    expect(steps[2]).toMatchObject({ sources: [{ kind: 'image', ref: 'other:1', path: '/x' }], dest: '/app/y' });
    expect(steps[3]).toMatchObject({ add: true, sources: [{ kind: 'url', filename: 'b.tgz' }], dest: '/dl/' });
    expect(steps[4]).toMatchObject({ sources: [{ kind: 'inline', name: 'EOF', data: 'hello file\n' }] });
    expect(
      target(p)
        .image.history.slice(-5)
        .map((h) => h.created_by),
    ).toEqual([
      'COPY file dir/ ./ # buildkit',
      'COPY /etc /etc2 # buildkit',
      'COPY /x y # buildkit',
      'ADD https://example.com/a/b.tgz?x=1 /dl/ # buildkit',
      'COPY <<EOF /inline # buildkit',
    ]);
  });

  it('ONBUILD triggers of the base image run first, and may bring stages in', async () => {
    const p = await planOf('FROM bb AS helper\nRUN echo h\nFROM with-onbuild\nRUN echo own');
    const t = target(p);
    expect(p.stages.map((s) => s.index)).toEqual([0, 1]);
    expect(t.steps.map((s) => s.name)).toEqual([
      '[stage-1 2/4] ONBUILD RUN echo triggered',
      '[stage-1 3/4] ONBUILD COPY --from=helper /h /h',
      '[stage-1 4/4] RUN echo own',
    ]);
    expect(t.image.config.OnBuild).toBeNull();
  });

  it('errors: a stage defined later, variables in --from, blank base, unknown secrets flag values', async () => {
    await expect(
      planOf('FROM bb AS first\nCOPY --from=later /a /b\nFROM bb AS later', { target: 'first' }),
    ).rejects.toThrow('cannot copy from stage "later", it needs to be defined before current stage "first"');
    await expect(planOf('FROM bb\nCOPY --from=$X /a /b')).rejects.toThrow(
      'variable expansion is not supported for --from',
    );
    await expect(planOf('ARG B\nFROM $B')).rejects.toThrow('base name ($B) should not be blank');
    await expect(planOf('FROM bb\nRUN --mount=type=nope true')).rejects.toThrow('unsupported mount type "nope"');
    await expect(planOf('FROM bb\nCOPY --chmod=999 a b')).rejects.toThrow("invalid chmod parameter: '999'");
  });

  it('RUN mounts: defaults as BuildKit sets them', async () => {
    const t = target(
      await planOf(
        'FROM bb\nWORKDIR /w\nRUN --mount=type=cache,target=c --mount=type=secret,id=tok --mount=type=bind,source=x,target=/x --mount=type=tmpfs,target=/t,size=1m true',
      ),
    );
    const run = t.steps[1]!.step as { mounts: object[] };
    expect(run.mounts).toMatchObject([
      { type: 'cache', target: '/w/c', id: 'c', readonly: false, sharing: 'shared' },
      { type: 'secret', id: 'tok', target: '/run/secrets/tok', readonly: true },
      { type: 'bind', source: 'x', target: '/x', readonly: true, src: null },
      { type: 'tmpfs', target: '/t', size: 1048576, readonly: false },
    ]);
  });
});

describe("Go's formatting", () => {
  it('durations and quoting', () => {
    expect([0, 5e9, 90e9, 1.5e9, 1e6, 3661e9].map(goDuration)).toEqual(['0s', '5s', '1m30s', '1.5s', '1ms', '1h1m1s']);
    expect(goQuote('a"b\\c\n\x01é')).toBe('"a\\"b\\\\c\\n\\x01é"');
  });
});
