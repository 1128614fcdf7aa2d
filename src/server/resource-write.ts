/**
 * The resource usage write API: `POST /write-resource-metrics/nodes/{node}` and
 * `POST /write-resource-metrics/namespaces/{ns}/pods/{pod}/containers/{container}` with a JSON body
 * `{"cpu":"250m","memory":"64Mi"}` (either key may be left out). Quantities are stored in the canonical form
 * metrics.k8s.io carries: CPU in DecimalSI, memory in BinarySI.
 * @module
 */
import { badRequest, routeNotFound } from '../api/errors.js';
import { parseQuantity, Quantity } from '../quantity/index.js';
import type { ResourceUsage } from '../providers/provider.js';

export interface ResourceWritePath {
  /** '' for a node. */
  readonly namespace: string;
  readonly name: string;
  /** Undefined for a node. */
  readonly container?: string;
}

/** Parses the decoded segments after `/write-resource-metrics/`. */
export function parseResourceWritePath(segments: readonly string[]): ResourceWritePath {
  if (segments.some((s) => s === '')) throw routeNotFound();
  if (segments.length === 2 && segments[0] === 'nodes') return { namespace: '', name: segments[1]! };
  if (segments.length === 6 && segments[0] === 'namespaces' && segments[2] === 'pods' && segments[4] === 'containers') {
    return { namespace: segments[1]!, name: segments[3]!, container: segments[5]! };
  }
  throw routeNotFound();
}

/** The body's `cpu` and `memory`, each a quantity string (or a JSON number), non-negative, at least one given. */
export function parseResourceUsageBody(body: string): Partial<ResourceUsage> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw badRequest(`invalid body: ${(error as Error).message}; want {"cpu":"250m","memory":"64Mi"}`, {
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('invalid body: want a JSON object such as {"cpu":"250m","memory":"64Mi"}');
  }
  const usage: { cpu?: string; memory?: string } = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (key !== 'cpu' && key !== 'memory')
      throw badRequest(`invalid body: unknown key ${JSON.stringify(key)}; only "cpu" and "memory"`);
    if (typeof value !== 'string' && typeof value !== 'number')
      throw badRequest(`invalid ${key}: want a quantity such as "250m"`);
    let quantity: Quantity;
    try {
      quantity = parseQuantity(String(value));
    } catch (error) {
      throw badRequest(`invalid ${key} ${JSON.stringify(value)}: ${(error as Error).message}`, { cause: error });
    }
    if (quantity.nano < 0n) throw badRequest(`invalid ${key} ${JSON.stringify(value)}: must not be negative`);
    usage[key] = new Quantity(quantity.nano, key === 'cpu' ? 'DecimalSI' : 'BinarySI').toString();
  }
  if (usage.cpu === undefined && usage.memory === undefined)
    throw badRequest('invalid body: give "cpu", "memory" or both');
  return usage;
}
