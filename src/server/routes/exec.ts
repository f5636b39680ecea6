/** exec: create, start (a hijacked connection, or detached), resize, inspect. */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { parseDetachKeys } from '../../client/attach-io.js';
import { readJson } from '../body.js';
import { decode, strings } from '../decode.js';
import { badRequest, HttpError } from '../errors.js';
import type { ExecInstance } from '../exec-registry.js';
import { muxFrame, STDERR, STDOUT, type Hijacker } from '../hijack.js';
import { intParam } from '../query.js';
import { sendJson } from '../respond.js';
import type { Ctx, Route } from '../router.js';
import { strSlice } from '../shapes/create-request.js';
import { checkDetachKeys } from '../attach-pipe.js';
import { streamType } from './container-io.js';

const createShape = {
  struct: 'ExecOptions',
  fields: {
    User: 'string',
    Privileged: 'bool',
    Tty: 'bool',
    ConsoleSize: { slice: 'uint' },
    AttachStdin: 'bool',
    AttachStderr: 'bool',
    AttachStdout: 'bool',
    Detach: 'bool',
    DetachKeys: 'string',
    Env: strings,
    WorkingDir: 'string',
    Cmd: 'any',
  },
} as const;

const startShape = {
  struct: 'ExecStartOptions',
  fields: { Detach: 'bool', Tty: 'bool', ConsoleSize: { slice: 'uint' } },
} as const;

async function create(ctx: Ctx, res: ServerResponse): Promise<void> {
  const b = decode<Record<string, any>>(await readJson(ctx.req), createShape);
  const cmd = strSlice(b.Cmd, 'ExecOptions.Cmd') ?? [];
  if (!cmd.length) throw badRequest('No exec command specified');
  const detachKeys = checkDetachKeys(b.DetachKeys || null) ?? '';
  const doc = await ctx.backend.inspectContainer(ctx.params.id!);
  const id = String(doc.Id);
  const st = doc.State as { Running: boolean; Paused: boolean; Restarting: boolean };
  if (!st.Running) throw new HttpError(409, `Container ${id} is not running`);
  if (st.Paused) throw new HttpError(409, `Container ${id} is paused, unpause the container before exec`);
  if (st.Restarting) throw new HttpError(409, `Container ${id} is restarting, wait until the container is running`);
  const size = b.ConsoleSize as number[] | undefined;
  const inst = ctx.state.execs.create(id, {
    cmd,
    tty: !!b.Tty,
    attachStdin: !!b.AttachStdin,
    attachStdout: !!b.AttachStdout,
    attachStderr: !!b.AttachStderr,
    env: b.Env ?? [],
    user: b.User ?? '',
    workdir: b.WorkingDir ?? '',
    privileged: !!b.Privileged,
    detachKeys,
    consoleSize: size && size.length === 2 && size[0]! > 0 && size[1]! > 0 ? [size[0]!, size[1]!] : null,
  });
  sendJson(res, 201, { Id: inst.id });
}

function findExec(ctx: Ctx): ExecInstance {
  const inst = ctx.state.execs.get(ctx.params.id!);
  if (!inst) throw new HttpError(404, `No such exec instance: ${ctx.params.id}`);
  return inst;
}

function writeSize(inst: ExecInstance, rows: number, cols: number): void {
  if (inst.winsizeFile) writeFileSync(inst.winsizeFile, `${rows} ${cols}\n`);
}

/** Spawn the exec's process; its stdio are pipes (the monitor gives it a pty of its own with a tty). */
async function spawnExec(ctx: Ctx, inst: ExecInstance, detach: boolean) {
  const c = inst.config;
  let winsizeFile: string | undefined;
  if (c.tty && !detach) {
    const dir = join(ctx.backend.info().runroot, 'api-exec');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    winsizeFile = join(dir, inst.id.slice(0, 16));
    inst.winsizeFile = winsizeFile;
    const [rows, cols] = c.consoleSize ?? [24, 80];
    writeSize(inst, rows, cols);
  }
  const plan = await ctx.backend.execPlan(inst.containerId, {
    cmd: c.cmd,
    tty: c.tty,
    interactive: c.attachStdin,
    detach,
    env: c.env,
    ...(c.workdir ? { workdir: c.workdir } : {}),
    ...(c.user ? { user: c.user } : {}),
    privileged: c.privileged,
    ...(winsizeFile ? { winsizeFile } : {}),
    execId: inst.id,
  });
  if (plan.kind !== 'process') throw new HttpError(500, 'this engine runs no exec process here');
  const child = spawn(plan.program, plan.args, {
    stdio: [c.attachStdin && !detach ? 'pipe' : 'ignore', detach ? 'ignore' : 'pipe', detach ? 'pipe' : 'pipe'],
  });
  inst.process = child;
  inst.running = true;
  inst.started = true;
  inst.pid = child.pid ?? 0;
  const exited = new Promise<number>((resolve) => {
    child.on('error', () => resolve(126));
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 9) : 0)));
  });
  exited.then((code) => ctx.state.execs.finished(inst, code));
  return { child, exited };
}

async function start(ctx: Ctx, h: Hijacker): Promise<void> {
  const inst = findExec(ctx);
  const b = decode<{ Detach?: boolean; Tty?: boolean; ConsoleSize?: number[] }>(await readJsonFrom(h), startShape);
  if (inst.started) throw new HttpError(409, `Error: Exec command ${inst.id} has already run`);
  if (b.ConsoleSize?.length === 2 && b.ConsoleSize[0]! > 0)
    inst.config.consoleSize = [b.ConsoleSize[0]!, b.ConsoleSize[1]!];
  const c = inst.config;
  if (b.Detach) {
    const { child, exited } = await spawnExec(ctx, inst, true);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await exited;
    if (code !== 0)
      throw new HttpError(code === 126 || code === 127 ? 409 : 500, err.trim() || `exec failed with exit code ${code}`);
    h.ok();
    return;
  }
  const client = h.take(streamType(ctx, c.tty));
  let spawned: Awaited<ReturnType<typeof spawnExec>>;
  try {
    spawned = await spawnExec(ctx, inst, false);
  } catch (e) {
    client.end(`${(e as Error).message}\r\n`);
    return;
  }
  await pipeExec(
    client,
    spawned.child,
    spawned.exited,
    c.tty,
    c.attachStdout,
    c.attachStderr,
    c.attachStdin && h.interactive,
    c.detachKeys,
  );
}

function pipeExec(
  client: Duplex,
  child: ReturnType<typeof spawn>,
  exited: Promise<number>,
  tty: boolean,
  wantOut: boolean,
  wantErr: boolean,
  stdin: boolean,
  detachKeys: string,
): Promise<void> {
  return new Promise((resolve) => {
    const out = (stream: number) => (d: Buffer) => {
      if (client.destroyed) return;
      if ((stream === STDOUT && !wantOut) || (stream === STDERR && !wantErr && !tty)) return;
      client.write(tty ? d : muxFrame(stream, d));
    };
    child.stdout?.on('data', out(STDOUT));
    child.stderr?.on('data', out(tty ? STDOUT : STDERR));
    const keys = tty && stdin ? parseDetachKeys(detachKeys || 'ctrl-p,ctrl-q') : [];
    let matched = 0;
    client.on('data', (chunk: Buffer) => {
      if (!stdin || !child.stdin || child.stdin.destroyed) return;
      if (!keys.length) return void child.stdin.write(chunk);
      const bytes: number[] = [];
      for (const byte of chunk) {
        if (byte === keys[matched]) {
          if (++matched === keys.length) {
            client.end();
            return;
          }
          continue;
        }
        if (matched) bytes.push(...keys.slice(0, matched));
        matched = 0;
        bytes.push(byte);
      }
      if (bytes.length) child.stdin.write(Buffer.from(bytes));
    });
    client.on('end', () => child.stdin?.end());
    child.stdin?.on('error', () => undefined);
    client.on('error', () => undefined);
    client.on('close', () => {
      // the client went away: the process goes on without it (as docker's exec does)
      child.stdin?.destroy();
      resolve();
    });
    let streams = [child.stdout, child.stderr].filter(Boolean).length;
    const drained = () => {
      if (--streams > 0) return;
      exited.then(() => {
        client.end();
        resolve();
      });
    };
    child.stdout?.on('close', drained);
    child.stderr?.on('close', drained);
    client.resume();
  });
}

async function readJsonFrom(h: Hijacker): Promise<unknown> {
  const buf = await h.body();
  const text = buf.toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`invalid JSON: ${(e as Error).message}`);
  }
}

async function resize(ctx: Ctx, res: ServerResponse): Promise<void> {
  const inst = findExec(ctx);
  const h = intParam(ctx.query, 'h', 0)!;
  const w = intParam(ctx.query, 'w', 0)!;
  if (h <= 0 || w <= 0 || h > 65535 || w > 65535) throw badRequest('invalid terminal size');
  if (!inst.running) throw new HttpError(409, `Exec ${inst.id} is not running`);
  writeSize(inst, h, w);
  inst.process?.kill('SIGWINCH');
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '0' });
  res.end();
}

async function inspect(ctx: Ctx, res: ServerResponse): Promise<void> {
  const inst = findExec(ctx);
  const c = inst.config;
  sendJson(res, 200, {
    ID: inst.id,
    Running: inst.running,
    ExitCode: inst.exitCode,
    ProcessConfig: {
      tty: c.tty,
      entrypoint: c.cmd[0],
      arguments: c.cmd.slice(1),
      privileged: c.privileged,
      ...(c.user ? { user: c.user } : {}),
    },
    OpenStdin: c.attachStdin,
    OpenStderr: c.attachStderr,
    OpenStdout: c.attachStdout,
    CanRemove: false,
    ContainerID: inst.containerId,
    DetachKeys: c.detachKeys,
    Pid: inst.pid,
  });
}

export const execRoutes: Route[] = [
  { method: 'POST', pattern: '/containers/:id/exec', handler: create },
  { method: 'POST', pattern: '/exec/:id/start', hijack: start },
  { method: 'POST', pattern: '/exec/:id/resize', handler: resize },
  { method: 'GET', pattern: '/exec/:id/json', handler: inspect },
];
