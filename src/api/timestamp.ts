/**
 * metav1.Time on the wire: RFC 3339 in UTC with second precision (apimachinery meta/v1/time.go).
 * Every item of every response carries a timestamp, and formatting a Date costs more than the rest
 * of an item, so the text is kept per second in a small direct-mapped table: the values one
 * answer holds were written within minutes of each other, and nearly all of them hit.
 * @module
 */

const slots = 1024;
const slotSeconds = new Float64Array(slots).fill(Number.NaN);
// Stryker disable next-line ArrayDeclaration,StringLiteral: equivalent, a slot's text is read only after its second is
// set, which writes the text.
const slotTexts: string[] = new Array<string>(slots).fill('');

/** `2024-05-01T12:00:00Z` for a time in milliseconds since the epoch. */
export function formatTimestamp(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  // NB: the cache only saves time: the second check below makes any slot, or none, give the right text.
  // Stryker disable next-line ArithmeticOperator: equivalent, see the note above.
  const slot = second & (slots - 1);
  // Stryker disable next-line ConditionalExpression: equivalent, see the note above.
  if (slotSeconds[slot] === second) return slotTexts[slot]!;
  const text = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
  slotSeconds[slot] = second;
  slotTexts[slot] = text;
  return text;
}
