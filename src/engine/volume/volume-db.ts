/** SQL for volumes and which containers mount them. */
import type { Db } from '../store/db.js';

export interface VolumeRow {
  name: string;
  driver: string;
  created: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  anonymous: boolean;
}

interface Sql {
  name: string;
  driver: string;
  created: string;
  labels: string;
  options: string;
  anonymous: number;
}

const toRow = (r: Sql): VolumeRow => ({
  name: r.name,
  driver: r.driver,
  created: r.created,
  labels: JSON.parse(r.labels),
  options: JSON.parse(r.options),
  anonymous: r.anonymous === 1,
});

export class VolumeDb {
  constructor(readonly db: Db) {}

  get(name: string): VolumeRow | null {
    const r = this.db.prepare('SELECT * FROM volumes WHERE name = ?').get(name) as Sql | undefined;
    return r ? toRow(r) : null;
  }

  all(): VolumeRow[] {
    return (this.db.prepare('SELECT * FROM volumes ORDER BY name').all() as Sql[]).map(toRow);
  }

  insert(v: VolumeRow): void {
    this.db
      .prepare('INSERT INTO volumes (name, driver, created, labels, options, anonymous) VALUES (?, ?, ?, ?, ?, ?)')
      .run(v.name, v.driver, v.created, JSON.stringify(v.labels), JSON.stringify(v.options), v.anonymous ? 1 : 0);
  }

  delete(name: string): void {
    this.db.prepare('DELETE FROM volumes WHERE name = ?').run(name);
  }

  /** Containers that mount the volume. */
  users(name: string): string[] {
    return (
      this.db.prepare('SELECT container_id FROM container_volumes WHERE volume = ?').all(name) as {
        container_id: string;
      }[]
    ).map((r) => r.container_id);
  }

  link(containerId: string, volume: string, anonymous: boolean): void {
    this.db
      .prepare('INSERT OR IGNORE INTO container_volumes (container_id, volume, anonymous) VALUES (?, ?, ?)')
      .run(containerId, volume, anonymous ? 1 : 0);
  }

  volumesOf(containerId: string): { volume: string; anonymous: boolean }[] {
    return (
      this.db.prepare('SELECT volume, anonymous FROM container_volumes WHERE container_id = ?').all(containerId) as {
        volume: string;
        anonymous: number;
      }[]
    ).map((r) => ({ volume: r.volume, anonymous: r.anonymous === 1 }));
  }

  counts(): Map<string, number> {
    const m = new Map<string, number>();
    for (const r of this.db.prepare('SELECT volume, COUNT(*) AS n FROM container_volumes GROUP BY volume').all() as {
      volume: string;
      n: number;
    }[])
      m.set(r.volume, r.n);
    return m;
  }
}
