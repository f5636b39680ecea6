/**
 * The docker CLI against berth's API service and against the peer dockerd:
 * some ninety commands (test/compat/cases.ts), each run on both, outputs and
 * exit statuses compared with IDs and times normalised. The report lists
 * every difference; each one berth is known to have is named below with the
 * reason, so a new difference (or one that went away) fails the test.
 *
 *   COMPAT_ONLY=run-echo,logs  only these cases
 *   COMPAT_REPORT=FILE         also write the report there
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { report, runCompat, type CaseResult } from '../compat/run.js';
import { startApiService, type ApiService } from '../helpers/api-service.js';
import { describeIf, FIXTURES, itIf, peerSkipReason, tempRoot, type TempRoot } from '../helpers/env.js';

/** Differences berth has on purpose or for a reason it cannot remove, by case. */
export const KNOWN: Record<string, string> = {};

const DOCKER = '/usr/local/bin/docker';

describeIf(peerSkipReason())('the docker CLI against berth and against dockerd', () => {
  let t: TempRoot;
  let svc: ApiService;
  let results: CaseResult[] = [];

  beforeAll(async () => {
    t = tempRoot('berth-compat-');
    svc = await startApiService(t);
  });
  afterAll(async () => {
    await svc?.stop();
    t?.cleanup();
  });

  itIf(null)(
    'gives the same output and exit status for each command, apart from the known differences',
    async () => {
      const only = process.env.COMPAT_ONLY?.split(',');
      results = await runCompat(
        {
          name: 'berth',
          dockerHost: svc.host,
          docker: DOCKER,
          work: `${t.base}/work-berth`,
          hide: [t.root, t.runroot],
        },
        {
          name: 'dockerd',
          dockerHost: process.env.PEER_DOCKER_HOST!,
          docker: DOCKER,
          work: `${t.base}/work-peer`,
          hide: [],
        },
        {
          prefix: `bc17-${process.pid}-`,
          fixtures: FIXTURES,
          ...(only ? { only } : {}),
          log: (s) => process.stderr.write(`${s}\n`),
        },
      );
      const text = report(results);
      process.stdout.write(text);
      if (process.env.COMPAT_REPORT) writeFileSync(process.env.COMPAT_REPORT, text);
      const differing = results.filter((r) => !r.same).map((r) => r.id);
      const expected = results.filter((r) => r.id in KNOWN).map((r) => r.id);
      expect(differing).toEqual(expected);
    },
    30 * 60_000,
  );
});
