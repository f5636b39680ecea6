// Type declarations for dependencies that ship none.
declare module 'unbzip2-stream' {
  export default function unbzip2Stream(): import('node:stream').Duplex;
}
declare module 'lzma-native' {
  export function createDecompressor(options?: Record<string, unknown>): import('node:stream').Transform;
}
