/** The host side of a reading: system CPU time and online CPUs from /proc/stat, and the host's memory. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PreadFile } from '../cgroup/reader.js';
import { memTotal, procStat } from '../cgroup/parse.js';

export interface HostReading {
  systemNs: number;
  onlineCpus: number;
}

export class HostReader {
  private readonly stat: PreadFile;
  /** MemTotal in bytes, read once: the cap of every container's memory limit. */
  readonly memTotal: number;

  constructor(proc = '/proc') {
    this.stat = new PreadFile(join(proc, 'stat'));
    this.memTotal = memTotal(readFileSync(join(proc, 'meminfo'), 'latin1'));
  }

  read(): HostReading {
    const text = this.stat.read();
    return text === null ? { systemNs: 0, onlineCpus: 0 } : procStat(text);
  }

  close(): void {
    this.stat.close();
  }
}
