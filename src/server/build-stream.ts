/**
 * The classic builder's JSON stream (what the docker CLI prints with
 * DOCKER_BUILDKIT=0, and docker-compose 1.29 and docker-py read) from
 * berth's build progress, BuildKit's solve status: "Step N/M : INSTRUCTION"
 * when a step starts, " ---> Using cache" for a cached one, " ---> Running
 * in ID" for a RUN (the ID is the step's, berth has no intermediate
 * containers), the step's output as it comes, and at the end the image ID
 * (aux) with "Successfully built" and "Successfully tagged" lines. Pure.
 */
import { isTrace, resultOf, type ProgressMessage } from '../client/api.js';

/** BuildKit's step names: "[2/3] RUN ...", "[stage-1 2/3] COPY ...". */
const STEP = /^\[(?:\S+ )?(\d+)\/(\d+)\] (.+)$/s;

export class ClassicStream {
  private readonly steps = new Map<string, { started: boolean; cached: boolean }>();
  private count = 0;

  constructor(
    /** The tags asked for, as docker shows them in "Successfully tagged". */
    private readonly tags: string[],
    /** q=1: nothing but the image ID. */
    private readonly quiet: boolean,
  ) {}

  /** The wire messages for one progress message. */
  next(m: ProgressMessage): Record<string, unknown>[] {
    const id = resultOf(m);
    if (id) {
      if (this.quiet) return [{ aux: { ID: id } }, { stream: `${id}\n` }];
      return [
        { aux: { ID: id } },
        { stream: `Successfully built ${id.replace(/^sha256:/, '').slice(0, 12)}\n` },
        ...this.tags.map((t) => ({ stream: `Successfully tagged ${t}\n` })),
      ];
    }
    if (this.quiet || !isTrace(m)) return [];
    const out: Record<string, unknown>[] = [];
    for (const v of m.aux.vertexes ?? []) {
      const step = STEP.exec(v.name);
      if (!step) continue;
      let s = this.steps.get(v.digest);
      if (!s) {
        s = { started: false, cached: false };
        this.steps.set(v.digest, s);
      }
      if (!s.started && (v.started || v.cached)) {
        s.started = true;
        this.count++;
        out.push({ stream: `Step ${step[1]}/${step[2]} : ${step[3]}\n` });
        if (!v.cached && /^RUN /.test(step[3]!))
          out.push({ stream: ` ---> Running in ${v.digest.replace(/^sha256:/, '').slice(0, 12)}\n` });
      }
      if (v.cached && !s.cached) {
        s.cached = true;
        out.push({ stream: ' ---> Using cache\n' });
      }
    }
    for (const l of m.aux.logs ?? []) {
      if (!this.steps.has(l.vertex)) continue;
      if (l.data) out.push({ stream: l.data });
    }
    return out;
  }
}
