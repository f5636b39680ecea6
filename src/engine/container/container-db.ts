/** SQL for container records: rows in, records out; no policy. */
import { statement, type Db } from '../store/db.js';
import type { Attachments } from '../network/types.js';
import type { ContainerRecord, HostConfig, MountPoint, PersistedState } from './types.js';

interface Row {
  id: string;
  name: string;
  image_id: string;
  image_name: string;
  created: string;
  path: string;
  args: string;
  config: string;
  host_config: string;
  layers: string;
  mounts: string;
  networks: string;
  state: string;
}

const toRecord = (r: Row): ContainerRecord => ({
  id: r.id,
  name: r.name,
  imageId: r.image_id,
  imageName: r.image_name,
  created: r.created,
  path: r.path,
  args: JSON.parse(r.args),
  config: JSON.parse(r.config),
  hostConfig: JSON.parse(r.host_config),
  layers: JSON.parse(r.layers),
  mounts: JSON.parse(r.mounts),
  networks: JSON.parse(r.networks),
  state: JSON.parse(r.state),
});

export class ContainerDb {
  constructor(readonly db: Db) {}

  get(id: string): ContainerRecord | null {
    const r = statement(this.db, 'SELECT * FROM containers WHERE id = ?').get(id) as Row | undefined;
    return r ? toRecord(r) : null;
  }

  byName(name: string): ContainerRecord | null {
    const r = statement(this.db, 'SELECT * FROM containers WHERE name = ?').get(name) as Row | undefined;
    return r ? toRecord(r) : null;
  }

  idsWithPrefix(prefix: string): string[] {
    return (
      this.db
        .prepare('SELECT id FROM containers WHERE id >= ? AND id < ? LIMIT 2')
        .all(prefix, `${prefix}\u{10FFFF}`) as {
        id: string;
      }[]
    ).map((r) => r.id);
  }

  all(): ContainerRecord[] {
    return (statement(this.db, 'SELECT * FROM containers').all() as Row[]).map(toRecord);
  }

  usingImage(imageId: string): ContainerRecord[] {
    return (statement(this.db, 'SELECT * FROM containers WHERE image_id = ?').all(imageId) as Row[]).map(toRecord);
  }

  /** The number of containers of each image ID that has any. */
  countByImage(): Map<string, number> {
    const rows = statement(this.db, 'SELECT image_id, COUNT(*) AS n FROM containers GROUP BY image_id').all() as {
      image_id: string;
      n: number;
    }[];
    return new Map(rows.map((r) => [r.image_id, r.n]));
  }

  layerInUse(chainId: string): boolean {
    return statement(this.db, 'SELECT 1 FROM container_layers WHERE chain_id = ? LIMIT 1').get(chainId) !== undefined;
  }

  insert(c: ContainerRecord): void {
    this.db
      .prepare(
        `INSERT INTO containers (id, name, image_id, image_name, created, path, args, config, host_config, layers, mounts,
           networks, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        c.id,
        c.name,
        c.imageId,
        c.imageName,
        c.created,
        c.path,
        JSON.stringify(c.args),
        JSON.stringify(c.config),
        JSON.stringify(c.hostConfig),
        JSON.stringify(c.layers),
        JSON.stringify(c.mounts),
        JSON.stringify(c.networks),
        JSON.stringify(c.state),
      );
    const ins = this.db.prepare('INSERT OR IGNORE INTO container_layers (container_id, chain_id) VALUES (?, ?)');
    for (const l of c.layers) ins.run(c.id, l);
  }

  setState(id: string, state: PersistedState): void {
    this.db.prepare('UPDATE containers SET state = ? WHERE id = ?').run(JSON.stringify(state), id);
  }

  setMounts(id: string, mounts: MountPoint[]): void {
    this.db.prepare('UPDATE containers SET mounts = ? WHERE id = ?').run(JSON.stringify(mounts), id);
  }

  setNetworks(id: string, networks: Attachments): void {
    this.db.prepare('UPDATE containers SET networks = ? WHERE id = ?').run(JSON.stringify(networks), id);
  }

  setHostConfig(id: string, hc: HostConfig): void {
    this.db.prepare('UPDATE containers SET host_config = ? WHERE id = ?').run(JSON.stringify(hc), id);
  }

  rename(id: string, name: string): void {
    this.db.prepare('UPDATE containers SET name = ? WHERE id = ?').run(name, id);
  }

  delete(id: string): boolean {
    this.db.prepare('DELETE FROM container_layers WHERE container_id = ?').run(id);
    return this.db.prepare('DELETE FROM containers WHERE id = ?').run(id).changes > 0;
  }
}
