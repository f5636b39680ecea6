/**
 * docker-compose 1.29 (Debian's, a docker-py client speaking API 1.38)
 * against berth's API service: a two-service project with a named volume,
 * environment, command and restart policy comes up, `ps`, `logs` and
 * `exec -T` show it, `berth ps` on the same store sees it meanwhile (one
 * engine, several processes), and `down -v` leaves nothing behind: no
 * container, no volume, no network.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect } from 'vitest';
import { startApiService, type ApiService } from '../helpers/api-service.js';
import { until } from '../helpers/engine.js';
import { berth, describeIf, fixture, isRoot, itIf, tempRoot, type TempRoot } from '../helpers/env.js';

const COMPOSE = '/usr/bin/docker-compose';

function composeSkipReason(): string | null {
  if (!isRoot) return 'needs root';
  if (!existsSync(COMPOSE)) return `${COMPOSE} is not installed (scripts/peers.sh installs docker-compose)`;
  return null;
}

/** The project: two services on one named volume, each with environment, a command and a restart policy. */
const COMPOSE_FILE = `version: "3.8"
services:
  web:
    image: bb
    command: ["sh", "-c", "echo web says $$GREETING; echo from-web > /data/note; trap 'exit 0' TERM; sleep 600 & wait"]
    environment:
      GREETING: hello-from-compose
    volumes:
      - shared:/data
    restart: unless-stopped
  worker:
    image: bb
    command: ["sh", "-c", "echo worker is $$ROLE; trap 'exit 0' TERM; sleep 600 & wait"]
    environment:
      - ROLE=the-worker
    volumes:
      - shared:/data
    restart: on-failure:3
  tool:
    image: bb
    profiles: ["tools"]
    command: ["sh", "-c", "echo tool ran; cat /data/note"]
    volumes:
      - shared:/data
volumes:
  shared:
`;

/** A second project: one service built from a Dockerfile, both run attached until one exits. */
const BUILD_FILE = `version: "3.8"
services:
  a:
    build: ./ctx
    command: ["sh", "-c", "cat /built; echo a-line; touch /v/ready; sleep 600"]
    volumes:
      - v:/v
  b:
    image: bb
    command: ["sh", "-c", "while [ ! -e /v/ready ]; do sleep 0.1; done; echo b-line; exit 4"]
    volumes:
      - v:/v
volumes:
  v:
`;

describeIf(composeSkipReason())('docker-compose 1.29 against the API service', () => {
  let t: TempRoot;
  let svc: ApiService;
  const project = `bc17c${process.pid}`;

  /** docker-compose in the project's directory, against berth's socket; never throws. */
  const compose = async (args: string[], env: Record<string, string> = {}, dir = t.base, p = project) => {
    const r = await execa(COMPOSE, ['--ansi', 'never', '-p', p, ...args], {
      cwd: dir,
      env: { DOCKER_HOST: svc.host, COMPOSE_INTERACTIVE_NO_CLI: '', ...env },
      reject: false,
      timeout: 120_000,
    });
    return {
      exitCode: r.exitCode ?? -1,
      stdout: String(r.stdout),
      stderr: String(r.stderr),
      out: `${r.stdout}\n${r.stderr}`,
    };
  };

  beforeAll(async () => {
    t = tempRoot('berth-api-compose-');
    expect((await berth(t, ['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    writeFileSync(join(t.base, 'docker-compose.yml'), COMPOSE_FILE);
    mkdirSync(join(t.base, 'b', 'ctx'), { recursive: true });
    writeFileSync(join(t.base, 'b', 'docker-compose.yml'), BUILD_FILE);
    writeFileSync(join(t.base, 'b', 'ctx', 'Dockerfile'), 'FROM bb\nRUN echo built-by-compose > /built\n');
    svc = await startApiService(t);
  }, 120_000);

  afterAll(async () => {
    // a failed run leaves nothing running: down through compose, then the engine's own
    if (svc && svc.proc.exitCode === null) {
      await compose(['down', '-v', '-t', '1']);
      await compose(['down', '-v', '-t', '1', '--rmi', 'local'], {}, join(t.base, 'b'), `${project}b`);
    }
    await svc?.stop();
    if (t) await berth(t, ['rm', '-f', '-v', ...(await berth(t, ['ps', '-aq'])).stdout.split('\n').filter(Boolean)]);
    t?.cleanup();
  }, 120_000);

  itIf(null)(
    'up -d, ps, logs, exec -T, stop, start, restart, run --rm and down -v, with berth ps seeing the project meanwhile',
    async () => {
      const up = await compose(['up', '-d']);
      expect(up.out).toContain(`Creating network "${project}_default" with the default driver`);
      expect(up.out).toContain(`Creating volume "${project}_shared" with default driver`);
      expect(up.out).toMatch(new RegExp(`Creating ${project}_web_1 +\\.\\.\\. done`));
      expect(up.out).toMatch(new RegExp(`Creating ${project}_worker_1 +\\.\\.\\. done`));
      expect(up.exitCode, up.out).toBe(0);

      // ps: both services up, with their commands
      const ps = await compose(['ps']);
      expect(ps.exitCode, ps.out).toBe(0);
      const rows = ps.stdout.split('\n').filter((l) => l.startsWith(project));
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatch(new RegExp(`^${project}_web_1 +sh -c echo web says .* +Up *$`));
      expect(rows[1]).toMatch(new RegExp(`^${project}_worker_1 +sh -c echo worker is .* +Up *$`));
      const psq = await compose(['ps', '-q']);
      expect(psq.stdout.split('\n').filter(Boolean)).toHaveLength(2);

      // the same store seen by another process: berth ps, with compose's labels
      const bps = await berth(t, [
        'ps',
        '--filter',
        `label=com.docker.compose.project=${project}`,
        '--format',
        '{{.Names}} {{.Status}} {{.Labels}}',
      ]);
      expect(bps.exitCode, bps.stderr).toBe(0);
      expect(bps.stdout.split('\n').filter(Boolean).sort()).toEqual([
        expect.stringMatching(new RegExp(`^${project}_web_1 Up .*com.docker.compose.service=web`)),
        expect.stringMatching(new RegExp(`^${project}_worker_1 Up .*com.docker.compose.service=worker`)),
      ]);
      // the restart policies and the volume as compose asked for them
      const policy = await berth(t, [
        'inspect',
        '-f',
        '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}',
        `${project}_web_1`,
        `${project}_worker_1`,
      ]);
      expect(policy.stdout.split('\n').filter(Boolean)).toEqual(['unless-stopped:0', 'on-failure:3']);
      expect((await berth(t, ['volume', 'ls', '-q'])).stdout.split('\n')).toContain(`${project}_shared`);
      expect((await berth(t, ['network', 'ls', '--format', '{{.Name}}'])).stdout.split('\n')).toContain(
        `${project}_default`,
      );

      // compose follows the project's events (GET /events?filters={"label":[project, oneoff=False]}):
      // what another process does to a container shows; poked until the stream is live
      const events = execa(COMPOSE, ['--ansi', 'never', '-p', project, 'events', '--json'], {
        cwd: t.base,
        env: { DOCKER_HOST: svc.host, PYTHONUNBUFFERED: '1' },
        reject: false,
      });
      let seen = '';
      events.stdout!.on('data', (d) => (seen += d));
      const actions = () =>
        seen
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { action: string; service: string; attributes: Record<string, string> });
      await until(
        async () => {
          await berth(t, ['kill', '-s', 'WINCH', `${project}_web_1`]);
          return actions().some((e) => e.action === 'kill' && e.service === 'web');
        },
        30_000,
        500,
      );

      // logs: the lines each command wrote, with its environment, prefixed by the service's container (compose drops the project)
      const logs = await compose(['logs', '--no-color']);
      expect(logs.exitCode, logs.out).toBe(0);
      // (in the order the containers list gives them: created at once, either may come first)
      expect(logs.stdout).toMatch(
        new RegExp(`^Attaching to ${project}_(web|worker)_1, ${project}_(web|worker)_1$`, 'm'),
      );
      expect(logs.stdout).toMatch(/^web_1 +\| web says hello-from-compose$/m);
      expect(logs.stdout).toMatch(/^worker_1 +\| worker is the-worker$/m);
      const one = await compose(['logs', '--no-color', 'worker']);
      expect(one.stdout).toContain('worker is the-worker');
      expect(one.stdout).not.toContain('web says');

      // exec -T (no tty): its output, the service's environment, the shared volume, the exit status
      const env = await compose(['exec', '-T', 'web', 'sh', '-c', 'echo "exec sees $GREETING"']);
      expect(env.exitCode, env.out).toBe(0);
      expect(env.stdout).toBe('exec sees hello-from-compose');
      const shared = await compose([
        'exec',
        '-T',
        'worker',
        'sh',
        '-c',
        'while [ ! -s /data/note ]; do sleep 0.1; done; cat /data/note',
      ]);
      expect(shared.exitCode, shared.out).toBe(0);
      expect(shared.stdout).toBe('from-web');
      const fails = await compose(['exec', '-T', 'worker', 'sh', '-c', 'echo to-stderr >&2; exit 3']);
      expect(fails.exitCode).toBe(3);
      expect(fails.stderr).toContain('to-stderr');

      // exec through docker-py's own exec (no docker CLI): the same output
      const pyExec = await compose(['exec', '-T', 'web', 'sh', '-c', 'echo "py exec sees $GREETING"'], {
        COMPOSE_INTERACTIVE_NO_CLI: '1',
      });
      expect(pyExec.exitCode, pyExec.out).toBe(0);
      expect(pyExec.stdout).toBe('py exec sees hello-from-compose');

      // the services find each other by name on the project's network
      const dns = await compose(['exec', '-T', 'worker', 'sh', '-c', 'ping -c 1 -W 5 web']);
      expect(dns.exitCode, dns.out).toBe(0);
      expect(dns.stdout).toContain('1 packets received');

      // up again: nothing changed, nothing recreated (compose's config hash label read back)
      const again = await compose(['up', '-d']);
      expect(again.exitCode, again.out).toBe(0);
      expect(again.out).toContain(`${project}_web_1 is up-to-date`);
      expect(again.out).toContain(`${project}_worker_1 is up-to-date`);

      // stop, start, restart the project
      expect((await compose(['stop', '-t', '1'])).exitCode).toBe(0);
      const stopped = await compose(['ps']);
      expect(stopped.stdout).toMatch(new RegExp(`^${project}_web_1 .* Exit 0 *$`, 'm'));
      expect(stopped.stdout).toMatch(new RegExp(`^${project}_worker_1 .* Exit 0 *$`, 'm'));
      expect((await compose(['start'])).exitCode).toBe(0);
      const restart = await compose(['restart', '-t', '1']);
      expect(restart.exitCode, restart.out).toBe(0);
      expect(restart.out).toMatch(new RegExp(`Restarting ${project}_web_1 +\\.\\.\\. done`));
      const started = await compose(['ps']);
      expect(started.stdout.split('\n').filter((l) => / Up *$/.test(l))).toHaveLength(2);
      // each start ran the command again: three lines now; --tail 1 gives the last
      const logs3 = await compose(['logs', '--no-color', 'web']);
      expect(logs3.stdout.match(/web says hello-from-compose/g)).toHaveLength(3);
      const tail = await compose(['logs', '--no-color', '--tail', '1', 'web']);
      expect(tail.stdout.match(/web says/g)).toHaveLength(1);

      // a one-off run of a service no container of which runs yet: the volume and the network are there
      const run = await compose(['run', '--rm', '-T', 'tool']);
      expect(run.exitCode, run.out).toBe(0);
      expect(run.stdout).toContain('tool ran\nfrom-web');
      // a one-off run of a service whose container runs: compose links the one-off to it (HostConfig.Links,
      // as web, PROJECT_web_1 and web_1); on the project network those names resolve to it, for the
      // one-off only (web_1 is no name on the network: a container of the project does not know it)
      const web = await berth(t, [
        'inspect',
        '-f',
        `{{(index .NetworkSettings.Networks "${project}_default").IPAddress}}`,
        `${project}_web_1`,
      ]);
      expect(web.stdout.trim()).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const script = 'for n in web_1 PROJECT_web_1 web; do ping -c1 -W2 $n | head -1; done';
      const linked = await compose(['run', '--rm', '-T', 'web', 'sh', '-c', script.replace('PROJECT', project)]);
      expect(linked.exitCode, linked.out).toBe(0);
      for (const n of ['web_1', `${project}_web_1`, 'web'])
        expect(linked.stdout).toContain(`PING ${n} (${web.stdout.trim()})`);
      const unlinked = await compose(['exec', '-T', 'worker', 'sh', '-c', 'ping -c1 -W2 web_1 || echo no-such-name']);
      expect(unlinked.stdout + unlinked.stderr).toContain('no-such-name');

      // down -v: containers, network and volume gone, in compose's words and in the store
      const down = await compose(['down', '-v', '-t', '1']);
      expect(down.exitCode, down.out).toBe(0);
      for (const s of ['web', 'worker']) {
        expect(down.out).toMatch(new RegExp(`Stopping ${project}_${s}_1 +\\.\\.\\. done`));
        expect(down.out).toMatch(new RegExp(`Removing ${project}_${s}_1 +\\.\\.\\. done`));
      }
      expect(down.out).toContain(`Removing network ${project}_default`);
      expect(down.out).toContain(`Removing volume ${project}_shared`);
      // the events compose printed meanwhile: each service's stop, start, restart and destroy
      await until(() => actions().filter((e) => e.action === 'destroy').length === 2, 30_000);
      events.kill('SIGTERM');
      await events;
      const got = actions();
      for (const service of ['web', 'worker'])
        for (const action of ['stop', 'start', 'restart', 'die', 'destroy'])
          expect(
            got.some((e) => e.service === service && e.action === action),
            `${service} ${action}`,
          ).toBe(true);
      expect(got.find((e) => e.action === 'destroy' && e.service === 'web')?.attributes).toMatchObject({
        name: `${project}_web_1`,
        image: 'bb',
      });
      expect((await compose(['ps', '-q'])).stdout.trim()).toBe('');
      expect((await berth(t, ['ps', '-aq'])).stdout.trim()).toBe('');
      expect((await berth(t, ['volume', 'ls', '-q'])).stdout.trim()).toBe('');
      expect((await berth(t, ['network', 'ls', '--format', '{{.Name}}'])).stdout.split('\n')).not.toContain(
        `${project}_default`,
      );
    },
    10 * 60_000,
  );
  itIf(null)(
    'build, then up attached until a service exits (--abort-on-container-exit, --exit-code-from), down --rmi local',
    async () => {
      const dir = join(t.base, 'b');
      const p = `${project}b`;
      const build = await compose(['build'], {}, dir, p);
      expect(build.exitCode, build.out).toBe(0);
      expect(build.out).toContain('Step 2/2 : RUN echo built-by-compose > /built');
      expect(build.out).toContain(`Successfully tagged ${p}_a:latest`);

      const up = await compose(['up', '--abort-on-container-exit', '--exit-code-from', 'b', '-t', '1'], {}, dir, p);
      expect(up.exitCode, up.out).toBe(4);
      expect(up.stdout).toMatch(/^a_1 +\| built-by-compose$/m);
      expect(up.stdout).toMatch(/^a_1 +\| a-line$/m);
      expect(up.stdout).toMatch(/^b_1 +\| b-line$/m);
      expect(up.out).toContain(`${p}_b_1 exited with code 4`);
      expect(up.out).toMatch(new RegExp(`Stopping ${p}_a_1 +\\.\\.\\. done`));

      const down = await compose(['down', '-v', '-t', '1', '--rmi', 'local'], {}, dir, p);
      expect(down.exitCode, down.out).toBe(0);
      expect(down.out).toContain(`Removing image ${p}_a`);
      expect((await berth(t, ['ps', '-aq'])).stdout.trim()).toBe('');
      expect((await berth(t, ['images', '--format', '{{.Repository}}'])).stdout.split('\n')).not.toContain(`${p}_a`);
      expect((await berth(t, ['volume', 'ls', '-q'])).stdout.trim()).toBe('');
    },
    10 * 60_000,
  );
});
