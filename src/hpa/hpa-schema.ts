/**
 * The part of an `autoscaling/v2` HorizontalPodAutoscaler the explainer reads, as a zod schema whose
 * inferred type is the spec type. Unknown fields are ignored (a `kubectl get hpa -o yaml` dump has many);
 * the fields read are checked as the API server's validation would (targets > 0, maxReplicas ≥ 1).
 * @module
 */
import { z } from 'zod';
import { parseQuantity, type Quantity } from '../quantity/index.js';
import { labelSelectorToSelector } from '../selector/index.js';

const quantity = z.union([z.string(), z.number()]).transform((raw, ctx): Quantity => {
  try {
    return parseQuantity(String(raw).trim());
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const positiveQuantity = quantity.refine((q) => q.nano > 0n, { message: 'must be greater than 0' });

const labelSelector = z
  .object({
    matchLabels: z.record(z.string(), z.string()).optional(),
    matchExpressions: z
      .array(
        z.object({
          key: z.string(),
          operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: z.array(z.string()).optional(),
        }),
      )
      .optional(),
  })
  .nullable()
  .optional()
  .superRefine((selector, ctx) => {
    try {
      labelSelectorToSelector(selector ?? null);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

const metricIdentifier = z.object({
  name: z
    .string()
    .min(1)
    .refine((n) => n !== '.' && n !== '..' && !/[/%]/.test(n), {
      message: 'may not be "." or ".." and may not contain "/" or "%"',
    }),
  selector: labelSelector,
});

const target = z
  .object({
    type: z.enum(['Value', 'AverageValue', 'Utilization']),
    value: positiveQuantity.optional(),
    averageValue: positiveQuantity.optional(),
    averageUtilization: z.number().int().optional(),
  })
  .superRefine((t, ctx) => {
    if (t.type === 'Value' && t.value === undefined)
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'required when type is Value' });
    if (t.type === 'AverageValue' && t.averageValue === undefined)
      ctx.addIssue({ code: 'custom', path: ['averageValue'], message: 'required when type is AverageValue' });
    if (t.type === 'Utilization')
      ctx.addIssue({ code: 'custom', path: ['type'], message: 'Utilization is only valid for Resource metrics' });
  });

/**
 * A Resource metric's target: Utilization (a percentage of the requests) or AverageValue (autoscaling/v2 validation).
 */
const resourceTarget = z
  .object({
    type: z.enum(['Utilization', 'AverageValue']),
    averageUtilization: z.number().int().positive().optional(),
    averageValue: positiveQuantity.optional(),
  })
  .superRefine((t, ctx) => {
    if (t.type === 'Utilization' && t.averageUtilization === undefined)
      ctx.addIssue({ code: 'custom', path: ['averageUtilization'], message: 'required when type is Utilization' });
    if (t.type === 'AverageValue' && t.averageValue === undefined)
      ctx.addIssue({ code: 'custom', path: ['averageValue'], message: 'required when type is AverageValue' });
  });

const crossVersionObjectReference = z.object({
  apiVersion: z.string().default('v1'),
  kind: z.string().min(1),
  name: z.string().min(1),
});

const metricSpec = z
  .object({
    type: z.enum(['Pods', 'Object', 'External', 'Resource', 'ContainerResource']),
    pods: z.object({ metric: metricIdentifier, target }).optional(),
    object: z.object({ describedObject: crossVersionObjectReference, metric: metricIdentifier, target }).optional(),
    external: z.object({ metric: metricIdentifier, target }).optional(),
    resource: z.object({ name: z.string().min(1), target: resourceTarget }).optional(),
    containerResource: z
      .object({ name: z.string().min(1), container: z.string().min(1), target: resourceTarget })
      .optional(),
  })
  .superRefine((m, ctx) => {
    const key = (
      {
        Pods: 'pods',
        Object: 'object',
        External: 'external',
        Resource: 'resource',
        ContainerResource: 'containerResource',
      } as const
    )[m.type];
    if (m[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `required when type is ${m.type}` });
    if (m.type === 'Pods' && m.pods !== undefined && m.pods.target.type !== 'AverageValue') {
      ctx.addIssue({
        code: 'custom',
        path: ['pods', 'target', 'type'],
        message: 'must be AverageValue for Pods metrics',
      });
    }
  });

const scalingRules = z.object({
  stabilizationWindowSeconds: z.number().int().min(0).max(3600).optional(),
  selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional(),
  policies: z
    .array(
      z.object({
        type: z.enum(['Pods', 'Percent']),
        value: z.number().int().positive(),
        periodSeconds: z.number().int().min(1).max(1800),
      }),
    )
    .min(1)
    .optional(),
  tolerance: quantity.refine((q) => q.nano >= 0n, { message: 'must be greater than or equal to 0' }).optional(),
});

export const hpaSchema = z.object({
  apiVersion: z.literal('autoscaling/v2', {
    message: 'must be autoscaling/v2 (or autoscaling/v2beta2, autoscaling/v2beta1)',
  }),
  kind: z.literal('HorizontalPodAutoscaler', { message: 'must be HorizontalPodAutoscaler' }),
  metadata: z.object({ name: z.string().min(1), namespace: z.string().min(1).optional() }),
  spec: z
    .object({
      scaleTargetRef: crossVersionObjectReference,
      minReplicas: z.number().int().min(0).optional(),
      maxReplicas: z.number().int().min(1),
      metrics: z.array(metricSpec).min(1).optional(),
      behavior: z.object({ scaleUp: scalingRules.optional(), scaleDown: scalingRules.optional() }).optional(),
    })
    .refine((s) => (s.minReplicas ?? 1) <= s.maxReplicas, {
      message: 'minReplicas must be less than or equal to maxReplicas',
      path: ['minReplicas'],
    }),
  status: z.object({ currentReplicas: z.number().int().min(0).optional() }).optional(),
});

/** `convertedFrom`: the autoscaling version of the document when it was not v2 (parse-hpa.ts converts it). */
export type HorizontalPodAutoscaler = z.infer<typeof hpaSchema> & { readonly convertedFrom?: string };
export type HpaMetricSpec = z.infer<typeof metricSpec>;
export type HpaMetricTarget = z.infer<typeof target>;
export type HpaLabelSelector = z.infer<typeof labelSelector>;
