/**
 * The app's hosts list: the engine it started on first, then the embedded
 * engine, the docker contexts (read from a real context store laid out as
 * the docker CLI lays it out) and the config file's hosts, each engine once;
 * and the config file's `hosts` key validated with a message naming it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostEntries, startEntry } from '../../src/client/hosts.js';
import { loadSettings } from '../../src/tui/keymap/config.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-hosts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function context(name: string, host: string) {
  const d = join(dir, 'docker', 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'meta.json'), JSON.stringify({ Name: name, Endpoints: { docker: { Host: host } } }));
}

describe('hosts list', () => {
  context('prod', 'ssh://root@prod');
  context('peer', 'unix:///run/peer.sock');
  const docker = join(dir, 'docker');

  it('embedded first when started on it, then contexts, then the config file; each engine once', () => {
    const start = startEntry({}, { endpoint: '' });
    const list = hostEntries(
      start,
      [
        { name: 'build1', host: 'ssh://root@build1' },
        { name: 'prod-again', host: 'ssh://root@prod' },
      ],
      docker,
    );
    expect(list.map((h) => [h.name, h.address])).toEqual([
      ['local', 'embedded'],
      ['peer', 'unix:///run/peer.sock'],
      ['prod', 'ssh://root@prod'],
      ['build1', 'ssh://root@build1'],
    ]);
    expect(list[0]!.choice.local).toBe(true);
    expect(list[2]!.choice).toEqual({ context: 'prod' });
    expect(list[3]!.choice).toEqual({ host: 'ssh://root@build1' });
  });

  it('started with -H: that engine first, the embedded one second, the same context not twice', () => {
    const start = startEntry({ host: 'unix:///run/peer.sock' }, { endpoint: 'unix:///run/peer.sock' });
    const list = hostEntries(start, [], docker);
    expect(list.map((h) => h.name)).toEqual(['unix:///run/peer.sock', 'local', 'prod']);
  });

  it("the config file's hosts: in the file's order; a bad address is refused naming the setting", async () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ hosts: { b: 'tcp://10.0.0.5:2376', a: 'unix:///x.sock' } }));
    expect((await loadSettings(good)).hosts).toEqual([
      { name: 'b', host: 'tcp://10.0.0.5:2376' },
      { name: 'a', host: 'unix:///x.sock' },
    ]);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ hosts: { b: 'http://x' } }));
    await expect(loadSettings(bad)).rejects.toThrow(`${bad}: hosts.b: expected unix://PATH`);
  });
});
