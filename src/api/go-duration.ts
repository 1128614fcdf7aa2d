/**
 * Go `time.Duration.String()` for whole milliseconds, the text `metav1.Duration` puts on the wire
 * (the `window` of resource metrics: `30s`, `1m0s`, `10.767s`).
 * @module
 */

/** `0s`, `500ms`, `30s`, `1m0s`, `1h2m3.5s`, as Go prints the duration `ms` milliseconds long. */
export function formatGoDuration(ms: number): string {
  const whole = Math.trunc(ms);
  if (whole === 0) return '0s';
  const sign = whole < 0 ? '-' : '';
  let rest = Math.abs(whole);
  if (rest < 1000) return `${sign}${rest}ms`;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  // NB: Go trims trailing zeros of the fraction and always writes the seconds once a larger unit is present.
  const fraction = millis === 0 ? '' : `.${String(millis).padStart(3, '0').replace(/0+$/, '')}`;
  const secondsText = `${seconds}${fraction}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${sign}${minutes}m${secondsText}`;
  return `${sign}${secondsText}`;
}
