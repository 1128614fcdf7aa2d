/**
 * metav1.Time on the wire: RFC 3339 in UTC with second precision (apimachinery meta/v1/time.go).
 * Every item of every response carries a timestamp, and formatting a Date costs more than the rest
 * of an item, so the text is kept per second in a small direct-mapped table: the values one
 * answer holds were written within minutes of each other, and nearly all of them hit.
 * @module
 */

const slots = 1024;
const slotSeconds = new Float64Array(slots).fill(Number.NaN);
const slotTexts: string[] = new Array<string>(slots).fill('');

/** `2024-05-01T12:00:00Z` for a time in milliseconds since the epoch. */
export function formatTimestamp(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  const slot = second & (slots - 1);
  if (slotSeconds[slot] === second) return slotTexts[slot]!;
  const text = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
  slotSeconds[slot] = second;
  slotTexts[slot] = text;
  return text;
}
