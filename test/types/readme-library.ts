/** The library example of README.md and docs/library.md (test/docs/library-example.test.ts keeps them equal). */
import { createAdapter, value } from 'metrics-adapter';

const adapter = createAdapter();
adapter.addMetric({ name: 'queue_length', every: '15s' }, async ({ signal }) => {
  const response = await fetch('http://127.0.0.1:8080/queue', { signal });
  const { length, byRegion } = (await response.json()) as { length: number; byRegion: Record<string, number> };
  let result = value(length);                      // what a request without a selector gets
  for (const [region, n] of Object.entries(byRegion)) result = result.withLabels({ region }, n);
  return result;                                   // `labelSelector=region=eu` (or `region in (eu,us)`) picks variants
});
await adapter.run();                               // the serve flags: --secure-port, --cert-dir, --tls-cert-file ...
