/**
 * The config file's multi-back-end form: named `backends` (each with its `kind` and that kind's own
 * settings), ordered `routes` from metrics to back ends, and `freshness` rules. Checked whole before
 * anything is built, so a broken file (at start or on reload) changes nothing.
 * @module
 */
import { z } from 'zod';
import { dns1123LabelProblem } from '../api/names.js';
import { durationString, parseDuration } from '../duration/index.js';
import { ingestConfigSchema, type IngestConfig } from '../ingest/ingest-config.js';
import type { BackendFactory } from '../providers/backend.js';
import { compileMetricMatcher, metricMatcherShape, type MetricMatcher } from './metric-matcher.js';

/** Checks `value`, found at `path` of the file, with `schema`; throws one line naming the file, line and key. */
export type ValidateAt = <T>(schema: z.ZodType<T>, value: unknown, path: readonly PropertyKey[]) => T;

const backendName = z.string().refine((name) => dns1123LabelProblem(name) === undefined, {
  message: 'a back-end name must be a lowercase RFC 1123 label, such as prom-a',
});

/**
 * `ingest:` of a routing config: the push ingestion rules and limits of the single-back-end form, and `backend`, where
 * writes and pushed values of metrics no route names are stored.
 */
export const routingIngestSchema = ingestConfigSchema.extend({ backend: z.string().optional() });

/**
 * Kinds whose back ends take writes. NB: a factory does not declare it (a back end shows its writer once created),
 * and `config check` creates none, so the list is kept here.
 */
const kindsTakingWrites = new Set(['memory', 'redis']);

const schema = z
  .object({
    backends: z
      .record(backendName, z.object({ kind: z.string() }).catchall(z.unknown()))
      .refine((backends) => Object.keys(backends).length > 0, { message: 'name at least one back end' }),
    routes: z.array(z.object({ backend: z.string(), ...metricMatcherShape }).strict()).default([]),
    freshness: z
      .array(
        z
          .object({
            ...metricMatcherShape,
            maxAge: durationString,
            onMissing: z.enum(['error', 'zero', 'last']).default('error'),
          })
          .strict(),
      )
      .default([]),
    ingest: routingIngestSchema.optional(),
  })
  .strict();

export interface BackendSpec {
  readonly name: string;
  readonly factory: BackendFactory<unknown>;
  readonly config: unknown;
  /** Same key, same back end: a reload keeps the running instance (and the values a memory store holds). */
  readonly identity: string;
}

export interface RouteSpec {
  readonly backend: string;
  readonly matches: MetricMatcher;
}

export type OnMissing = 'error' | 'zero' | 'last';

export interface FreshnessRule {
  readonly matches: MetricMatcher;
  readonly maxAgeMs: number;
  readonly onMissing: OnMissing;
}

export interface RoutingSpec {
  readonly backends: readonly BackendSpec[];
  readonly routes: readonly RouteSpec[];
  readonly freshness: readonly FreshnessRule[];
  /** Where writes and pushes of metrics no route names go; undefined: the first back end that takes writes. */
  readonly ingestBackend?: string;
  /** The `ingest:` rules and limits (read at start: push ingestion is set up once). */
  readonly ingest?: IngestConfig;
}

/** Whether a config file's top level is the multi-back-end form. */
export function isRoutingConfig(data: unknown): boolean {
  return typeof data === 'object' && data !== null && Object.hasOwn(data, 'backends');
}

export function parseRoutingConfig(
  data: unknown,
  validate: ValidateAt,
  factories: readonly BackendFactory<unknown>[],
): RoutingSpec {
  const parsed = validate(schema, data, []);
  const kinds = new Map(factories.map((f) => [f.name, f]));
  const backends: BackendSpec[] = [];
  for (const [name, { kind, ...section }] of Object.entries(parsed.backends)) {
    const factory = kinds.get(kind);
    if (factory === undefined) {
      validate(z.never({ error: `unknown kind "${kind}" (choose from ${[...kinds.keys()].join(', ')})` }), undefined, [
        'backends',
        name,
        'kind',
      ]);
      continue;
    }
    const config = validate(factory.configSchema, section, ['backends', name]);
    backends.push({ name, factory, config, identity: `${kind}\u0000${JSON.stringify(config)}` });
  }
  const routes = parsed.routes.map((route, index) => {
    if (!Object.hasOwn(parsed.backends, route.backend)) {
      validate(
        z.never({
          error: `no back end named "${route.backend}" (the back ends are ${Object.keys(parsed.backends).join(', ')})`,
        }),
        undefined,
        ['routes', index, 'backend'],
      );
    }
    return { backend: route.backend, matches: compileMetricMatcher(route) };
  });
  const freshness = parsed.freshness.map((rule) => ({
    matches: compileMetricMatcher(rule),
    maxAgeMs: parseDuration(rule.maxAge),
    onMissing: rule.onMissing,
  }));
  const { backend: ingestBackend, ...ingest } = parsed.ingest ?? {};
  if (ingestBackend !== undefined) {
    const kind = parsed.backends[ingestBackend]?.kind;
    const problem =
      kind === undefined
        ? `no back end named "${ingestBackend}" (the back ends are ${Object.keys(parsed.backends).join(', ')})`
        : kindsTakingWrites.has(kind)
          ? undefined
          : `back end ${ingestBackend} (${kind}) does not take writes; pushed values need one of kind ${[...kindsTakingWrites].join(' or ')}`;
    if (problem !== undefined) validate(z.never({ error: problem }), undefined, ['ingest', 'backend']);
  }
  return {
    backends,
    routes,
    freshness,
    ...(ingestBackend !== undefined ? { ingestBackend } : {}),
    ...(parsed.ingest !== undefined ? { ingest } : {}),
  };
}
