/**
 * Reading one container's metric files cheaply: each file is opened once and
 * re-read with pread at offset 0 every sample (cgroup and proc files allow
 * it), so a sample costs one system call per file and no path lookups.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { parseRaw, type MetricFiles, type MetricKey, type RawSample } from './files.js';
import { parseDetail, type DetailFiles, type RawDetail } from './detail.js';
import { netDev, type NetTotals } from './parse.js';

/** Shared by every reader: reads are synchronous, one at a time. */
let buf = Buffer.alloc(64 * 1024);

/** Errors that mean the file's cgroup or process is gone (not a passing failure). */
const GONE = new Set(['ENOENT', 'ENODEV', 'ESRCH']);

/**
 * How many descriptors the readers may keep open: a quarter of this process's
 * limit, so that hundreds of containers never starve the rest of berth. Past
 * it, files are opened, read and closed each time.
 */
let fdBudget = -1;
let fdsOpen = 0;

function budget(): number {
  if (fdBudget < 0) {
    let soft = 1024;
    try {
      const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'latin1'));
      if (m) soft = m[1] === 'unlimited' ? 1 << 20 : Number(m[1]);
    } catch {
      /* keep the common default */
    }
    fdBudget = Math.max(64, Math.floor(soft / 4));
  }
  return fdBudget;
}

/** A file opened on first use and re-read from offset 0 every time. */
export class PreadFile {
  private fd = -1;
  /** The last read failed because the file's cgroup or process is gone. */
  gone = false;

  constructor(readonly path: string) {}

  /** The whole text; null when the file cannot be read (see `gone`). */
  read(): string | null {
    let fd = this.fd;
    let oneShot = false;
    try {
      if (fd < 0) {
        fd = openSync(this.path, 'r');
        if (fdsOpen < budget()) {
          this.fd = fd;
          fdsOpen++;
        } else oneShot = true;
      }
      let n = readSync(fd, buf, 0, buf.length, 0);
      while (n === buf.length) {
        buf = Buffer.alloc(buf.length * 2);
        n = readSync(fd, buf, 0, buf.length, 0);
      }
      this.gone = false;
      return buf.toString('latin1', 0, n);
    } catch (e) {
      this.gone = GONE.has((e as NodeJS.ErrnoException).code ?? '');
      if (!oneShot) this.close();
      return null;
    } finally {
      if (oneShot) closeSync(fd);
    }
  }

  close(): void {
    if (this.fd < 0) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    this.fd = -1;
    fdsOpen--;
  }
}

const KEYS: MetricKey[] = [
  'cpu',
  'memUsage',
  'memStat',
  'memLimit',
  'memEvents',
  'oomControl',
  'pidsCurrent',
  'pidsMax',
  'io',
];

export class ContainerReader {
  private readonly files = new Map<MetricKey, PreadFile>();
  private readonly probe: MetricKey | null;
  private net: PreadFile | null = null;
  /** Files read so far (the sampler's cost counter). */
  reads = 0;

  /**
   * @param pid the container's init, whose /proc/<pid>/net/dev shows its network namespace
   * @param ownNetns false for host networking: docker counts no traffic for such containers
   */
  /** The files only a detailed reading needs, opened on the first one. */
  private detailOpen: Map<keyof DetailFiles, PreadFile> | null = null;

  constructor(
    private readonly metric: MetricFiles,
    pid: number,
    private readonly ownNetns: boolean,
    private readonly detailFiles: DetailFiles | null = null,
  ) {
    for (const k of KEYS) {
      const path = metric[k];
      if (path) this.files.set(k, new PreadFile(path));
    }
    this.probe = metric.cpu ? 'cpu' : metric.memUsage ? 'memUsage' : null;
    this.setPid(pid);
  }

  setPid(pid: number): void {
    this.net?.close();
    this.net = this.ownNetns && pid > 0 ? new PreadFile(`/proc/${pid}/net/dev`) : null;
  }

  /**
   * One reading; null when the container's cgroup is gone (it stopped);
   * undefined when its files could not be read this time (say, no
   * descriptor was free), so that no half reading is taken for a real one.
   */
  sample(detail = false): { raw: RawSample; net: NetTotals | null; detail?: RawDetail } | null | undefined {
    const texts = new Map<MetricKey, string | null>();
    for (const [k, f] of this.files) {
      texts.set(k, f.read());
      this.reads++;
    }
    if (this.probe && texts.get(this.probe) === null) return this.files.get(this.probe)!.gone ? null : undefined;
    let net: NetTotals | null = null;
    let netText: string | null = null;
    if (this.net) {
      netText = this.net.read();
      this.reads++;
      net = netText === null ? null : netDev(netText);
    }
    const raw = parseRaw(this.metric.v2, (k) => texts.get(k) ?? null);
    if (!detail || !this.detailFiles) return { raw, net };
    if (!this.detailOpen) {
      this.detailOpen = new Map();
      for (const [k, path] of Object.entries(this.detailFiles) as [keyof DetailFiles, string | null][])
        if (path) this.detailOpen.set(k, new PreadFile(path));
    }
    const d = (k: keyof DetailFiles) => {
      const f = this.detailOpen!.get(k);
      if (!f) return null;
      this.reads++;
      return f.read();
    };
    return {
      raw,
      net,
      detail: parseDetail(this.metric.v2, {
        memStat: texts.get('memStat') ?? '',
        io: texts.get('io') ?? '',
        netDev: netText,
        cpuacctStat: d('cpuacctStat'),
        perCpu: d('perCpu'),
        cpuStat: this.metric.v2 ? (texts.get('cpu') ?? null) : d('cpuStat'),
        memMaxUsage: d('memMaxUsage'),
      }),
    };
  }

  close(): void {
    for (const f of this.files.values()) f.close();
    for (const f of this.detailOpen?.values() ?? []) f.close();
    this.net?.close();
  }
}
