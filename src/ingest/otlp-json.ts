/**
 * OTLP/HTTP JSON bodies (the protobuf JSON mapping with OTLP's exceptions: lowerCamelCase keys, 64-bit integers as
 * decimal strings or numbers, enums as integers, trace ids as hex). Checked with zod where the shape matters;
 * unknown keys are ignored, as the OTLP specification asks of receivers.
 * @module
 */
import { z } from 'zod';
import { badRequest } from '../api/errors.js';
import {
  describe,
  flagNoRecordedValue,
  prometheusName,
  seriesKey,
  temporalityDelta,
  type OtlpPoints,
} from './otlp-points.js';

const int64 = z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform(Number);
// NB: the proto3 JSON mapping writes the doubles JSON has no number for as "NaN", "Infinity" and "-Infinity"; such a
// point is refused on its own (partial_success), not the whole request.
const numberLike = z.union([
  z.number(),
  z
    .string()
    .regex(/^(-?\d+(\.\d+)?([eE][-+]?\d+)?|NaN|-?Infinity)$/)
    .transform(Number),
]);

const anyValue: z.ZodType<unknown> = z
  .object({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: int64.optional(),
    doubleValue: numberLike.optional(),
  })
  .loose();
const keyValue = z.object({ key: z.string(), value: anyValue.optional() }).loose();
const attributes = z.array(keyValue).optional();
const timestamp = int64.optional();

const numberPoint = z
  .object({
    attributes,
    timeUnixNano: timestamp,
    asDouble: numberLike.optional(),
    asInt: int64.optional(),
    flags: z.number().int().optional(),
  })
  .loose();
const histogramPoint = z
  .object({
    attributes,
    timeUnixNano: timestamp,
    count: int64.optional(),
    sum: numberLike.optional(),
    bucketCounts: z.array(int64).optional(),
    explicitBounds: z.array(numberLike).optional(),
    flags: z.number().int().optional(),
  })
  .loose();
const temporality = z
  .union([
    z.number().int(),
    z.enum([
      'AGGREGATION_TEMPORALITY_UNSPECIFIED',
      'AGGREGATION_TEMPORALITY_DELTA',
      'AGGREGATION_TEMPORALITY_CUMULATIVE',
    ]),
  ])
  .optional();

const metric = z
  .object({
    name: z.string(),
    gauge: z
      .object({ dataPoints: z.array(numberPoint).optional() })
      .loose()
      .optional(),
    sum: z
      .object({
        dataPoints: z.array(numberPoint).optional(),
        aggregationTemporality: temporality,
        isMonotonic: z.boolean().optional(),
      })
      .loose()
      .optional(),
    histogram: z
      .object({ dataPoints: z.array(histogramPoint).optional(), aggregationTemporality: temporality })
      .loose()
      .optional(),
    exponentialHistogram: z
      .object({ dataPoints: z.array(z.unknown()).optional() })
      .loose()
      .optional(),
    summary: z
      .object({ dataPoints: z.array(z.unknown()).optional() })
      .loose()
      .optional(),
  })
  .loose();

const requestSchema = z
  .object({
    resourceMetrics: z
      .array(
        z
          .object({
            resource: z.object({ attributes }).loose().optional(),
            scopeMetrics: z.array(z.object({ metrics: z.array(metric).optional() }).loose()).optional(),
          })
          .loose(),
      )
      .optional(),
  })
  .loose();

type Attributes = Record<string, string>;

/** Decodes a whole JSON request; throws a 400 StatusError naming the first problem. */
export function decodeOtlpJson(text: string): OtlpPoints {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw badRequest(`invalid JSON body: ${(error as Error).message}`, { cause: error });
  }
  const parsed = requestSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badRequest(`invalid OTLP metrics request at ${issue.path.join('.') || 'the top'}: ${issue.message}`);
  }
  const result: OtlpPoints = { points: [], rejected: 0, reasons: new Set() };
  // Stryker disable next-line ArrayDeclaration: equivalent, a string element has none of the fields read,
  // so it adds nothing.
  for (const resourceMetrics of parsed.data.resourceMetrics ?? []) {
    const resource = toAttributes(resourceMetrics.resource?.attributes, {});
    // Stryker disable next-line ArrayDeclaration: equivalent, a string element has none of the fields read,
    // so it adds nothing.
    for (const scope of resourceMetrics.scopeMetrics ?? []) {
      // Stryker disable next-line ArrayDeclaration: equivalent, a string element has none of the fields read,
      // so it adds nothing.
      for (const m of scope.metrics ?? []) addMetric(m, resource, result);
    }
  }
  return result;
}

function addMetric(m: z.infer<typeof metric>, resource: Attributes, result: OtlpPoints): void {
  const unsupported = m.exponentialHistogram ?? m.summary;
  if (unsupported !== undefined) {
    result.rejected += unsupported.dataPoints?.length ?? 0;
    result.reasons.add(`${m.exponentialHistogram ? 'exponential histograms' : 'summaries'} are not served (${m.name})`);
    return;
  }
  if (m.histogram !== undefined) {
    const delta = isDelta(m.histogram.aggregationTemporality);
    const name = prometheusName(m.name, false);
    for (const point of m.histogram.dataPoints ?? []) {
      const counts = point.bucketCounts ?? [];
      const bounds = point.explicitBounds ?? [];
      const count = point.count ?? 0;
      if (counts.length !== 0 && counts.length !== bounds.length + 1) {
        result.rejected++;
        result.reasons.add(
          `a histogram point of ${name} has ${counts.length} bucket counts for ${bounds.length} bounds`,
        );
        continue;
      }
      const series = describe(name, 'histogram', delta, toAttributes(point.attributes, resource));
      const timeMs = (point.timeUnixNano ?? 0) / 1e6;
      if (((point.flags ?? 0) & flagNoRecordedValue) !== 0)
        result.points.push({ key: seriesKey(series), series, timeMs, value: undefined });
      else if (!Number.isFinite(point.sum ?? (count > 0 ? Number.NaN : 0))) {
        // NB: observations without a finite sum have no mean to serve; the protobuf decoder refuses them the same way.
        result.rejected++;
        result.reasons.add(`a point of ${name} has no finite value`);
      } else
        result.points.push({
          key: seriesKey(series),
          series,
          timeMs,
          // NB: no observations and no sum: the sum of nothing is 0.
          value: { count, sum: point.sum ?? 0, bounds, counts: counts.length === 0 ? [count] : counts },
        });
    }
    return;
  }
  const numbers = m.sum ?? m.gauge;
  if (numbers === undefined) return;
  const counter = m.sum !== undefined && m.sum.isMonotonic === true;
  const delta = counter && isDelta(m.sum!.aggregationTemporality);
  const name = prometheusName(m.name, counter);
  for (const point of numbers.dataPoints ?? []) {
    const series = describe(name, counter ? 'counter' : 'gauge', delta, toAttributes(point.attributes, resource));
    const timeMs = (point.timeUnixNano ?? 0) / 1e6;
    if (((point.flags ?? 0) & flagNoRecordedValue) !== 0) {
      result.points.push({ key: seriesKey(series), series, timeMs, value: undefined });
      continue;
    }
    const value = point.asDouble ?? point.asInt ?? Number.NaN;
    if (!Number.isFinite(value)) {
      result.rejected++;
      result.reasons.add(`a point of ${name} has no finite value`);
      continue;
    }
    result.points.push({ key: seriesKey(series), series, timeMs, value });
  }
}

function isDelta(value: number | string | undefined): boolean {
  return value === temporalityDelta || value === 'AGGREGATION_TEMPORALITY_DELTA';
}

function toAttributes(list: readonly z.infer<typeof keyValue>[] | undefined, base: Attributes): Attributes {
  const out: Attributes = { ...base };
  // Stryker disable next-line ArrayDeclaration: equivalent, a string element has none of the fields read,
  // so it adds nothing.
  for (const { key, value } of list ?? []) {
    const v = value as
      | { stringValue?: string; boolValue?: boolean; intValue?: number; doubleValue?: number }
      | undefined;
    const text =
      v?.stringValue ??
      (v?.boolValue !== undefined
        ? String(v.boolValue)
        : v?.intValue !== undefined
          ? String(v.intValue)
          : v?.doubleValue !== undefined
            ? String(v.doubleValue)
            : undefined);
    if (key !== '' && text !== undefined && text !== '') out[key] = text;
  }
  return out;
}
