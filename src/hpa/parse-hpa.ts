/**
 * Reads an HPA manifest (YAML or JSON text) into a validated spec. A mistake throws one
 * InvalidHpaError naming the source, the line and the field: `hpa.yaml:12: spec.metrics[0].pods.target.averageValue:
 * …`.
 * @module
 */
import { z } from 'zod';
import { convertToV2, type ConvertedVersion } from './convert-hpa.js';
import { hpaSchema, type HorizontalPodAutoscaler } from './hpa-schema.js';
import { parseYamlWith } from './parse-yaml.js';

export { formatFieldPath } from './parse-yaml.js';

export class InvalidHpaError extends Error {
  override readonly name = 'InvalidHpaError';
}

/** A v2beta1 or v2beta2 document is converted to v2 first, and says so in `convertedFrom`. */
export function parseHpa(text: string, source: string): HorizontalPodAutoscaler {
  let from: ConvertedVersion | undefined;
  const schema = z.preprocess((data) => {
    const converted =
      typeof data === 'object' && data !== null ? convertToV2(data as Record<string, unknown>) : undefined;
    from = converted?.from;
    return converted?.data ?? data;
  }, hpaSchema);
  const hpa = parseYamlWith(
    text,
    source,
    schema,
    'one HorizontalPodAutoscaler object (apiVersion: autoscaling/v2, v2beta2 or v2beta1)',
    (message) => new InvalidHpaError(message),
  );
  return from === undefined ? hpa : { ...hpa, convertedFrom: from };
}
