/**
 * Text from images, containers and volumes (history, labels, commands, file
 * names, log lines, error messages that quote them) made safe to draw: an
 * escape sequence in it could move the cursor, retitle or clear the
 * terminal, or answer back as typed input. CSI and OSC sequences go whole;
 * every other escape and C0 or C1 control character (but tab) is removed.
 */
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]|[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

/** No escapes or control characters; tabs as four spaces. */
export function cleanText(s: string): string {
  return s.replace(ESCAPES, '').replace(/\t/g, '    ');
}

/** Whether a string needs cleaning at all (most do not). */
export const hasControls = (s: string): boolean => /[\x00-\x1f\x7f-\x9f]/.test(s);
