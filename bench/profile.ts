/**
 * `npm run bench:profile -- [0-4]`: one bench scenario (0 HPA Pods query, 1 named object, 2 external, 3 write, 4 HPA
 * Pods query over 100 selectors in turn, none cached) against the adapter, then against the ceiling serving the
 * adapter's answer bytes, both started with --cpu-prof. Prints each side's CPU time per request (from /proc) and the
 * per-request budget by module, side by side: where the adapter spends what the ceiling does not. For explaining a
 * ratio, not for figures (the profiler slows both sides). PROFILE_ARGS adds adapter flags (`--backend redis ...`),
 * PROFILE_SECONDS sets the load's length, PROFILE_TOP the rows shown.
 * @module
 */
import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, type Scenario } from './ab.js';
import { scenarioOf, seedAndAsk } from './single-scenarios.js';
import { startAdapter, startCeiling, type Child } from './processes.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

/** User plus system CPU seconds of a process so far, from /proc (Linux); undefined elsewhere. */
async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /, '').split(' ');
    // NB: utime and stime are fields 14 and 15 of stat(5), 12 and 13 after the command name is cut off; in clock ticks,
    // which Linux reports at 100 per second to user space.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Where a sampled function lives: a module of ours, a package, a Node internal, or a V8 pseudo-frame. */
function moduleOf(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') return frame.functionName;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (pkg) return pkg[1]!;
  const ours = /\/dist\/(.+)\.js$/.exec(frame.url) ?? /\/bench\/(.+)\.ts$/.exec(frame.url);
  return ours ? ours[1]! : frame.url;
}

/** The monotonic clock in microseconds, which V8 profiles use too (so a window can be cut out of them). */
const nowMicros = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * Microseconds of samples per module taken while the load ran, divided by the requests answered. NB: the window
 * leaves out start-up, seeding and shutdown.
 */
async function budget(
  dir: string,
  requests: number,
  window: { readonly from: number; readonly to: number },
): Promise<Map<string, number>> {
  // NB: the main thread's profile is the one with the most samples (tsx's loader thread writes one too).
  const profiles = await Promise.all(
    (await readdir(dir))
      .filter((f) => f.endsWith('.cpuprofile'))
      .map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as Profile),
  );
  const profile = profiles.sort((a, b) => b.samples.length - a.samples.length)[0]!;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const micros = new Map<string, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i]!;
    if (at < window.from || at > window.to) return;
    const key = moduleOf(byId.get(id)!.callFrame);
    // NB: a sample stands for the time since the one before it, as DevTools counts it.
    micros.set(key, (micros.get(key) ?? 0) + profile.timeDeltas[i]! / requests);
  });
  return micros;
}

/** Runs the scenario against `child` and stops it: requests per second and CPU microseconds per request. */
async function measure(child: Child, scenario: Scenario, ca: string, seconds: number) {
  const before = await cpuSeconds(child.process.pid);
  const from = nowMicros();
  const result = await load(child.url, scenario, ca, { durationSeconds: seconds, rounds: 1, connections: 16 });
  const window = { from, to: nowMicros() };
  const after = await cpuSeconds(child.process.pid);
  await child.stop();
  const requests = result.rps * seconds;
  const cpu = before === undefined || after === undefined ? undefined : ((after - before) * 1e6) / requests;
  return { rps: result.rps, requests, cpu, window };
}

async function main(): Promise<void> {
  const scenario = scenarioOf(process.argv[2]);
  const seconds = Number(process.env.PROFILE_SECONDS ?? 8);
  const work = await mkdtemp(join(tmpdir(), 'metrics-adapter-profile-'));
  const certDir = join(work, 'certs');
  const adapterProfiles = join(work, 'adapter');
  const ceilingProfiles = join(work, 'ceiling');
  await Promise.all([mkdir(adapterProfiles), mkdir(ceilingProfiles)]);
  const adapter = await startAdapter(certDir, (process.env.PROFILE_ARGS ?? '').split(' ').filter(Boolean), [
    '--cpu-prof',
    `--cpu-prof-dir=${adapterProfiles}`,
  ]);
  const { ca, served } = await seedAndAsk(adapter, certDir, scenario);
  const ours = await measure(adapter, scenario, ca, seconds);
  const ceiling = await startCeiling(join(work, 'answer.json'), served, [
    '--cpu-prof',
    `--cpu-prof-dir=${ceilingProfiles}`,
  ]);
  const bare = await measure(ceiling, scenario, ca, seconds);
  const a = await budget(adapterProfiles, ours.requests, ours.window);
  const b = await budget(ceilingProfiles, bare.requests, bare.window);
  const cpu = (m: { cpu: number | undefined }) => (m.cpu === undefined ? 'n/a' : m.cpu.toFixed(1));
  const busy = (m: Map<string, number>) => [...m].reduce((sum, [k, v]) => (k === '(idle)' ? sum : sum + v), 0);
  const out = [
    `${scenario.name}: adapter ${Math.round(ours.rps)} req/s, ceiling ${Math.round(bare.rps)} req/s (both profiled)`,
    `CPU per request (/proc): adapter ${cpu(ours)} µs, ceiling ${cpu(bare)} µs`,
    `sampled on the main thread per request: adapter ${busy(a).toFixed(1)} µs, ceiling ${busy(b).toFixed(1)} µs`,
    '',
    '| module | adapter µs/req | ceiling µs/req |',
    '|---|---|---|',
  ];
  const rows = [...new Set([...a.keys(), ...b.keys()])]
    .filter((k) => k !== '(idle)')
    .map((k) => [k, a.get(k) ?? 0, b.get(k) ?? 0] as const)
    .sort((x, y) => Math.max(y[1], y[2]) - Math.max(x[1], x[2]))
    .slice(0, Number(process.env.PROFILE_TOP ?? 30));
  for (const [k, x, y] of rows) out.push(`| ${k} | ${x.toFixed(2)} | ${y.toFixed(2)} |`);
  out.push('', `profiles: ${work}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
