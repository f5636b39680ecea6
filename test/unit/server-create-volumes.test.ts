/** POST /containers/create's Config.Volumes read as dockerd reads them (server/shapes/create-request.ts). */
import { describe, expect, it } from 'vitest';
import { createRequest } from '../../src/server/shapes/create-request.js';

const create = (config: Record<string, unknown>, host: Record<string, unknown>) =>
  createRequest({ Image: 'bb', ...config, HostConfig: host }, null);

describe('Config.Volumes', () => {
  it('skips a path a bind already targets (docker-compose 1.29 sends a named volume both ways)', () => {
    const r = create({ Volumes: { '/data': {} } }, { Binds: ['proj_shared:/data:rw'] });
    expect(r.volumes).toEqual(['proj_shared:/data:rw']);
  });

  it('compares the paths normalised, and skips a path a mount targets', () => {
    expect(create({ Volumes: { '/data/': {} } }, { Binds: ['/host:/data'] }).volumes).toEqual(['/host:/data']);
    const r = create({ Volumes: { '/m': {} } }, { Mounts: [{ Type: 'volume', Source: 'v', Target: '/m' }] });
    expect(r.volumes).toBeUndefined();
    expect(r.mounts).toEqual([{ Type: 'volume', Source: 'v', Target: '/m' }]);
  });

  it('keeps every other path as an anonymous volume', () => {
    const r = create({ Volumes: { '/anon': {}, '/data': {} } }, { Binds: ['v:/data'] });
    expect(r.volumes).toEqual(['v:/data', '/anon']);
  });

  it('keeps two binds on one target, for the engine to refuse as dockerd does', () => {
    expect(create({}, { Binds: ['a:/d', 'b:/d'] }).volumes).toEqual(['a:/d', 'b:/d']);
  });
});
