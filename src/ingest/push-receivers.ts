/**
 * The push endpoints' logic, between the HTTP glue (server/push-api.ts) and the pipeline: remote-write, OTLP/HTTP
 * and batched JSON writes. Each checks its whole body before anything is taken, answers a caller's mistake with a
 * 400 (senders do not retry those), and turns a store failure into a 503, which senders retry.
 * @module
 */
import { gunzipSync } from 'node:zlib';
import { badRequest, serviceUnavailable, StatusError, unsupportedMediaType } from '../api/errors.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import type { MetricsWriter } from '../providers/write.js';
import { defaultMaxBodyBytes, defaultMaxDecodedBytes, type IngestConfig } from './ingest-config.js';
import { createIngestPipeline, type IngestPipeline, type IngestTransaction } from './ingest-pipeline.js';
import { ProtobufError } from './protobuf-reader.js';
import { ingestWriteRequest } from './remote-write.js';
import { encodeStatusSuccess } from '../api/encode-status.js';
import { writeBatch } from '../providers/write.js';
import { parseWriteBatch } from './batch-writes.js';
import { decodeOtlpJson } from './otlp-json.js';
import { ingestOtlpPoints, type OtlpPoints } from './otlp-points.js';
import { decodeOtlpProtobuf, encodeOtlpResponse } from './otlp-protobuf.js';
import { PushedSampleCounts } from './sample-outcomes.js';
import { sharedWindowsOf } from './shared-windows.js';
import { decodeSnappyBlock, SnappyError } from './snappy-block.js';

/** What to send back: a status, and a body in the sender's own format when it expects one. */
export interface PushAnswer {
  readonly code: number;
  readonly contentType?: string;
  readonly body?: Buffer | string;
}

export interface PushRequest {
  readonly body: Buffer;
  readonly contentType: string;
  readonly contentEncoding: string;
}

export interface PushReceivers {
  /** The largest body any endpoint reads, as sent; the HTTP glue answers 413 past it. */
  readonly maxBodyBytes: number;
  remoteWrite(request: PushRequest): Promise<PushAnswer>;
  otlpMetrics(request: PushRequest): Promise<PushAnswer>;
  /** Batched JSON writes of the write API, stored as they are (no ingest rules). */
  batchWrite(request: PushRequest): Promise<PushAnswer>;
  readonly pipeline: IngestPipeline;
  /** `metrics_adapter_pushed_samples_total`, in the Prometheus text format. */
  renderMetrics(): string;
  close(): void;
}

export interface PushReceiversOptions {
  readonly writer: MetricsWriter;
  readonly mapper: ResourceMapper;
  readonly config?: IngestConfig;
  readonly now?: () => number;
  readonly onError?: (error: unknown) => void;
}

export function createPushReceivers(options: PushReceiversOptions): PushReceivers {
  const config = options.config ?? {};
  const maxDecodedBytes = config.maxDecodedBytes ?? defaultMaxDecodedBytes;
  const sharedWindows = sharedWindowsOf(options.writer);
  const pipeline = createIngestPipeline({
    writer: options.writer,
    mapper: options.mapper,
    ...(config.rules !== undefined ? { rules: config.rules } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
    ...(options.onError !== undefined ? { onError: options.onError } : {}),
    ...(sharedWindows !== undefined ? { sharedWindows } : {}),
  });

  const counts = new PushedSampleCounts(['remote-write', 'otlp']);

  return {
    maxBodyBytes: config.maxBodyBytes ?? defaultMaxBodyBytes,
    pipeline,
    renderMetrics: () => counts.render(),
    async remoteWrite(request) {
      // NB: remote-write 1.0 is always snappy-compressed protobuf (the spec's "MUST"); Prometheus refuses other bodies
      // with 400 too.
      if (request.contentType !== '' && request.contentType !== 'application/x-protobuf') {
        throw unsupportedMediaType(['application/x-protobuf']);
      }
      if (request.contentEncoding !== '' && request.contentEncoding !== 'snappy') {
        throw badRequest(
          `unsupported Content-Encoding ${JSON.stringify(request.contentEncoding)}: remote-write bodies are snappy-compressed`,
        );
      }
      const tx = pipeline.begin();
      const outcomes = decoding(() => ingestWriteRequest(decodeSnappyBlock(request.body, maxDecodedBytes), tx));
      await committing(tx);
      counts.add('remote-write', outcomes);
      return { code: 204 };
    },
    async otlpMetrics(request) {
      const json = request.contentType === 'application/json';
      if (!json && request.contentType !== 'application/x-protobuf')
        throw unsupportedMediaType(['application/x-protobuf', 'application/json']);
      let body = request.body;
      if (request.contentEncoding === 'gzip') body = gunzipBounded(body, maxDecodedBytes);
      else if (request.contentEncoding !== '' && request.contentEncoding !== 'identity') {
        throw badRequest(
          `unsupported Content-Encoding ${JSON.stringify(request.contentEncoding)}: OTLP/HTTP bodies are sent as they are or gzip-compressed`,
        );
      }
      const decoded: OtlpPoints = decoding(() =>
        json ? decodeOtlpJson(body.toString('utf8')) : decodeOtlpProtobuf(body, pipeline.find),
      );
      const tx = pipeline.begin();
      // NB: points no rule takes were received as the sender meant them; only those that cannot be served are rejected.
      const outcomes = ingestOtlpPoints(decoded.points, tx);
      await committing(tx);
      outcomes.rejected += decoded.rejected;
      counts.add('otlp', outcomes);
      const rejected = decoded.rejected;
      const message = [...decoded.reasons].join('; ');
      if (json) {
        const partial =
          rejected > 0 || message !== ''
            ? { partialSuccess: { rejectedDataPoints: String(rejected), errorMessage: message } }
            : {};
        return { code: 200, contentType: 'application/json', body: JSON.stringify(partial) };
      }
      return { code: 200, contentType: 'application/x-protobuf', body: encodeOtlpResponse(rejected, message) };
    },
    async batchWrite(request) {
      if (request.contentType !== 'application/json') throw unsupportedMediaType(['application/json']);
      const batch = parseWriteBatch(request.body.toString('utf8'), options.mapper, (options.now ?? Date.now)());
      try {
        await writeBatch(options.writer, batch);
      } catch (error) {
        if (error instanceof StatusError && error.code < 500) throw error;
        throw serviceUnavailable('the metrics store cannot take the batch now; retry', error);
      }
      const stored = batch.custom.length + batch.external.length;
      return { code: 200, contentType: 'application/json', body: encodeStatusSuccess(200, `stored ${stored} values`) };
    },
    close() {
      pipeline.close();
    },
  };
}

/** Runs a decoder, turning its format errors into a 400. */
export function decoding<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof SnappyError || error instanceof ProtobufError)
      throw badRequest(error.message, { cause: error });
    if (error instanceof StatusError) throw error;
    if (error instanceof SyntaxError || error instanceof TypeError || error instanceof RangeError)
      throw badRequest(`malformed body: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Stores a request's values; a store that fails is a 503 for the sender to retry. */
export async function committing(tx: IngestTransaction): Promise<void> {
  try {
    await tx.commit();
  } catch (error) {
    if (error instanceof StatusError && error.code < 500) throw error;
    throw serviceUnavailable('the metrics store cannot take the pushed values now; retry', error);
  }
}

/** Decompresses a gzip body within `maxBytes`. */
export function gunzipBounded(body: Buffer, maxBytes: number): Buffer {
  try {
    return gunzipSync(body, { maxOutputLength: maxBytes });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE')
      throw badRequest(`the gzip body decompresses to more than the limit of ${maxBytes} bytes`, { cause: error });
    throw badRequest(`invalid gzip body: ${(error as Error).message}`, { cause: error });
  }
}
