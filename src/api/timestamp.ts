/**
 * metav1.Time on the wire: RFC 3339 in UTC with second precision (apimachinery meta/v1/time.go).
 * Formatting is cached per second because every item of every response carries a timestamp.
 * @module
 */

let cachedSecond = Number.NaN;
let cachedText = '';

/** `2024-05-01T12:00:00Z` for a time in milliseconds since the epoch. */
export function formatTimestamp(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    cachedText = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
    cachedSecond = second;
  }
  return cachedText;
}
