import { describe, expect, it } from 'vitest';
import { checkEventFilters, matchEvent } from '../../src/engine/events/filter.js';
import { eventJson, eventLine, eventTemplateData, rfc3339NanoFixed } from '../../src/client/format/events.js';
import { compileTemplate } from '../../src/client/format/template.js';
import type { EngineEvent } from '../../src/client/api.js';

const ID = 'cbafd87fc6534afeec108507edd5f87230eaf64c5f556cc9bdc7e546ab7242e6';
const IMG = 'sha256:6aa4265b18c53bbe76df73c12ee713065d6ae92d9be566d2bf0562242772a187';
const ev = (
  Type: EngineEvent['Type'],
  Action: string,
  ID_: string,
  Attributes: Record<string, string>,
): EngineEvent => ({
  Type,
  Action,
  Actor: { ID: ID_, Attributes },
  scope: 'local',
  time: 1795534315,
  timeNano: 1795534315474376307n,
});
const start = ev('container', 'start', ID, { image: 'bb:latest', name: 'web', 'com.example.team': 'a' });
const exec = ev('container', 'exec_create: sh -c ls', ID, { name: 'web' });
const tag = ev('image', 'tag', IMG, { name: 'docker.io/library/x:1' });
const vol = ev('volume', 'create', 'data', { driver: 'local' });
const f = (...kv: [string, string][]) => {
  const m = new Map<string, string[]>();
  for (const [k, v] of kv) m.set(k, [...(m.get(k) ?? []), v]);
  return m;
};

describe('event filters (docker semantics)', () => {
  it('type, event and the fuzzy exec actions', () => {
    expect(matchEvent(start, f(['type', 'container']))).toBe(true);
    expect(matchEvent(tag, f(['type', 'container']))).toBe(false);
    expect(matchEvent(tag, f(['type', 'container'], ['type', 'image']))).toBe(true);
    expect(matchEvent(start, f(['event', 'start']))).toBe(true);
    expect(matchEvent(start, f(['event', 'stop']))).toBe(false);
    expect(matchEvent(exec, f(['event', 'exec_create']))).toBe(true);
    expect(matchEvent(exec, f(['event', 'exec_create: sh -c ls']))).toBe(true);
    expect(matchEvent(exec, f(['event', 'exec']))).toBe(false);
  });
  it('container by name, full ID or ID prefix; other types never match a container filter', () => {
    expect(matchEvent(start, f(['container', 'web']))).toBe(true);
    expect(matchEvent(start, f(['container', ID.slice(0, 12)]))).toBe(true);
    expect(matchEvent(start, f(['container', 'other']))).toBe(false);
    expect(matchEvent(tag, f(['container', 'web']))).toBe(false);
  });
  it('image by ID or name with and without the tag; containers by their image', () => {
    expect(matchEvent(tag, f(['image', IMG]))).toBe(true);
    expect(matchEvent(tag, f(['image', 'docker.io/library/x']))).toBe(true);
    expect(matchEvent(tag, f(['image', 'docker.io/library/x:1']))).toBe(true);
    expect(matchEvent(start, f(['image', 'bb']))).toBe(true);
    expect(matchEvent(start, f(['image', 'bb:other']))).toBe(false);
  });
  it('volume and label; keys AND, values OR', () => {
    expect(matchEvent(vol, f(['volume', 'data']))).toBe(true);
    expect(matchEvent(vol, f(['volume', 'other']))).toBe(false);
    expect(matchEvent(start, f(['label', 'com.example.team']))).toBe(true);
    expect(matchEvent(start, f(['label', 'com.example.team=b']))).toBe(false);
    expect(matchEvent(start, f(['type', 'container'], ['event', 'stop'], ['event', 'start']))).toBe(true);
    expect(matchEvent(start, f(['type', 'container'], ['container', 'nope']))).toBe(false);
  });
  it('unknown keys and types are refused with docker-like messages', () => {
    expect(() => checkEventFilters(f(['bogus', '1']))).toThrow("invalid filter 'bogus'");
    expect(() => checkEventFilters(f(['type', 'plugin']))).toThrow(/invalid filter 'type=plugin'/);
    expect(() => checkEventFilters(f(['type', 'network']))).not.toThrow();
  });
});

describe('event output (docker CLI forms)', () => {
  it('the default line: fixed nanoseconds, attributes sorted', () => {
    process.env.TZ = 'UTC';
    expect(rfc3339NanoFixed(1795534315000000001n)).toBe('2026-11-24T15:31:55.000000001Z');
    expect(eventLine(start)).toBe(
      `2026-11-24T15:31:55.474376307Z container start ${ID} (com.example.team=a, image=bb:latest, name=web)`,
    );
    expect(eventLine(ev('volume', 'destroy', 'v', {}))).toBe('2026-11-24T15:31:55.474376307Z volume destroy v');
  });
  it('json keeps docker key order, the legacy fields, and an exact timeNano', () => {
    const j = eventJson(start);
    expect(j).toBe(
      `{"status":"start","id":"${ID}","from":"bb:latest","Type":"container","Action":"start",` +
        `"Actor":{"ID":"${ID}","Attributes":{"image":"bb:latest","name":"web","com.example.team":"a"}},` +
        `"scope":"local","time":1795534315,"timeNano":1795534315474376307}`,
    );
    expect(JSON.parse(eventJson(vol))).toMatchObject({ Type: 'volume', Action: 'create', Actor: { ID: 'data' } });
    expect(eventJson(vol)).not.toContain('"status"');
  });
  it('templates see Go field names', () => {
    expect(
      compileTemplate('{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.TimeNano}} {{.From}}')(
        eventTemplateData(start),
      ),
    ).toBe('container start web 1795534315474376307 bb:latest');
  });
});

describe('the events table stays bounded', () => {
  it('keeps the newest EVENTS_KEPT events however many are recorded', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { Store, EVENTS_KEPT } = await import('../../src/engine/store/store.js');
    const base = mkdtempSync(join(tmpdir(), 'berth-ev-'));
    const store = Store.open({ root: join(base, 'root'), runroot: join(base, 'run') });
    try {
      const n = EVENTS_KEPT + 2500;
      store.db.transaction(() => {
        for (let i = 1; i <= n; i++)
          store.event({ type: 'volume', action: 'create', actorId: `v${i}`, attributes: {} });
      })();
      const { c } = store.db.prepare('SELECT count(*) AS c FROM events').get() as { c: number };
      const oldest = store.db.prepare("SELECT count(*) AS c FROM events WHERE actor_id = 'v1'").get() as { c: number };
      expect(c).toBeLessThanOrEqual(EVENTS_KEPT + 1000);
      expect(c).toBeGreaterThanOrEqual(EVENTS_KEPT);
      const newest = store.db.prepare('SELECT actor_id FROM events ORDER BY seq DESC LIMIT 1').get() as {
        actor_id: string;
      };
      expect(newest.actor_id).toBe(`v${n}`);
      expect(oldest.c).toBe(0);
    } finally {
      store.close();
      rmSync(base, { recursive: true, force: true });
    }
  });
});
