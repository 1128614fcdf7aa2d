/**
 * autoscaling/v2beta1 and v2beta2 HPA documents in the v2 shape, converted as the API server converts
 * them (K8S pkg/apis/autoscaling/v2beta1/conversion.go, v2beta2 is field-for-field v2 for what the
 * explainer reads). Works on the parsed document before validation, so the v2 schema checks the result.
 * @module
 */

/** The versions converted; v2 documents pass through unchanged. */
export const convertedVersions = ['autoscaling/v2beta1', 'autoscaling/v2beta2'] as const;
export type ConvertedVersion = (typeof convertedVersions)[number];

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The document in the v2 shape and the version it was converted from, or undefined for any other document. */
export function convertToV2(data: Json): { readonly data: Json; readonly from: ConvertedVersion } | undefined {
  const from = convertedVersions.find((v) => v === data.apiVersion);
  if (from === undefined) return undefined;
  const spec = isObject(data.spec) ? data.spec : undefined;
  if (from === 'autoscaling/v2beta2' || spec === undefined || !Array.isArray(spec.metrics))
    return { data: { ...data, apiVersion: 'autoscaling/v2' }, from };
  return {
    data: { ...data, apiVersion: 'autoscaling/v2', spec: { ...spec, metrics: spec.metrics.map(convertV2beta1Metric) } },
    from,
  };
}

/** One v2beta1 MetricSpec; anything not shaped as v2beta1 is left for the v2 schema to report. */
function convertV2beta1Metric(metric: unknown): unknown {
  if (!isObject(metric)) return metric;
  const { type } = metric;
  if (type === 'Object' && isObject(metric.object)) {
    const { target, metricName, targetValue, selector, averageValue } = metric.object;
    // NB: conversion.go: AverageValue when averageValue is set, else Value; targetValue is carried either way.
    return {
      ...metric,
      object: {
        describedObject: target,
        metric: { name: metricName, ...(selector !== undefined ? { selector } : {}) },
        target:
          averageValue === undefined
            ? { type: 'Value', value: targetValue }
            : { type: 'AverageValue', averageValue, ...(targetValue !== undefined ? { value: targetValue } : {}) },
      },
    };
  }
  if (type === 'Pods' && isObject(metric.pods)) {
    const { metricName, targetAverageValue, selector } = metric.pods;
    return {
      ...metric,
      pods: {
        metric: { name: metricName, ...(selector !== undefined ? { selector } : {}) },
        target: { type: 'AverageValue', averageValue: targetAverageValue },
      },
    };
  }
  if (type === 'External' && isObject(metric.external)) {
    const { metricName, metricSelector, targetValue, targetAverageValue } = metric.external;
    // NB: conversion.go: Value when targetValue is set, else AverageValue.
    return {
      ...metric,
      external: {
        metric: { name: metricName, ...(metricSelector !== undefined ? { selector: metricSelector } : {}) },
        target:
          targetValue !== undefined
            ? { type: 'Value', value: targetValue }
            : { type: 'AverageValue', averageValue: targetAverageValue },
      },
    };
  }
  for (const key of ['resource', 'containerResource'] as const) {
    const source = metric[key];
    if (type !== (key === 'resource' ? 'Resource' : 'ContainerResource') || !isObject(source)) continue;
    const { targetAverageUtilization, targetAverageValue, ...rest } = source;
    // NB: conversion.go: Utilization unless targetAverageValue is set.
    const target =
      targetAverageValue === undefined
        ? { type: 'Utilization', averageUtilization: targetAverageUtilization }
        : { type: 'AverageValue', averageValue: targetAverageValue };
    return { ...metric, [key]: { ...rest, target } };
  }
  return metric;
}
