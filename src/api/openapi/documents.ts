/**
 * The OpenAPI documents of the served groups (custom, external and resource metrics), built once: Swagger 2.0
 * for `/openapi/v2` and, per group version, OpenAPI 3.0 for `/openapi/v3/apis/{group}/{version}` with the discovery
 * document at
 * `/openapi/v3` (the shapes kube-openapi serves and kube-aggregator merges, spec §3.4).
 * @module
 */
import { createHash } from 'node:crypto';
import { definitionsFor, definitionsPrefix, type Schema } from './schemas.js';
import { operationsFor, type Operation } from './operations.js';

/** A served group with its versions. */
export interface OpenApiGroup {
  readonly name: string;
  readonly versions: readonly string[];
}

/** A serialized document and its entity tag. */
export interface OpenApiBody {
  readonly body: Buffer;
  /** A quoted strong ETag, the body's hash. */
  readonly etag: string;
  /** The hash alone, for the `?hash=` of the v3 discovery document. */
  readonly hash: string;
}

export interface OpenApiDocuments {
  readonly v2: OpenApiBody;
  readonly v3Discovery: OpenApiBody;
  /** By `apis/{group}/{version}`. */
  readonly v3: ReadonlyMap<string, OpenApiBody>;
}

const info = { title: 'metrics-adapter', version: 'v0.1.0' };
const unauthorized = 'Unauthorized';

function serialize(document: unknown): OpenApiBody {
  const body = Buffer.from(`${JSON.stringify(document)}\n`);
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
  return { body, hash, etag: `"${hash}"` };
}

function v2Operation(operation: Operation): Record<string, unknown> {
  return {
    description: operation.description,
    operationId: operation.operationId,
    consumes: ['*/*'],
    produces: ['application/json'],
    schemes: ['https'],
    tags: [operation.kind.group === '' ? 'discovery' : `${operation.kind.group}_${operation.kind.version}`],
    parameters: operation.parameters.map((p) => ({
      name: p.name,
      in: p.in,
      description: p.description,
      type: 'string',
      uniqueItems: true,
      ...(p.in === 'path' ? { required: true } : {}),
    })),
    responses: {
      '200': { description: 'OK', schema: { $ref: definitionsPrefix + operation.response } },
      '401': { description: unauthorized },
    },
    'x-kubernetes-action': operation.action ?? 'get',
    'x-kubernetes-group-version-kind': operation.kind,
  };
}

function v3Operation(operation: Operation): Record<string, unknown> {
  return {
    description: operation.description,
    operationId: operation.operationId,
    tags: [operation.kind.group === '' ? 'discovery' : `${operation.kind.group}_${operation.kind.version}`],
    parameters: operation.parameters.map((p) => ({
      name: p.name,
      in: p.in,
      description: p.description,
      schema: { type: 'string', uniqueItems: true },
      ...(p.in === 'path' ? { required: true } : {}),
    })),
    responses: {
      '200': {
        description: 'OK',
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${operation.response}` } } },
      },
      '401': { description: unauthorized },
    },
    'x-kubernetes-action': operation.action ?? 'get',
    'x-kubernetes-group-version-kind': operation.kind,
  };
}

/** NB: Swagger 2.0 and OpenAPI 3.0 differ only in where references point for these schemas. */
function v3Schemas(definitions: Record<string, Schema>): Record<string, Schema> {
  return JSON.parse(
    JSON.stringify(definitions).replaceAll(`"${definitionsPrefix}`, '"#/components/schemas/'),
  ) as Record<string, Schema>;
}

/** Builds every document for `groups` (each group version's paths and the types they answer with). */
export function createOpenApiDocuments(groups: readonly OpenApiGroup[]): OpenApiDocuments {
  const v2Paths: Record<string, unknown> = {};
  let v2Definitions: Record<string, Schema> = {};
  const v3 = new Map<string, OpenApiBody>();
  for (const group of groups) {
    for (const version of group.versions) {
      const operations = operationsFor(group.name, version);
      const definitions = definitionsFor(group.name, version);
      v2Definitions = { ...v2Definitions, ...definitions };
      const v3Paths: Record<string, unknown> = {};
      for (const operation of operations) {
        v2Paths[operation.path] = { get: v2Operation(operation) };
        v3Paths[operation.path] = { get: v3Operation(operation) };
      }
      v3.set(
        `apis/${group.name}/${version}`,
        serialize({ openapi: '3.0.0', info, paths: v3Paths, components: { schemas: v3Schemas(definitions) } }),
      );
    }
  }
  const v2 = serialize({ swagger: '2.0', info, paths: v2Paths, definitions: v2Definitions });
  const discoveryPaths: Record<string, { serverRelativeURL: string }> = {};
  for (const [key, body] of v3) discoveryPaths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${body.hash}` };
  return { v2, v3, v3Discovery: serialize({ paths: discoveryPaths }) };
}
