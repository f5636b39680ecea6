/** One command of the compatibility run: a shell snippet run against each engine. */
export interface Case {
  id: string;
  sh: string;
  /** Through a pseudo-terminal (`script`); `input` is typed after `afterMs`. */
  tty?: { input?: string; afterMs?: number };
}
