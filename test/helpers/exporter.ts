/**
 * A tiny Prometheus exporter for end-to-end tests: serves fixed gauges and counters that grow at a fixed rate per
 * second, in the text exposition format, on a free loopback port.
 * @module
 */
import { createServer, type Server } from 'node:http';

export interface ExportedSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** A gauge's value, or a counter's increase per second. */
  readonly value: number;
  readonly type: 'gauge' | 'counter';
}

export interface Exporter {
  /** `127.0.0.1:port`, for a scrape config. */
  readonly target: string;
  close(): Promise<void>;
}

export interface ExporterOptions {
  /**
   * Write each sample's time in the exposition (Prometheus keeps it), computed from the same clock reading as the
   * value: a counter's `rate`/`irate` is then its exact per-second increase, whatever the scrape's jitter.
   */
  readonly timestamps?: boolean;
}

export async function startExporter(
  series: readonly ExportedSeries[],
  options: ExporterOptions = {},
): Promise<Exporter> {
  const started = Date.now();
  const server: Server = createServer((_req, res) => {
    const now = Date.now();
    const seconds = (now - started) / 1000;
    const stamp = options.timestamps === true ? ` ${now}` : '';
    const lines: string[] = [];
    for (const name of new Set(series.map((s) => s.name))) {
      const family = series.filter((s) => s.name === name);
      lines.push(`# TYPE ${name} ${family[0]!.type}`);
      for (const s of family) {
        const labels = Object.entries(s.labels)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',');
        lines.push(`${name}{${labels}} ${s.type === 'counter' ? s.value * seconds : s.value}${stamp}`);
      }
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { target: `127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
