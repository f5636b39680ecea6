/** Output that is not the app's goes to its log while captured, and back to the streams after (tui/terminal/stray-output.ts). */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { StrayOutput } from '../../src/tui/terminal/stray-output.js';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-stray-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('logs writes, console output and warnings while captured; the streams and Node’s printer come back after', async () => {
  const out = new Sink();
  const err = new Sink();
  const streams = { stdout: out as unknown as NodeJS.WriteStream, stderr: err as unknown as NodeJS.WriteStream };
  const told: number[] = [];
  const s = new StrayOutput(join(dir, 'app.log'), (n) => told.push(n), streams);
  const printers = process.listeners('warning');
  s.write('frame\n');
  expect(out.text).toBe('frame\n');
  expect(existsSync(s.path)).toBe(false); // nothing logged yet: no file

  s.capture();
  // Node's printer (and whoever else listened) is off; only the log listens
  for (const p of printers) expect(process.listeners('warning')).not.toContain(p);
  expect(process.listeners('warning')).toHaveLength(1);
  out.write('stray out\n');
  err.write(Buffer.from('stray err\n'), () => undefined);
  process.emitWarning('something leaked', 'LeakWarning');
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  s.write('another frame\n'); // the app's own output still reaches the terminal
  expect(out.text).toBe('frame\nanother frame\n');
  expect(err.text).toBe('');
  const log = readFileSync(s.path, 'utf8');
  expect(log).toMatch(/\] stdout: stray out\n/);
  expect(log).toMatch(/\] stderr: stray err\n/);
  expect(log).toMatch(/\] warning: LeakWarning: something leaked\n/);
  expect(s.entries).toBe(3);
  expect(told[told.length - 1]).toBe(3);

  s.release();
  s.close();
  expect(process.listeners('warning')).toEqual(printers);
  out.write('after\n');
  err.write('after\n');
  expect(out.text).toBe('frame\nanother frame\nafter\n');
  expect(err.text).toBe('after\n');
  expect(Object.prototype.hasOwnProperty.call(out, 'write')).toBe(false);
});
