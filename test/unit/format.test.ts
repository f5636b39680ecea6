import { describe, expect, it } from 'vitest';
import { bytesSize, containerStatus, goG, humanDuration, humanSize } from '../../src/client/format/humanize.js';
import { ellipsis, renderTable } from '../../src/client/format/table.js';
import { compileTemplate, parseFormat } from '../../src/client/format/template.js';

describe('sizes and durations (go-units)', () => {
  it('humanSize', () => {
    expect(humanSize(0)).toBe('0B');
    expect(humanSize(1982384)).toBe('1.98MB');
    expect(humanSize(1982384, 4)).toBe('1.982MB');
    expect(humanSize(3964768, 4)).toBe('3.965MB');
    expect(humanSize(12)).toBe('12B');
    expect(humanSize(4100)).toBe('4.1kB');
    expect(humanSize(999_950)).toBe('1e+03kB');
  });
  it('bytesSize', () => {
    expect(bytesSize(64 * 1024 * 1024)).toBe('64MiB');
    expect(bytesSize(2048000)).toBe('1.953MiB');
    expect(bytesSize(0)).toBe('0B');
  });
  it('Go %g', () => {
    expect(goG(2, 3)).toBe('2');
    expect(goG(123.4, 3)).toBe('123');
    expect(goG(0.00001234, 3)).toBe('1.23e-05');
  });
  it('humanDuration', () => {
    expect(humanDuration(500)).toBe('Less than a second');
    expect(humanDuration(1000)).toBe('1 second');
    expect(humanDuration(59_000)).toBe('59 seconds');
    expect(humanDuration(60_000)).toBe('About a minute');
    expect(humanDuration(45 * 60_000)).toBe('45 minutes');
    expect(humanDuration(60 * 60_000)).toBe('About an hour');
    expect(humanDuration(3 * 3600_000)).toBe('3 hours');
    expect(humanDuration(3 * 86400_000)).toBe('3 days');
    expect(humanDuration(20 * 86400_000)).toBe('2 weeks');
    expect(humanDuration(100 * 86400_000)).toBe('3 months');
    expect(humanDuration(800 * 86400_000)).toBe('2 years');
  });
  it('container status words', () => {
    const now = new Date('2026-01-01T00:10:00Z');
    const base = { exitCode: 0, startedAt: '2026-01-01T00:05:00Z', finishedAt: '0001-01-01T00:00:00Z' };
    expect(containerStatus({ ...base, status: 'running' }, now)).toBe('Up 5 minutes');
    expect(containerStatus({ ...base, status: 'paused' }, now)).toBe('Up 5 minutes (Paused)');
    expect(containerStatus({ ...base, status: 'created', startedAt: '0001-01-01T00:00:00Z' }, now)).toBe('Created');
    expect(containerStatus({ ...base, status: 'exited', exitCode: 3, finishedAt: '2026-01-01T00:09:57Z' }, now)).toBe(
      'Exited (3) 3 seconds ago',
    );
  });
});

describe('tables (tabwriter minwidth 10, padding 3)', () => {
  it('pads like docker', () => {
    expect(renderTable(['REPOSITORY', 'TAG', 'IMAGE ID'], [['bb', 'latest', '6aa4265b18c5']])).toBe(
      'REPOSITORY   TAG       IMAGE ID\nbb           latest    6aa4265b18c5\n',
    );
  });
  it('ellipsis', () => {
    expect(ellipsis('abcdef', 4)).toBe('abc…');
    expect(ellipsis('abc', 4)).toBe('abc');
  });
});

describe('Go templates', () => {
  const data = {
    Id: 'sha256:abc',
    Config: { Cmd: ['sh', '-c', 'x'], Env: null, Labels: { b: '2', a: '1' } },
    RepoTags: ['a:1', 'b:2'],
    State: { Running: true, ExitCode: 0 },
    Size: 1982450,
  };
  const t = (s: string) => compileTemplate(s)(data);
  it('fields and Go printing', () => {
    expect(t('{{.Id}}')).toBe('sha256:abc');
    expect(t('{{.Config.Cmd}}')).toBe('[sh -c x]');
    expect(t('{{.Config.Labels}}')).toBe('map[a:1 b:2]');
    expect(t('{{.Config.Env}}')).toBe('<no value>');
    expect(t('{{.Size}}')).toBe('1982450');
    expect(t('{{.Missing}}')).toBe('<no value>');
  });
  it('json, pipelines and functions', () => {
    expect(t('{{json .Config.Cmd}}')).toBe('["sh","-c","x"]');
    expect(t('{{.Config.Cmd | json}}')).toBe('["sh","-c","x"]');
    expect(t('{{join .RepoTags ","}}')).toBe('a:1,b:2');
    expect(t('{{index .Config.Labels "a"}}')).toBe('1');
    expect(t('{{upper (index .RepoTags 0)}}')).toBe('A:1');
    expect(t('{{len .RepoTags}}')).toBe('2');
    expect(t('{{printf "%s=%d" "x" 3}}')).toBe('x=3');
    expect(t('{{truncate .Id 6}}')).toBe('sha256');
  });
  it('control flow and variables', () => {
    expect(t('{{range .RepoTags}}[{{.}}]{{end}}')).toBe('[a:1][b:2]');
    expect(t('{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}')).toBe('a=1;b=2;');
    expect(t('{{if .State.Running}}up{{else}}down{{end}}')).toBe('up');
    expect(t('{{if eq .State.ExitCode 1}}one{{else if eq .State.ExitCode 0}}zero{{else}}other{{end}}!')).toBe('zero!');
    expect(t('{{with .Config}}{{.Cmd}}{{end}}')).toBe('[sh -c x]');
    expect(t('a {{- " b " -}} c')).toBe('a b c');
    expect(t('{{$x := .Id}}{{$x}}')).toBe('sha256:abc');
  });
  it('errors say what is wrong', () => {
    expect(() => compileTemplate('{{.Id')).toThrow('template parsing error');
    expect(() => compileTemplate('{{nosuch .Id}}')(data)).toThrow('function "nosuch" not defined');
    expect(() => compileTemplate('{{if .Id}}x')(data)).toThrow('template parsing error');
  });
  it('table formats take header names from the fields', () => {
    expect(parseFormat('table {{.ID}}\t{{.Repository}}', { ID: 'IMAGE ID', Repository: 'REPOSITORY' })).toEqual({
      kind: 'table',
      template: '{{.ID}}\t{{.Repository}}',
      headers: ['IMAGE ID', 'REPOSITORY'],
    });
    expect(parseFormat('json', {}).kind).toBe('json');
  });
});
