// Type declarations for dependencies that ship none.
declare module 'unbzip2-stream' {
  import type { Duplex } from 'node:stream';
  export default function unbzip2Stream(): Duplex;
}
declare module 'lzma-native' {
  import type { Transform } from 'node:stream';
  export function createDecompressor(options?: Record<string, unknown>): Transform;
}
