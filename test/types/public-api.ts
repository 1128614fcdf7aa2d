/**
 * Type test of the public API, compiled and never run: `npm run typecheck` checks it against src/,
 * `npm run typecheck:examples` against the published dist/*.d.ts. Each `@ts-expect-error` is a misuse
 * the types must keep refusing.
 */
import { EventEmitter } from 'node:events';
import {
  createAdapter,
  createFakeProvider,
  createFunctionProvider,
  value,
  variants,
  type ExternalMetricsProvider,
  type MetricContext,
  type MetricResult,
  type RunningAdapter,
} from 'metrics-adapter';

const adapter = createAdapter();
adapter.addMetric(
  {
    namespace: '*',
    name: 'a',
    every: '15s',
    trigger: new EventEmitter(),
    signal: AbortSignal.timeout(1000),
    maxStaleness: 60_000,
  },
  async (ctx: MetricContext) => {
    const signal: AbortSignal = ctx.signal;
    void signal;
    return value(42).withLabels({ region: 'eu' }, 40);
  },
);
adapter.addMetric(
  {
    name: 'b',
    trigger: (async function* () {
      yield 1;
    })(),
  },
  () => 7,
);
adapter.addMetric({ name: 'c', retry: false }, () => variants().withLabels({ q: 'x' }, '1.5k'));
const running: Promise<RunningAdapter> = adapter.run(['--secure-port', '0']);
void running;
const result: MetricResult = value(1);
void result;
const provider: ExternalMetricsProvider = createFunctionProvider();
void provider;
const fake = createFakeProvider({
  custom: [{ resource: 'pods', namespace: 'shop', name: 'web-1', metric: 'rps', value: '250m' }],
});
const faked: ExternalMetricsProvider = fake.external;
void faked;

// @ts-expect-error a metric needs a name
adapter.addMetric({ every: '5s' }, () => 1);
// @ts-expect-error label values are strings
value(1).withLabels({ region: 1 }, 2);
// @ts-expect-error a metric function returns a quantity or a MetricResult
adapter.addMetric({ name: 'd' }, () => ({ value: 1 }));
// @ts-expect-error every is a duration string or milliseconds
adapter.addMetric({ name: 'e', every: true }, () => 1);
// @ts-expect-error a fake custom value names its object
createFakeProvider({ custom: [{ resource: 'pods', metric: 'rps', value: 1 }] });
