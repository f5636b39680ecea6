/**
 * An image-inspect object in the shape of the Go type the docker CLI runs
 * `inspect -f` templates over (types.ImageInspect and container.Config of
 * the Engine API v1.41, docker 20.10): every field present, absent ones as
 * their Go zero value (`{{.Config.Entrypoint}}` prints `[]`,
 * `{{.Config.Volumes}}` `map[]`, `{{.Config.Healthcheck}}` `<nil>`), port
 * and volume sets print `map[80/tcp:{}]`, times print as Go times, a field
 * the type lacks is an error, and `{{json .Config}}` marshals as Go does
 * (struct field order, omitempty, map keys sorted). Pure.
 */
import { EMPTY_STRUCT, GoNil, GoTime, goMarshal, goStruct, structInfo } from './go-value.js';

type Kind = 'string' | 'bool' | 'int' | 'slice' | 'map' | 'set' | 'ptr' | 'time' | Field[];

interface Field {
  name: string;
  kind: Kind;
  omitempty?: boolean;
  /** A struct held by pointer (*container.Config): nil when absent, printed `&{...}`. */
  pointer?: boolean;
}

const f = (name: string, kind: Kind, omitempty = false): Field => ({ name, kind, omitempty });
const ptr = (name: string, kind: Field[]): Field => ({ name, kind, pointer: true });

const CONFIG: Field[] = [
  f('Hostname', 'string'),
  f('Domainname', 'string'),
  f('User', 'string'),
  f('AttachStdin', 'bool'),
  f('AttachStdout', 'bool'),
  f('AttachStderr', 'bool'),
  f('ExposedPorts', 'set', true),
  f('Tty', 'bool'),
  f('OpenStdin', 'bool'),
  f('StdinOnce', 'bool'),
  f('Env', 'slice'),
  f('Cmd', 'slice'),
  f('Healthcheck', 'ptr', true),
  f('ArgsEscaped', 'bool', true),
  f('Image', 'string'),
  f('Volumes', 'set'),
  f('WorkingDir', 'string'),
  f('Entrypoint', 'slice'),
  f('NetworkDisabled', 'bool', true),
  f('MacAddress', 'string', true),
  f('OnBuild', 'slice'),
  f('Labels', 'map'),
  f('StopSignal', 'string', true),
  f('StopTimeout', 'ptr', true),
  f('Shell', 'slice', true),
];

const IMAGE: Field[] = [
  f('Id', 'string'),
  f('RepoTags', 'slice'),
  f('RepoDigests', 'slice'),
  f('Parent', 'string'),
  f('Comment', 'string'),
  f('Created', 'string'),
  f('Container', 'string'),
  ptr('ContainerConfig', CONFIG),
  f('DockerVersion', 'string'),
  f('Author', 'string'),
  ptr('Config', CONFIG),
  f('Architecture', 'string'),
  f('Variant', 'string', true),
  f('Os', 'string'),
  f('OsVersion', 'string', true),
  f('Size', 'int'),
  f('VirtualSize', 'int'),
  f('GraphDriver', [f('Data', 'map'), f('Name', 'string')]),
  f('RootFS', [f('Type', 'string'), f('Layers', 'slice', true), f('BaseLayer', 'string', true)]),
  f('Metadata', [f('LastTagTime', 'time', true)]),
];

const ZERO_TIME = '0001-01-01T00:00:00Z';

function isEmpty(v: unknown): boolean {
  if (v instanceof GoNil) return true;
  if (v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof GoTime) return false; // a struct: never empty for encoding/json
  if (v !== null && typeof v === 'object' && !structInfo(v)) return Object.keys(v).length === 0;
  return false;
}

function value(raw: unknown, field: Field, present: boolean): unknown {
  const { kind, name } = field;
  const absent = present ? undefined : name;
  if (Array.isArray(kind)) {
    if (raw !== null && typeof raw === 'object') return view(raw as Record<string, unknown>, kind, field.pointer);
    return field.pointer ? new GoNil('<nil>', absent) : view({}, kind);
  }
  if (raw === null || raw === undefined) {
    switch (kind) {
      case 'string':
        return '';
      case 'bool':
        return false;
      case 'int':
        return 0;
      case 'slice':
        return new GoNil('[]', absent);
      case 'map':
        return new GoNil('map[]', absent, '');
      case 'set':
        return new GoNil('map[]', absent, EMPTY_STRUCT);
      case 'ptr':
        return new GoNil('<nil>', absent);
      case 'time':
        return new GoTime(ZERO_TIME);
    }
  }
  if (kind === 'set' && typeof raw === 'object')
    return Object.fromEntries(Object.keys(raw as object).map((k) => [k, EMPTY_STRUCT]));
  if (kind === 'time' && typeof raw === 'string') return new GoTime(raw);
  return raw;
}

function view(raw: Record<string, unknown>, fields: Field[], pointer = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const fl of fields) out[fl.name] = value(raw[fl.name], fl, Object.prototype.hasOwnProperty.call(raw, fl.name));
  const json = () =>
    `{${fields
      .filter((fl) => !(fl.omitempty && isEmpty(out[fl.name])))
      .map((fl) => `${JSON.stringify(fl.name)}:${goMarshal(out[fl.name], true)}`)
      .join(',')}}`;
  return goStruct(out, { print: pointer ? 'pointer' : true, json });
}

/** The typed form of an image-inspect object, for templates. */
export function imageInspectView(raw: unknown): unknown {
  return raw !== null && typeof raw === 'object' ? view(raw as Record<string, unknown>, IMAGE) : raw;
}
