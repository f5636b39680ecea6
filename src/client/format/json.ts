/**
 * JSON as the docker CLI prints it (encoding/json with HTML escaping off):
 * compact, or indented for inspect.
 */
export function goJson(value: unknown, indent?: string): string {
  const s = indent === undefined ? JSON.stringify(value) : JSON.stringify(value, null, indent);
  return s === undefined ? 'null' : s;
}
