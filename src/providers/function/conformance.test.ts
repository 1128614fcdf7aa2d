/**
 * The function provider runs the conformance suite: each namespace's `queue` series come from a metric function,
 * and its upstream is the functions themselves, which fail for longer than the maximum staleness when cut.
 */
import { describeReadOnlyBackend } from '../conformance/index.js';
import { createManualClock } from './clock.js';
import { createFunctionProvider } from './function-provider.js';
import { variants } from './metric-value.js';

describeReadOnlyBackend('function', { custom: false, external: true, unreachable: true }, async (fixture) => {
  const clock = createManualClock(Date.now());
  const provider = createFunctionProvider({ clock });
  let failing = false;
  for (const namespace of new Set(fixture.external.map((s) => s.namespace))) {
    const series = fixture.external.filter((s) => s.namespace === namespace);
    provider.addMetric({ namespace, name: series[0]!.metric, every: '10s', maxStaleness: '30s', retry: false }, () => {
      if (failing) throw new Error('the queue service is unreachable');
      return series.reduce((result, s) => result.withLabels(s.labels, s.value), variants());
    });
  }
  await clock.advance(0);
  return {
    external: provider,
    unreachable: {
      names: /queue is stale: its function has failed/,
      async cut() {
        failing = true;
        await clock.advance(10_000);
        await clock.advance(30_000);
      },
    },
    async close() {
      provider.close();
    },
  };
});
