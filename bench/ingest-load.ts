/**
 * The push load generator, in its own process: POSTs remote-write, OTLP protobuf, batched JSON or single writes
 * over keep-alive TLS for a fixed time and prints `{ requests, samples, errors, seconds }` as JSON. Bodies are built
 * per request (fresh timestamps, so every sample is new to the adapter, as a real sender's are) from per-series
 * pieces made once; the same bodies go to the adapter and to the ceiling, so building them costs both sides alike.
 * @module
 */
import { Agent, request } from 'node:https';
import snappy from 'snappyjs';

export type IngestKind = 'remote-write' | 'otlp' | 'batch' | 'single';

export interface IngestLoadOptions {
  readonly url: string;
  readonly ca: string;
  readonly kind: IngestKind;
  readonly connections: number;
  readonly durationSeconds: number;
  /** Samples per request (1 for `single`). */
  readonly batch: number;
  /** Distinct series, a multiple of `batch`. */
  readonly series: number;
  /**
   * Requests per second over all connections, with samples stamped at the time they are sent (a sender pushing on a
   * schedule); as fast as possible when undefined, with a second between rounds over the series.
   */
  readonly rate?: number;
  /**
   * The first sample timestamp, epoch ms (now when undefined). Runs against one adapter pass on the previous run's
   * `nextStartMs`: a sample older than one already taken for its series is dropped, and dropping is cheaper than
   * taking, so overlapping runs would measure the adapter at less than its real work.
   */
  readonly startMs?: number;
}

export interface IngestLoadResult {
  readonly requests: number;
  readonly samples: number;
  readonly errors: number;
  readonly seconds: number;
  /** A start for the next run whose timestamps are all later than this run's. */
  readonly nextStartMs: number;
}

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
}

const field = (number: number, payload: Uint8Array): Buffer =>
  Buffer.concat([Buffer.from([(number << 3) | 2, ...varint(payload.length)]), payload]);
const text = (number: number, value: string): Buffer => field(number, Buffer.from(value));

const sampleHead = Buffer.from([0x09]);

function double(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(value);
  return bytes;
}

/** The sample timestamp of request `index`: a second later each round over the series, or now at a fixed rate. */
function sampleClock(options: IngestLoadOptions): (index: number) => number {
  const groups = options.series / options.batch;
  const start = options.startMs ?? Date.now();
  return (index) => (options.rate === undefined ? start + Math.floor(index / groups) * 1000 : Date.now());
}

/** Builds the body of request `index` (which series, which timestamp). */
function bodyMaker(
  options: IngestLoadOptions,
  timeOf: (index: number) => number,
): {
  path: string;
  contentType: string;
  encoding?: string;
  make(index: number): Buffer;
} {
  const groups = options.series / options.batch;
  const podOf = (group: number, i: number) => `pod-${group * options.batch + i}`;
  switch (options.kind) {
    case 'remote-write': {
      const labels = Array.from({ length: options.series }, (_, i) =>
        Buffer.concat([
          field(1, Buffer.concat([text(1, '__name__'), text(2, 'bench_requests_total')])),
          field(1, Buffer.concat([text(1, 'namespace'), text(2, 'bench-push')])),
          field(1, Buffer.concat([text(1, 'pod'), text(2, `pod-${i}`)])),
        ]),
      );
      return {
        path: '/api/v1/write',
        contentType: 'application/x-protobuf',
        encoding: 'snappy',
        make(index) {
          const group = index % groups;
          const timestamp = Buffer.from([0x10, ...varint(timeOf(index))]);
          const parts: Buffer[] = [];
          for (let i = 0; i < options.batch; i++) {
            const sample = field(2, Buffer.concat([sampleHead, double(index + i), timestamp]));
            const series = Buffer.concat([labels[group * options.batch + i]!, sample]);
            parts.push(field(1, series));
          }
          return Buffer.from(snappy.compress(Buffer.concat(parts)));
        },
      };
    }
    case 'otlp': {
      const attributes = Array.from({ length: options.series }, (_, i) =>
        field(7, Buffer.concat([text(1, 'k8s.pod.name'), field(2, text(1, `pod-${i}`))])),
      );
      const resource = field(
        1,
        field(1, Buffer.concat([text(1, 'k8s.namespace.name'), field(2, text(1, 'bench-push'))])),
      );
      return {
        path: '/v1/metrics',
        contentType: 'application/x-protobuf',
        make(index) {
          const group = index % groups;
          const nanos = BigInt(timeOf(index)) * 1_000_000n;
          const time = Buffer.alloc(8);
          time.writeBigUInt64LE(nanos);
          const points: Buffer[] = [];
          for (let i = 0; i < options.batch; i++) {
            points.push(
              field(
                1,
                Buffer.concat([
                  attributes[group * options.batch + i]!,
                  Buffer.from([0x19]),
                  time,
                  Buffer.from([0x21]),
                  double(index + i),
                ]),
              ),
            );
          }
          const sum = field(7, Buffer.concat([...points, Buffer.from([0x10, 2, 0x18, 1])]));
          const metric = field(2, Buffer.concat([text(1, 'bench_orders'), sum]));
          return field(1, Buffer.concat([resource, field(2, metric)]));
        },
      };
    }
    case 'batch':
      return {
        path: '/write-metrics',
        contentType: 'application/json',
        make(index) {
          const group = index % groups;
          const items = Array.from(
            { length: options.batch },
            (_, i) =>
              `{"namespace":"bench-push","resource":"pods","name":"${podOf(group, i)}","metric":"bench_batch","value":"${index % 1000}m"}`,
          );
          return Buffer.from(`{"items":[${items.join(',')}]}`);
        },
      };
    case 'single':
      return {
        path: '',
        contentType: 'application/json',
        make(index) {
          return Buffer.from(`"${index % 1000}m"`);
        },
      };
  }
}

async function run(options: IngestLoadOptions): Promise<IngestLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, ca: options.ca });
  const timeOf = sampleClock(options);
  const maker = bodyMaker(options, timeOf);
  const base = new URL(options.url);
  let next = 0;
  let requests = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.durationSeconds * 1000;
  const send = (index: number): Promise<void> =>
    new Promise((resolve) => {
      const body = maker.make(index);
      const path =
        options.kind === 'single'
          ? `/write-metrics/namespaces/bench-push/pods/pod-${index % options.series}/bench_single`
          : maker.path;
      const headers: Record<string, string | number> = {
        'content-type': maker.contentType,
        'content-length': body.length,
      };
      if (maker.encoding !== undefined) headers['content-encoding'] = maker.encoding;
      const req = request(
        { host: base.hostname, port: base.port, path, method: 'POST', agent, headers, servername: 'localhost' },
        (res) => {
          res.resume();
          res.once('end', () => {
            requests++;
            if (res.statusCode === undefined || res.statusCode >= 300) errors++;
            resolve();
          });
        },
      );
      req.once('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const rate = options.rate;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < deadline) {
        const index = next++;
        if (rate !== undefined) {
          const due = started + (index / rate) * 1000;
          if (due >= deadline) break;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        }
        await send(index);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const nextStartMs = Math.max(Date.now(), timeOf(next) + 1000);
  return { requests, samples: requests * options.batch, errors, seconds, nextStartMs };
}

if (process.argv[2] !== undefined) {
  const result = await run(JSON.parse(process.argv[2]) as IngestLoadOptions);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
