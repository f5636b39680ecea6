/**
 * Templates over Go-typed values: what docker's CLI prints for image
 * inspect templates and for list formatter contexts, checked against the
 * output of the peer docker CLI (see the comments for what it printed).
 */
import { describe, expect, it } from 'vitest';
import { EMPTY_STRUCT, GoTime, escapeHtmlJson, goStruct } from '../../src/client/format/go-value.js';
import { imageInspectView } from '../../src/client/format/image-inspect-view.js';
import { compileTemplate } from '../../src/client/format/template.js';
import { psRows } from '../../src/cli/commands/ps.js';
import { formatterContexts } from '../../src/cli/output.js';

// as docker 20.10 writes a committed image's inspect (trimmed)
const raw = {
  Id: 'sha256:b555',
  RepoTags: ['bb-layers:latest', 'bb-layers:v1'],
  RepoDigests: [],
  Parent: 'sha256:0cb0',
  Created: '2026-11-23T22:53:23.743428347Z',
  Config: {
    Hostname: '84eb1b3d3040',
    ExposedPorts: { '8080/tcp': {} },
    Env: ['FOO=bar'],
    Cmd: ['httpd', '-f'],
    Image: 'bb-layers:v0',
    Volumes: null,
    WorkingDir: '/data',
    Entrypoint: null,
    OnBuild: null,
    Labels: { 'org.example.fixture': 'layers' },
  },
  Architecture: 'amd64',
  Os: 'linux',
  Size: 1982450,
  GraphDriver: { Data: { UpperDir: '/u' }, Name: 'overlay2' },
  RootFS: { Type: 'layers', Layers: ['sha256:bb1f', 'sha256:3874'] },
  Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
};
const t = (tpl: string) => compileTemplate(tpl)(imageInspectView(raw));

describe("image inspect templates see docker's typed ImageInspect", () => {
  it('nil slices, maps and pointers print as Go prints them', () => {
    expect(t('{{.Config.Entrypoint}}')).toBe('[]');
    expect(t('{{.Config.OnBuild}}')).toBe('[]');
    expect(t('{{.Config.Volumes}}')).toBe('map[]');
    expect(t('{{.Config.Healthcheck}}')).toBe('<nil>');
    expect(t('{{.Config.Shell}}')).toBe('[]');
    expect(t('{{.Config.StopSignal}}|{{.Config.ArgsEscaped}}|{{.Variant}}|')).toBe('|false||');
    expect(t('{{.ContainerConfig}}')).toBe('<nil>');
  });
  it('sets, structs and times', () => {
    expect(t('{{.Config.ExposedPorts}}')).toBe('map[8080/tcp:{}]');
    expect(t('{{.RootFS}}')).toBe('{layers [sha256:bb1f sha256:3874] }');
    expect(t('{{.GraphDriver}}')).toBe('{map[UpperDir:/u] overlay2}');
    expect(t('{{.Metadata}}')).toBe('{0001-01-01 00:00:00 +0000 UTC}');
    expect(t('{{.Metadata.LastTagTime}}')).toBe('0001-01-01 00:00:00 +0000 UTC');
    expect(new GoTime('2026-11-24T15:37:37.848152903Z').toString()).toBe('2026-11-24 15:37:37.848152903 +0000 UTC');
    expect(new GoTime('2026-11-24T15:37:37.5+01:00').toString()).toBe('2026-11-24 15:37:37.5 +0100 +0100');
  });
  it('json marshals the Go struct: field order, omitempty, nulls', () => {
    expect(t('{{json .Config.Entrypoint}}|{{json .Config.Volumes}}|{{json .Config.Healthcheck}}')).toBe(
      'null|null|null',
    );
    expect(t('{{json .Metadata}}')).toBe('{"LastTagTime":"0001-01-01T00:00:00Z"}');
    expect(t('{{json .RootFS}}')).toBe('{"Type":"layers","Layers":["sha256:bb1f","sha256:3874"]}');
    expect(JSON.parse(t('{{json .Config}}'))).toEqual({
      Hostname: '84eb1b3d3040',
      Domainname: '',
      User: '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ExposedPorts: { '8080/tcp': {} },
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: ['FOO=bar'],
      Cmd: ['httpd', '-f'],
      Image: 'bb-layers:v0',
      Volumes: null,
      WorkingDir: '/data',
      Entrypoint: null,
      OnBuild: null,
      Labels: { 'org.example.fixture': 'layers' },
    });
    expect(Object.keys(JSON.parse(t('{{json .}}')))).toEqual([
      'Id',
      'RepoTags',
      'RepoDigests',
      'Parent',
      'Comment',
      'Created',
      'Container',
      'ContainerConfig',
      'DockerVersion',
      'Author',
      'Config',
      'Architecture',
      'Os',
      'Size',
      'VirtualSize',
      'GraphDriver',
      'RootFS',
      'Metadata',
    ]);
  });
  it('control flow treats nil as empty and structs as true', () => {
    expect(t('{{with .Config.Entrypoint}}E{{else}}none{{end}}')).toBe('none');
    expect(t('{{range .Config.Volumes}}x{{end}}|{{len .Config.Volumes}}')).toBe('|0');
    expect(t('{{if .Metadata}}yes{{end}}')).toBe('yes');
    expect(t('{{index .Config.Labels "nope"}}|{{index .Config.Labels "org.example.fixture"}}')).toBe('|layers');
    expect(t('{{.GraphDriver.Data.Nope}}')).toBe('<no value>');
  });
  it('unknown fields and bad indexes fail as in docker, with line and column', () => {
    expect(() => t('{{.Nope}}')).toThrow(
      'template parsing error: template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"',
    );
    expect(() => t('{{.Config.Nope}}')).toThrow(
      'template: :1:9: executing "" at <.Config.Nope>: map has no entry for key "Nope"',
    );
    expect(() => t('{{.Config.Healthcheck.Test}}')).toThrow(
      'at <.Config.Healthcheck.Test>: map has no entry for key "Healthcheck"',
    );
    expect(() => t('{{index .RepoTags 5}}')).toThrow(
      'template: :1:2: executing "" at <index .RepoTags 5>: error calling index: index out of range: 5',
    );
    expect(() => t('a\n  {{.Id}} {{.Nope}}')).toThrow('template: :2:12: executing');
  });
});

describe('formatter contexts', () => {
  const row = goStruct(
    { Digest: '<none>', ID: 'abc' },
    { type: '*formatter.imageContext', json: () => escapeHtmlJson(JSON.stringify({ Digest: '<none>', ID: 'abc' })) },
  );
  it('marshal as docker does and refuse unknown fields', () => {
    expect(compileTemplate('{{json .}}')(row)).toBe('{"Digest":"\\u003cnone\\u003e","ID":"abc"}');
    expect(compileTemplate('{{json .Digest}}')(row)).toBe('"<none>"');
    expect(() => compileTemplate('{{.Nope}}')(row)).toThrow(
      'template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.imageContext',
    );
  });
  it('plain objects keep printing <no value> for what they lack', () => {
    expect(compileTemplate('{{.Missing}}')({ a: 1 })).toBe('<no value>');
    expect(compileTemplate('{{.}}')(EMPTY_STRUCT)).toBe('{}');
  });
});

describe('row methods', () => {
  const [row] = formatterContexts(
    psRows(
      [
        {
          Id: 'c0ffee'.repeat(10) + 'abcd',
          Names: ['/web-1'],
          Image: 'bb',
          ImageID: 'sha256:00',
          Command: 'sleep 9',
          Created: 1_700_000_000,
          Ports: [],
          Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' },
          State: 'running',
          Status: 'Up 2 seconds',
          StartedAt: '',
          FinishedAt: '',
          ExitCode: 0,
          RestartCount: 0,
          Pid: 1,
          HostConfig: { NetworkMode: 'default' },
          NetworkSettings: { Networks: {} },
          Mounts: [],
        },
      ],
      false,
    ),
    '*formatter.ContainerContext',
  );
  it('docker\'s `.Label "key"` on ps rows: the value, "" when absent; `.Labels` joined', () => {
    const t = (src: string) => compileTemplate(src)(row);
    expect(t('{{.Label "com.docker.compose.service"}}|{{.Label "nope"}}|{{.Names}}')).toBe('web||web-1');
    expect(t('{{.Labels}}')).toBe('com.docker.compose.project=shop,com.docker.compose.service=web');
    expect(t('{{"com.docker.compose.project" | .Label}}')).toBe('shop');
    expect(t('{{if eq (.Label "com.docker.compose.project") "shop"}}yes{{end}}')).toBe('yes');
    // the method is no field: json and {{.}} show the row's fields only
    expect(JSON.parse(t('{{json .}}'))).not.toHaveProperty('Label');
    expect(t('{{.}}')).not.toContain('function');
  });
  it("wrong calls fail as Go's do", () => {
    const t = (src: string) => compileTemplate(src)(row);
    expect(() => t('{{.Label}}')).toThrow('at <.Label>: wrong number of args for Label: want 1 got 0');
    expect(() => t('{{.Label "a" "b"}}')).toThrow('at <.Label>: wrong number of args for Label: want 1 got 2');
    expect(() => t('{{.Names "a"}}')).toThrow('at <.Names>: Names has arguments but cannot be invoked as function');
  });
});
