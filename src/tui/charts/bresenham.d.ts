// The bresenham package ships no types; this is its documented API (index.js of 0.0.4).
declare module 'bresenham' {
  function bresenham(x0: number, y0: number, x1: number, y1: number, fn: (x: number, y: number) => void): void;
  function bresenham(x0: number, y0: number, x1: number, y1: number): { x: number; y: number }[];
  export = bresenham;
}
