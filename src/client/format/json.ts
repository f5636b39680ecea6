/**
 * JSON as Go's encoding/json writes it (what docker prints): `<`, `>`, `&`,
 * U+2028 and U+2029 escaped as \u003c, \u003e, \u0026, \u2028, \u2029.
 */
export function goJson(value: unknown, indent?: string): string {
  const s = indent === undefined ? JSON.stringify(value) : JSON.stringify(value, null, indent);
  if (s === undefined) return 'null';
  return s.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
