/**
 * The docker CLI against berth's API service and against the peer dockerd:
 * some ninety commands (test/compat/cases.ts), each run on both, outputs and
 * exit statuses compared with IDs and times normalised. The report lists
 * every difference; each one berth is known to have is named below with the
 * reason, so a new difference (or one that went away) fails the test.
 *
 *   COMPAT_ONLY=run-echo,logs  only these cases
 *   COMPAT_REPORT=FILE         also append the reports there
 */
import { appendFileSync, existsSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { report, runCompat } from '../compat/run.js';
import { startApiService, type ApiService } from '../helpers/api-service.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { describeIf, FIXTURES, itIf, peerSkipReason, tempRoot, type TempRoot } from '../helpers/env.js';

/** Differences berth has for a reason it cannot or should not remove, by case. */
export const KNOWN: Record<string, string> = {
  'run-cgroup-files':
    'berth mounts no cgroup file system inside containers on cgroup v1 hosts (the limits apply; inspect and stats show them, case run-memory)',
  'search-registry':
    "berth lists a private registry's repositories through its catalog (GET /v2/_catalog); dockerd asks the registry for Docker Hub's v1 search, which a distribution registry does not have (404)",
  'pull-logged-out':
    'berth asks the registry for the manifest with GET at once (one request less); dockerd asks with HEAD first: the registry answer, the status and the words around it are the same',
  'network-connect':
    "berth lists the container's short ID among its aliases on a network from its creation; dockerd 20.10 adds it when the container starts",
  'build-output':
    "berth's builder (BuildKit's way) reports the steps it executes, FROM (with the full reference) and RUN, COPY, ADD, not ENV, LABEL or CMD, and makes no intermediate images, so the classic stream has no ' ---> ID' lines between steps",
  'run-no-such-program':
    "the message is berth's own (exec: \"nonexist\": executable file not found in $PATH); dockerd's carries runc's and containerd's wording around the same words; the exit status (127) is the same",
};

/** The docker CLIs on this machine: 28.x (API 1.50, negotiated down) and Debian's 20.10 (API 1.41). */
const CLIENTS = [
  { name: 'docker 28', path: '/usr/local/bin/docker' },
  { name: 'docker 20.10', path: '/usr/bin/docker' },
];

describeIf(peerSkipReason())('the docker CLI against berth and against dockerd', () => {
  let t: TempRoot;
  let svc: ApiService;

  beforeAll(async () => {
    t = tempRoot('berth-compat-');
    svc = await startApiService(t);
  });
  afterAll(async () => {
    await svc?.stop();
    t?.cleanup();
  });

  for (const client of CLIENTS) {
    itIf(existsSync(client.path) ? null : `${client.path} is not installed`)(
      `${client.name}: the same output and exit status for each command, apart from the known differences`,
      async () => {
        const only = process.env.COMPAT_ONLY?.split(',');
        // each side its own registries: a plain one and one with Basic auth
        const regs = await Promise.all([
          startRegistry(),
          startRegistry({ auth: 'basic' }),
          startRegistry(),
          startRegistry({ auth: 'basic' }),
        ]);
        // and its own subnet (both engines' bridges are on this host)
        const side = (name: string, dockerHost: string, hide: string[], [reg, areg]: TestRegistry[], net: string) => ({
          name,
          dockerHost,
          docker: client.path,
          work: `${t.base}/work-${name}-${client.name.replace(/\W/g, '')}`,
          hide: [...hide, areg!.host, reg!.host, `${net}.`],
          env: {
            REG: reg!.host,
            AREG: areg!.host,
            AUSER: areg!.user!,
            APASS: areg!.password!,
            SUBNET: `${net}.0/24`,
            GW: `${net}.1`,
          },
        });
        const results = await runCompat(
          side('berth', svc.host, [t.root, t.runroot], regs.slice(0, 2), '10.231.71'),
          side('dockerd', process.env.PEER_DOCKER_HOST!, [], regs.slice(2), '10.231.72'),
          {
            prefix: `bc17-${process.pid}-`,
            fixtures: FIXTURES,
            ...(only ? { only } : {}),
            log: (s) => process.stderr.write(`${client.name}: ${s}\n`),
          },
        );
        await Promise.all(regs.map((r) => r.stop()));
        const text = `${client.name}: ${report(results)}`;
        process.stdout.write(text);
        if (process.env.COMPAT_REPORT) appendFileSync(process.env.COMPAT_REPORT, text + '\n');
        const differing = results.filter((r) => !r.same).map((r) => r.id);
        const expected = results.filter((r) => r.id in KNOWN).map((r) => r.id);
        // the message carries both outputs of each unexpected difference (CI shows only the failure)
        const unexpected = results.filter((r) => !r.same && !(r.id in KNOWN));
        expect(differing, report(unexpected)).toEqual(expected);
      },
      30 * 60_000,
    );
  }
});
