/**
 * `npm run bench:floor -- [0-4]`: one scenario of bench/single-scenarios.ts against three servers in turn, each run
 * alternating with the ceiling's: the adapter, the ceiling (a bare server sending the adapter's answer bytes) and the
 * floor (bench/floor-server.ts: the least any apiserver-compatible server adds to the ceiling). Prints per round and
 * as medians `floor / ceiling` and `adapter / ceiling`. Both bare servers write each answer at once; while the adapter
 * is below the floor, `floor - adapter` is the part of a miss that is the adapter's own.
 * FLOOR_ROUNDS (5) and FLOOR_SECONDS (3) set the rounds and each run's length.
 * @module
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, median } from './ab.js';
import { startAdapter, startCeiling } from './processes.js';
import { scenarioOf, seedAndAsk } from './single-scenarios.js';

const scenario = scenarioOf(process.argv[2]);
const rounds = Number(process.env.FLOOR_ROUNDS ?? 5);
const seconds = Number(process.env.FLOOR_SECONDS ?? 3);
const work = await mkdtemp(join(tmpdir(), 'metrics-adapter-floor-'));
const certDir = join(work, 'certs');
const adapter = await startAdapter(certDir);
const { ca, served } = await seedAndAsk(adapter, certDir, scenario);
const ceiling = await startCeiling(join(work, 'ceiling.json'), served);
const floor = await startCeiling(join(work, 'floor.json'), served, [], 'bench/floor-server.ts');
const rps = async (url: string) =>
  (await load(url, scenario, ca, { durationSeconds: seconds, rounds: 1, connections: 16 })).rps;
try {
  // NB: one untimed run each first, so every server's code is compiled before it is measured.
  for (const url of [ceiling.url, floor.url, adapter.url]) await rps(url);
  const floorRatios: number[] = [];
  const adapterRatios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // NB: the ceiling before and after, so a change of the machine's speed mid-round moves both sides alike.
    const before = await rps(ceiling.url);
    const floorRps = await rps(floor.url);
    const adapterRps = await rps(adapter.url);
    const bare = (before + (await rps(ceiling.url))) / 2;
    floorRatios.push(floorRps / bare);
    adapterRatios.push(adapterRps / bare);
    process.stdout.write(
      `round ${round + 1}: ceiling ${Math.round(bare)} req/s, floor ${(floorRps / bare).toFixed(2)}×, adapter ${(adapterRps / bare).toFixed(2)}×\n`,
    );
  }
  process.stdout.write(
    `${scenario.name}: floor ${median(floorRatios).toFixed(2)}× the ceiling, adapter ${median(adapterRatios).toFixed(2)}× (medians of ${rounds} rounds)\n`,
  );
} finally {
  await Promise.all([adapter.stop(), ceiling.stop(), floor.stop()]);
}
