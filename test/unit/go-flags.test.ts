/** The docker CLI's flag forms (`--rm=false`, `-p=false`, `-m=64m`) read through commander. */
import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { goStyleFlags } from '../../src/cli/go-flags.js';

const cmd = () =>
  new Command('run')
    .option('--rm', 'remove')
    .option('-d, --detach', 'detach')
    .option('--sig-proxy', 'proxy', true)
    .addOption(new Option('--no-sig-proxy').hideHelp())
    .option('-m, --memory <bytes>', 'memory')
    .option('--name <string>', 'name')
    .argument('<IMAGE>')
    .argument('[COMMAND...]');

describe('docker-style flags', () => {
  it('boolean flags with a value', () => {
    expect(goStyleFlags(cmd(), ['--rm=true', '-d=1', 'bb'])).toEqual(['--rm', '--detach', 'bb']);
    expect(goStyleFlags(cmd(), ['--rm=false', '--sig-proxy=false', 'bb'])).toEqual(['--no-sig-proxy', 'bb']);
    expect(goStyleFlags(cmd(), ['--rm=maybe', 'bb'])).toEqual(['--rm=maybe', 'bb']);
  });

  it('short flags with =, values that look like flags, and what belongs to the container', () => {
    expect(goStyleFlags(cmd(), ['-m=64m', '--name', '--rm=false', 'bb'])).toEqual([
      '-m',
      '64m',
      '--name',
      '--rm=false',
      'bb',
    ]);
    expect(goStyleFlags(cmd(), ['bb', 'sh', '--rm=false', '-d=true'])).toEqual(['bb', 'sh', '--rm=false', '-d=true']);
    expect(goStyleFlags(cmd(), ['--', '--rm=false'])).toEqual(['--', '--rm=false']);
  });

  it('commander then parses them as docker would', () => {
    const c = cmd()
      .exitOverride()
      .action(() => undefined);
    c.parse(goStyleFlags(c, ['--sig-proxy=false', '-d=true', '-m=32m', 'bb', 'true']), { from: 'user' });
    expect(c.opts()).toMatchObject({ sigProxy: false, detach: true, memory: '32m' });
    expect(c.args).toEqual(['bb', 'true']);
    const d = cmd()
      .exitOverride()
      .action(() => undefined);
    d.parse(goStyleFlags(d, ['bb']), { from: 'user' });
    expect(d.opts().sigProxy).toBe(true);
  });
});
