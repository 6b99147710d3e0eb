/** Text from a (possibly hostile) file made safe for a one-line message: no control characters, bounded length. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "?");
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}
