/**
 * The remote build's pure parts: the context tar as build-context.ts streams
 * it (entries, .dockerignore with exceptions, the Dockerfile and
 * .dockerignore always sent, a Dockerfile from outside added under a name
 * .dockerignore hides, stdin's tar passed on and a lone Dockerfile put in a
 * tar), the registries of the FROM lines, and the classic stream's model
 * (the CLI's text and the app's rows, docker's and podman's lines).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { contextUpload } from '../../src/client/build-context.js';
import { baseRegistries, registryConfig } from '../../src/client/docker-api/build-ops.js';
import { ClassicBuild, CONTEXT_UPLOAD_ID } from '../../src/client/format/classic-build.js';
import { readTar } from '../../src/engine/tar/reader.js';
import { fixture } from '../helpers/env.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'berth-ctx-'));
  dirs.push(d);
  return d;
};

async function entries(body: Readable | null): Promise<Map<string, { uid: number; type: string; data: string }>> {
  const out = new Map<string, { uid: number; type: string; data: string }>();
  for await (const e of readTar(body!)) {
    const data = (await e.buffer()).toString('utf8');
    out.set(e.header.name.replace(/\/$/, ''), { uid: e.header.uid, type: e.header.type, data });
  }
  return out;
}

describe('the context a remote engine is sent', () => {
  it('the fixture directory: ignored files left out, the Dockerfile and .dockerignore in, owned by root', async () => {
    const up = await contextUpload({ source: { kind: 'dir', path: fixture('remote-build') } });
    expect(up.dockerfile).toBe('Dockerfile');
    expect(up.dockerfileText).toMatch(/^FROM bb:latest/);
    const got = await entries(up.body);
    expect([...got.keys()]).toEqual([
      '.dockerignore',
      'Dockerfile',
      'Dockerfile.fail',
      'Dockerfile.slow',
      'hello.txt',
      'sub',
      'sub/nested.txt',
    ]);
    expect([...got.values()].every((e) => e.uid === 0)).toBe(true);
    expect(got.get('hello.txt')!.data).toBe('hello from the context\n');
  });

  it('an exception brings a file back from an ignored directory; an ignored Dockerfile is still sent', async () => {
    const d = temp();
    mkdirSync(join(d, 'ignored'));
    writeFileSync(join(d, 'ignored', 'keep.txt'), 'keep');
    writeFileSync(join(d, 'ignored', 'secret.txt'), 'secret');
    writeFileSync(join(d, 'Dockerfile'), 'FROM bb:latest\n');
    writeFileSync(join(d, '.dockerignore'), 'ignored\n!ignored/keep.txt\nDockerfile\n.dockerignore\n');
    const got = await entries((await contextUpload({ source: { kind: 'dir', path: d } })).body);
    expect([...got.keys()]).toEqual(['.dockerignore', 'Dockerfile', 'ignored/keep.txt']);
    // -f naming a Dockerfile in an ignored directory: sent all the same (docker's CLI adds it as an exception)
    writeFileSync(join(d, 'ignored', 'Dockerfile'), 'FROM bb:latest\n');
    const up = await contextUpload({ source: { kind: 'dir', path: d }, dockerfile: { path: 'ignored/Dockerfile' } });
    expect(up.dockerfile).toBe('ignored/Dockerfile');
    // (the context's own Dockerfile is no longer the build's: .dockerignore leaves it out)
    expect([...(await entries(up.body)).keys()]).toEqual(['.dockerignore', 'ignored/Dockerfile', 'ignored/keep.txt']);
  });

  it('a Dockerfile outside the context goes in as .dockerfile.<random>, named in .dockerignore', async () => {
    const d = temp();
    writeFileSync(join(d, 'Other.Dockerfile'), 'FROM bb:latest\nRUN true\n');
    const up = await contextUpload({
      source: { kind: 'dir', path: fixture('remote-build') },
      dockerfile: { path: join(d, 'Other.Dockerfile') },
    });
    expect(up.dockerfile).toMatch(/^\.dockerfile\.[0-9a-f]{20}$/);
    const got = await entries(up.body);
    expect(got.get(up.dockerfile)!.data).toBe('FROM bb:latest\nRUN true\n');
    expect(got.get('.dockerignore')!.data).toBe(
      readFileSync(fixture('remote-build/.dockerignore'), 'utf8') + `\n${up.dockerfile}\n`,
    );
    const fromStdin = await contextUpload({
      source: { kind: 'dir', path: fixture('remote-build') },
      dockerfile: { content: Buffer.from('FROM bb:latest\n') },
    });
    expect((await entries(fromStdin.body)).get(fromStdin.dockerfile)!.data).toBe('FROM bb:latest\n');
  });

  it('stdin: a tar passed on byte for byte; a lone Dockerfile put in a tar', async () => {
    const tar = readFileSync(fixture('container-export.tar'));
    const chunks = [tar.subarray(0, 100), tar.subarray(100, 5000), tar.subarray(5000)];
    const up = await contextUpload({ source: { kind: 'stdin', stream: Readable.from(chunks) } });
    const sent: Buffer[] = [];
    for await (const c of up.body!) sent.push(c as Buffer);
    expect(Buffer.concat(sent).equals(tar)).toBe(true);
    const df = await contextUpload({ source: { kind: 'stdin', stream: Readable.from([Buffer.from('FROM bb\n')]) } });
    expect(df.dockerfile).toBe('Dockerfile');
    expect((await entries(df.body)).get('Dockerfile')!.data).toBe('FROM bb\n');
  });

  it('a missing context or Dockerfile: docker’s words, before anything is sent', async () => {
    await expect(contextUpload({ source: { kind: 'dir', path: '/nonexistent/ctx' } })).rejects.toThrow(
      'unable to prepare context: path "/nonexistent/ctx" not found',
    );
    await expect(contextUpload({ source: { kind: 'dir', path: temp() } })).rejects.toThrow(
      /unable to evaluate symlinks in Dockerfile path: lstat .*\/Dockerfile: no such file or directory/,
    );
  });
});

describe('what the remote build needs besides the context', () => {
  it('the registries of the base images (stages, scratch and ARG-named bases left out)', () => {
    const df = [
      'ARG BASE=x',
      'FROM --platform=linux/amd64 golang:1.21 AS build',
      'FROM localhost:5000/tools/a AS tools',
      'FROM registry.example.com/team/app',
      'FROM build',
      'FROM scratch',
      'FROM $BASE',
    ].join('\n');
    expect(baseRegistries(df)).toEqual(['docker.io', 'localhost:5000', 'registry.example.com']);
  });

  it('the classic stream: docker’s text for the CLI, the steps for the app', () => {
    const c = new ClassicBuild();
    expect(c.apply({ id: CONTEXT_UPLOAD_ID, progressDetail: { current: 1024 } })).toBe('');
    expect(c.apply({ id: CONTEXT_UPLOAD_ID, progressDetail: { current: 6656, total: 6656 } })).toBe(
      'Sending build context to Docker daemon  6.656kB\r\r\n',
    );
    const text = [
      'Step 1/2 : FROM bb:latest\n',
      ' ---> 6aa4265b18c5\n',
      'Step 2/2 : RUN echo hi\n',
      ' ---> Running in 06315c9cd8e7\n',
      'hi\n',
    ];
    expect(text.map((stream) => c.apply({ stream })).join('')).toBe(text.join(''));
    const rows = c.rows(Date.now());
    expect(rows.map((r) => [r.text, r.kind])).toEqual([
      ['=> sending context 6.656kB', 'done'],
      ['=> Step 1/2 : FROM bb:latest', 'done'],
      ['=> Step 2/2 : RUN echo hi', 'running'],
      ['=> => # hi', 'log'],
    ]);
    expect(c.header(Date.now())).toMatch(/^\[\+\] Building \d+\.\ds \(1\/2\)$/);
    // podman's lines
    const p = new ClassicBuild();
    p.apply({ stream: 'STEP 1/2: FROM bb:latest\nSTEP 2/2: COPY a /a\n--> Using cache 7c6a\n' });
    expect(p.rows(Date.now()).map((r) => [r.text, r.kind])).toEqual([
      ['=> Step 1/2 : FROM bb:latest', 'done'],
      ['=> CACHED Step 2/2 : COPY a /a', 'cached'],
    ]);
    // a pull's status lines, not its bars
    expect(c.apply({ id: 'abc', status: 'Pulling fs layer' })).toBe('abc: Pulling fs layer\n');
    expect(c.apply({ id: 'abc', status: 'Downloading', progressDetail: { current: 5, total: 9 } })).toBe('');
  });
});

describe('X-Registry-Config', () => {
  it('carries berth’s credentials for the registries named, docker’s AuthConfig map in padded base64url', async () => {
    const d = temp();
    writeFileSync(
      join(d, 'config.json'),
      JSON.stringify({
        auths: {
          'registry.example.com': { auth: Buffer.from('ann:s3cret').toString('base64') },
          'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpass').toString('base64') },
        },
      }),
    );
    const saved = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = d;
    try {
      const header = await registryConfig(['registry.example.com', 'docker.io', 'other.example.org']);
      expect(header).toMatch(/^[A-Za-z0-9_-]+=*$/);
      expect(JSON.parse(Buffer.from(header, 'base64url').toString('utf8'))).toEqual({
        'registry.example.com': { username: 'ann', password: 's3cret', serveraddress: 'registry.example.com' },
        'https://index.docker.io/v1/': {
          username: 'hubuser',
          password: 'hubpass',
          serveraddress: 'https://index.docker.io/v1/',
        },
      });
      expect(await registryConfig([])).toBe('e30=');
    } finally {
      if (saved === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = saved;
    }
  });
});
