/**
 * The constants C and TypeScript share come from native/constants.json: the
 * header the build made from it is the generator's output for the file as it
 * is now, the engine reads its values from it, and the generator refuses a
 * file the launcher could not use.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MARK, MARK_ID, PLAN_VERSION } from '../../src/engine/container/run-plan.js';
import { NAME_RE, validateName } from '../../src/engine/container/names.js';
import { ZERO_TIME } from '../../src/engine/container/types.js';
import { FRAME } from '../../src/engine/runtime/monitor.js';
import { SHARED } from '../../src/engine/shared-constants.js';
import { migrations } from '../../src/engine/store/migrations.js';
import { defaultDirs, Layout, MAX_RUNROOT } from '../../src/engine/store/paths.js';
import { EVENTS_KEPT } from '../../src/engine/store/store.js';
import { REPO } from '../helpers/env.js';

const SOURCE = join(REPO, 'native', 'constants.json');
const GENERATOR = join(REPO, 'native', 'gen-constants.mjs');
const BUILT = join(REPO, 'native', 'build', 'Release', 'obj', 'gen', 'berth-constants.h');

const generate = (json = SOURCE) => execFileSync('node', [GENERATOR, json, '-'], { encoding: 'utf8' });
/** The header's macros: name -> the value as C reads it (a number or the string literal's text). */
const macros = (header: string) =>
  new Map(
    [...header.matchAll(/^#define (BERTH_\w+) (.*)$/gm)].map(([, name, v]) => [
      name!,
      v!.startsWith('"') ? (JSON.parse(v!) as string) : Number(v),
    ]),
  );

describe('shared constants', () => {
  it('the header the build made is the generator output for native/constants.json as it is', () => {
    const built = readFileSync(BUILT, 'utf8');
    expect(built).toBe(generate());
    expect(built).toMatch(/^\/\* Generated from native\/constants.json/);
  });

  it('every value reaches the header under its BERTH_ name, and the version is the package version', () => {
    const m = macros(generate());
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(m.get('BERTH_VERSION')).toBe(pkg.version);
    expect(m.get('BERTH_STORE_SCHEMA')).toBe(SHARED.storeSchema);
    expect(m.get('BERTH_EVENTS_KEPT')).toBe(SHARED.events.kept);
    expect(m.get('BERTH_EVENTS_PRUNE_EVERY')).toBe(SHARED.events.pruneEvery);
    expect(m.get('BERTH_PLAN_VERSION')).toBe(SHARED.plan.version);
    expect(m.get('BERTH_PLAN_STAMP_FILE')).toBe(SHARED.plan.stampFile);
    expect(m.get('BERTH_PLAN_MARKERS_ID64')).toBe(SHARED.plan.markers.id64);
    expect(m.get('BERTH_PLAN_MARKERS_CMD')).toBe(SHARED.plan.markers.cmd);
    expect(m.get('BERTH_LAYOUT_DEFAULT_RUNROOT')).toBe(SHARED.layout.defaultRunroot);
    expect(m.get('BERTH_LAYOUT_PLANS')).toBe(SHARED.layout.plans);
    expect(m.get('BERTH_MONITOR_CONTROL_SOCKET')).toBe(SHARED.monitor.controlSocket);
    expect(m.get('BERTH_ATTACH_FRAME_CLOSE_STDIN')).toBe(SHARED.attachFrame.closeStdin);
    expect(m.get('BERTH_ZERO_TIME')).toBe(SHARED.zeroTime);
    // the name rule's character sets, for strspn in the launcher: exactly the characters of the regular expression's classes
    for (const [key, body] of [
      ['BERTH_CONTAINER_NAME_FIRST_CHARS_SET', SHARED.containerName.firstChars],
      ['BERTH_CONTAINER_NAME_REST_CHARS_SET', SHARED.containerName.restChars],
    ] as const) {
      const set = m.get(key) as string;
      const cls = new RegExp(`^[${body}]$`);
      for (let c = 0; c < 128; c++)
        expect(set.includes(String.fromCharCode(c)), `${key} ${c}`).toBe(cls.test(String.fromCharCode(c)));
    }
  });

  it('the engine takes its values from the same file', () => {
    // the schema version is the number of migrations: the launcher's SQL knows that schema
    expect(migrations).toHaveLength(SHARED.storeSchema);
    expect(EVENTS_KEPT).toBe(SHARED.events.kept);
    expect(PLAN_VERSION).toBe(SHARED.plan.version);
    expect(MARK_ID).toBe(SHARED.plan.markers.id64);
    expect(MARK_ID).toHaveLength(64);
    expect(MARK.cmd).toBe(SHARED.plan.markers.cmd);
    expect(FRAME).toEqual(SHARED.attachFrame);
    expect(ZERO_TIME).toBe('0001-01-01T00:00:00Z');
    expect(defaultDirs({}, 0)).toEqual({ root: '/var/lib/berth', runroot: '/run/berth' });
    expect(new Layout({ root: '/r', runroot: '/rr' }).containerRun('0123456789abcdef0123')).toBe(
      '/rr/c/0123456789abcdef',
    );
    expect(new Layout({ root: '/r', runroot: '/rr' }).db).toBe('/r/berth.db');
    expect(new Layout({ root: '/r', runroot: '/rr' }).containersDir).toBe('/r/containers');
    expect(MAX_RUNROOT).toBe(107 - '/c/0123456789abcdef/ctl.sock'.length);
    // docker's rule, as before it came from the file
    const docker = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
    for (const n of ['ab', '/ab', 'a', '_ab', 'a_b.c-d', 'a b', 'é1', '9-', '-9', '', '/', 'a/b'])
      expect(NAME_RE.test(n), n).toBe(docker.test(n));
    expect(() => validateName('_x')).toThrow('Invalid container name (_x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed');
  });

  it('the generator refuses markers the launcher could not replace, and values C cannot hold', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-constants-'));
    try {
      const bad = (change: (c: typeof SHARED) => void) => {
        const c = JSON.parse(readFileSync(SOURCE, 'utf8')) as typeof SHARED;
        change(c);
        writeFileSync(join(dir, 'c.json'), JSON.stringify(c));
        const r = spawnSync('node', [GENERATOR, join(dir, 'c.json'), '-'], { encoding: 'utf8' });
        return [r.status, r.stderr.match(/Error: (.*)/)?.[1]];
      };
      expect(bad(() => {})).toEqual([0, undefined]);
      expect(bad((c) => (c.plan.markers.id16 = '@BERTH-ID16@@16@'))).toEqual([
        1,
        "plan.markers: the ID marker's 12- and 16-character prefixes must be id12 and id16",
      ]);
      expect(bad((c) => (c.plan.markers.id64 = c.plan.markers.id64.slice(0, 63)))).toEqual([
        1,
        'plan.markers: id12, id16 and id64 must be 12, 16 and 64 characters long',
      ]);
      expect(bad((c) => (c.plan.markers.name = '#NAME#'))).toEqual([
        1,
        'plan.markers.name must start with plan.markerPrefix',
      ]);
      expect(bad((c) => (c.zeroTime = 'zéro'))).toEqual([1, '"zéro": only printable ASCII goes into the header']);
      expect(bad((c) => (c.events.kept = 1.5))).toEqual([1, 'events.kept: only integers go into the header']);
      expect(bad((c) => (c.containerName.restChars = 'a-z\\d'))).toEqual([1, 'class "a-z\\d": "\\" is not supported']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
