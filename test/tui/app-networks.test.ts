/**
 * The Networks list of the app on the real engine: the built-in networks and their subnets, a
 * network made, connected to, disconnected from, refused while in use and removed from the keys
 * and dialogs; its Containers tab; a container's published ports in the Containers list.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { describeIf, skipReason } from '../helpers/env.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/tui.js';

const reason = skipReason();

describeIf(reason)('the Networks list', () => {
  let e: TestEngine;
  let app: AppHarness | null = null;

  beforeAll(async () => {
    e = await testEngine();
    const { id } = await e.b.createContainer({ image: 'bb', name: 'roamer', cmd: ['sleep', '600'] });
    await e.b.startContainer(id);
  });
  afterEach(() => {
    app?.close();
    app = null;
  });
  afterAll(async () => {
    await e?.close();
    await e?.b.pruneNetworks().catch(() => undefined);
  });

  const open = async () => {
    app = await renderApp(e.b, { columns: 150, rows: 40 });
    await app.waitFor('roamer');
    return app;
  };

  /** Focus the Networks list on the row the filter picks out. */
  const pick = async (a: AppHarness, filter: string) => {
    await a.press('4', KEYS.escape, '/');
    await a.type(filter);
    await a.press(KEYS.enter);
    await a.waitFor(' 1 shown');
  };

  it('lists the built-in networks with their subnets; makes one from the dialog', async () => {
    const a = await open();
    await a.press('4');
    await a.waitFor(/NAME\s+DRIVER\s+SUBNET\s+CONTAINERS/);
    const bridge = await e.b.inspectNetwork('bridge');
    const f = a.frame();
    expect(f).toMatch(new RegExp(`bridge\\s+bridge\\s+${bridge.IPAM.Config[0]!.Subnet!.replace(/\./g, '\\.')}\\s+1`));
    expect(f).toMatch(/host\s+host\s+-/);
    expect(f).toMatch(/none\s+null\s+-/);
    expect(f).toMatch(/\d+ networks/);
    await a.press('n');
    await a.waitFor('New network');
    await a.type('appnet');
    await a.press(KEYS.tab, KEYS.tab);
    await a.type('10.131.0.0/24');
    await a.press(KEYS.enter);
    await a.waitFor(/created network appnet/);
    await a.waitFor(/"Name": "appnet"/);
    expect(a.frame()).toMatch(/appnet\s+bridge\s+10\.131\.0\.0\/24\s+0/);
  });

  it("a container's ports in the list; the network's Containers tab; connect and disconnect from the keys", async () => {
    const { id } = await e.b.createContainer({
      image: 'bb',
      name: 'served',
      network: 'appnet',
      publish: ['0:80'],
      cmd: ['sleep', '600'],
    });
    await e.b.startContainer(id);
    const a = await open();
    await a.waitFor(/served.* \d+->80\/tcp/);
    await pick(a, 'appnet');
    await a.waitFor(/appnet\s+bridge\s+10\.131\.0\.0\/24\s+1/);
    await a.press(']');
    await a.waitFor(/served\s+10\.131\.0\.2\/24\s+02:42:0a:83:00:02/);
    await a.press('c');
    await a.waitFor('Connect a container');
    await a.type('roamer');
    await a.press(KEYS.tab);
    await a.type('wanderer');
    await a.press(KEYS.enter);
    await a.waitFor(/connected roamer to appnet/);
    const info = (await e.b.inspectContainer('roamer')) as {
      NetworkSettings: { Networks: Record<string, { IPAddress: string; Aliases: string[] }> };
    };
    expect(info.NetworkSettings.Networks.appnet!.IPAddress).toBe('10.131.0.3');
    expect(info.NetworkSettings.Networks.appnet!.Aliases[0]).toBe('wanderer');
    await a.waitFor(/roamer\s+10\.131\.0\.3\/24/);
    await a.press('D');
    await a.waitFor('Disconnect a container');
    await a.type('roamer');
    await a.press(KEYS.enter);
    await a.waitFor(/disconnected roamer from appnet/);
    await a.waitFor((fr) => !/roamer\s+10\.131/.test(fr));
  });

  it('the run dialog takes ports and a network', async () => {
    try {
      const a = await open();
      await a.press('2', '/');
      await a.type('bb');
      await a.press(KEYS.enter, 'R');
      await a.waitFor('Run a container');
      await a.type('dialed');
      await a.press(KEYS.tab);
      await a.type('sleep 600');
      // detach (on), environment, volumes, then ports: one a line
      await a.press(KEYS.tab, KEYS.tab, KEYS.tab, KEYS.tab);
      await a.type('0:80');
      await a.press(KEYS.enter);
      await a.type('53/udp');
      await a.press(KEYS.tab);
      await a.type('appnet');
      await a.press(KEYS.ctrlS);
      await a.waitFor(/started dialed/);
      const info = (await e.b.inspectContainer('dialed')) as {
        NetworkSettings: {
          Networks: Record<string, { IPAddress: string }>;
          Ports: Record<string, { HostPort: string }[]>;
        };
      };
      expect(Object.keys(info.NetworkSettings.Networks)).toEqual(['appnet']);
      expect(info.NetworkSettings.Networks.appnet!.IPAddress).toMatch(/^10\.131\.0\.\d+$/);
      // the image's EXPOSE (8080) is there unpublished, as docker shows it
      expect(info.NetworkSettings.Ports['8080/tcp']).toBeNull();
      expect(info.NetworkSettings.Ports['80/tcp']![0]!.HostPort).toMatch(/^\d+$/);
      const port = info.NetworkSettings.Ports['53/udp']![0]!.HostPort;
      // the row shows what is published (53 sorts first), not the bare EXPOSE
      await a.press('1');
      await a.waitFor(new RegExp(`dialed.* ${port}->53/udp`));
      // a bad port is refused in the dialog with docker's words, before anything is made
      await a.press('2', 'R');
      await a.waitFor('Run a container');
      await a.press(KEYS.tab, KEYS.tab, KEYS.tab, KEYS.tab, KEYS.tab);
      await a.type('80/xyz');
      await a.press(KEYS.ctrlS);
      await a.waitFor('invalid proto: xyz');
      await a.press(KEYS.escape);
    } finally {
      await e.b.removeContainer('dialed', { force: true }).catch(() => undefined);
    }
  });

  it('asks before removing; a network in use is refused in the footer; the Enter menu has every action', async () => {
    const a = await open();
    await pick(a, 'appnet');
    await a.press(KEYS.enter);
    for (const t of ['New network', 'Connect a container', 'Disconnect a container', 'Remove (asks)', 'Prune unused'])
      await a.waitFor(t);
    await a.press(KEYS.escape);
    await a.press('d');
    await a.waitFor('Remove network appnet (running on it: served)?');
    await a.press('y');
    await a.waitFor(/error while removing network: network appnet id [0-9a-f]+/);
    await e.b.removeContainer('served', { force: true });
    await a.press('d', 'y');
    await a.waitFor(/removed network appnet/);
    expect((await e.b.listNetworks()).map((n) => n.Name)).not.toContain('appnet');
  });

  it('prunes from the Enter menu: unused networks go, the built-in ones stay', async () => {
    await e.b.createNetwork({ name: 'spare1' });
    const a = await open();
    await pick(a, 'spare1');
    await a.press(KEYS.enter);
    await a.waitFor('Prune unused');
    await a.press(KEYS.down, KEYS.down, KEYS.down, KEYS.down, KEYS.enter);
    await a.waitFor('Prune networks');
    await a.press('y');
    await a.waitFor(/deleted spare1/);
    const names = (await e.b.listNetworks()).map((n) => n.Name);
    expect(names).not.toContain('spare1');
    expect(names).toEqual(expect.arrayContaining(['bridge', 'host', 'none']));
  });
});
