/**
 * The compose project view end to end: real docker-compose 1.29 brings a
 * two-service project up through berth's API service, and the real app
 * (`node dist/cli/main.cjs` in tmux, on the same store) groups it by
 * project, shows its merged logs with docker-compose's service tags, and
 * stops and starts the whole project, which docker-compose's own `ps` sees.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startApiService, type ApiService } from '../helpers/api-service.js';
import { CLI, berth, describeIf, fixture, isRoot, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { Tmux } from '../helpers/tmux.js';

const COMPOSE = '/usr/bin/docker-compose';

function reason(): string | null {
  if (!isRoot) return 'needs root';
  if (!existsSync(COMPOSE)) return `${COMPOSE} is not installed (scripts/peers.sh installs docker-compose)`;
  try {
    new Tmux(80, 24).tmux('-V');
  } catch {
    return 'tmux is not installed';
  }
  return skipReason();
}

const COMPOSE_FILE = `version: "3.8"
services:
  web:
    image: bb
    command: ["sh", "-c", "trap 'exit 0' TERM; i=0; while true; do i=$$((i+1)); echo web-says-$$i; sleep 0.4; done"]
  worker:
    image: bb
    command: ["sh", "-c", "trap 'exit 0' TERM; i=0; while true; do i=$$((i+1)); echo worker-did-$$i; sleep 0.5; done"]
`;

describeIf(reason())('the app on a docker-compose project', () => {
  let t: TempRoot;
  let svc: ApiService;
  let tm: Tmux | null = null;
  const project = `c${process.pid}`; // short: the whole name fits the NAME column

  const compose = async (args: string[]) => {
    const r = await execa(COMPOSE, ['--ansi', 'never', '-p', project, ...args], {
      cwd: t.base,
      env: { DOCKER_HOST: svc.host },
      reject: false,
      timeout: 120_000,
    });
    return { exitCode: r.exitCode ?? -1, out: `${r.stdout}\n${r.stderr}` };
  };

  beforeAll(async () => {
    t = tempRoot('berth-e2e-compose-');
    expect((await berth(t, ['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    writeFileSync(join(t.base, 'docker-compose.yml'), COMPOSE_FILE);
    svc = await startApiService(t);
    const up = await compose(['up', '-d']);
    expect(up.exitCode, up.out).toBe(0);
  }, 120_000);
  afterEach(() => {
    tm?.kill();
    tm = null;
  });
  afterAll(async () => {
    if (svc && svc.proc.exitCode === null) await compose(['down', '-v', '-t', '1']);
    await svc?.stop();
    t?.cleanup();
  }, 120_000);

  it('groups the project, merges its logs, and stops and starts it as docker-compose sees', async () => {
    tm = new Tmux(140, 40);
    tm.start({ ...t.env, NO_COLOR: '' });
    tm.line(`cd ${t.base} && node ${CLI}; echo EXITED $?`);
    await tm.waitFor(/1 Containers .*2 running \/ 2/);
    tm.keys('v');
    await tm.waitFor(new RegExp(`${project}\\s+2/2 running`));
    tm.keys('g');
    await tm.waitFor(`project ${project}`);
    // docker-compose's containers carry their service and number: the tags are theirs
    await tm.waitFor(/web-1 {4}\| web-says-\d+/);
    await tm.waitFor(/worker-1 \| worker-did-\d+/);

    tm.keys('s');
    await tm.waitFor(`Stop project ${project}: 2 containers`);
    tm.keys('y');
    await tm.waitFor(`stopped project ${project} (2 containers)`, 60_000);
    const stopped = await compose(['ps']);
    expect(stopped.out).toMatch(/_web_1 .* Exit 0/);
    expect(stopped.out).toMatch(/_worker_1 .* Exit 0/);

    tm.keys('S');
    await tm.waitFor(`started project ${project} (2 containers)`, 60_000);
    const up = await compose(['ps']);
    expect(up.out).toMatch(/_web_1 .* Up/);
    expect(up.out).toMatch(/_worker_1 .* Up/);
    tm.keys('q');
    await tm.waitFor('EXITED 0');
  });
});
