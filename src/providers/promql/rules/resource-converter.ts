/**
 * Which series labels name which Kubernetes resources, from a rule's `resources` (`overrides` and `template`), both
 * ways: label → group-resource for discovery, group-resource → label for queries (prometheus-adapter
 * pkg/naming/resource_converter.go and lbl_res.go).
 * @module
 */
import { groupResourceString } from '../../../api/errors.js';
import type { ResourceMapper } from '../../../kube/resource-mapper.js';
import type { GroupResource } from '../../provider.js';
import { parseGoTemplate, TemplateError, type GoTemplate } from './go-template.js';

export interface ResourceConverter {
  /** The resources the labels of one series name, each once. */
  resourcesForLabels(labelNames: Iterable<string>): GroupResource[];
  /** The label holding objects of `resource`; undefined when the rule maps none. */
  labelForResource(resource: GroupResource): string | undefined;
}

export interface ResourceMapping {
  readonly template?: string | undefined;
  readonly overrides?:
    | Readonly<Record<string, { readonly group?: string | undefined; readonly resource: string }>>
    | undefined;
}

/** Throws a TemplateError for a bad template. */
export function createResourceConverter(mapping: ResourceMapping, mapper: ResourceMapper): ResourceConverter {
  const labelToResource = new Map<string, GroupResource | null>();
  const resourceToLabel = new Map<string, string>();
  for (const [label, target] of Object.entries(mapping.overrides ?? {})) {
    const resource = mapper.resourceFor(target.group ? `${target.resource}.${target.group}` : target.resource);
    labelToResource.set(label, resource);
    resourceToLabel.set(groupResourceString(resource), label);
  }
  const template = mapping.template
    ? parseGoTemplate(mapping.template, { Group: 'string', Resource: 'string' })
    : undefined;
  if (template !== undefined && !template.fields.includes('Resource')) {
    throw new TemplateError('the template must include <<.Resource>>, so that labels can be matched back to resources');
  }
  const extractor = template === undefined ? undefined : labelExtractor(template);

  return {
    resourcesForLabels(labelNames) {
      const found = new Map<string, GroupResource>();
      for (const label of labelNames) {
        let resource = labelToResource.get(label);
        if (resource === undefined) {
          resource = extractor === undefined ? null : fromTemplateLabel(extractor, label, mapper);
          if (extractor !== undefined) labelToResource.set(label, resource);
        }
        if (resource) found.set(groupResourceString(resource), resource);
      }
      return [...found.values()];
    },
    labelForResource(resource) {
      const key = groupResourceString(resource);
      const known = resourceToLabel.get(key);
      if (known !== undefined || template === undefined) return known;
      // NB: the template sees the singular resource and the group with `.`/`-` as `_` (GroupNameSanitizer).
      const label = template.execute({
        Group: resource.group.replace(/[.-]/g, '_'),
        Resource: singular(resource, mapper),
      });
      if (label === '') return undefined;
      resourceToLabel.set(key, label);
      return label;
    },
  };
}

function singular(resource: GroupResource, mapper: ResourceMapper): string {
  const kind = mapper.kindFor(resource);
  return kind.namespaced === undefined ? resource.resource.replace(/s$/, '') : kind.kind.toLowerCase();
}

interface LabelExtractor {
  readonly regexp: RegExp;
}

/** NB: the peer renders the template with capture groups for Group and Resource and matches labels against that. */
function labelExtractor(template: GoTemplate): LabelExtractor {
  const marker = '\u0000';
  const rendered = template.execute({ Group: `${marker}g${marker}`, Resource: `${marker}r${marker}` });
  const source = rendered
    .split(marker)
    .map((piece, i) =>
      i % 2 === 1
        ? piece === 'g'
          ? '(?<group>.+?)'
          : '(?<resource>.+?)'
        : piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return { regexp: new RegExp(`^${source}$`) };
}

/** A label the template could have produced, as a resource the mapper knows; null for any other label. */
function fromTemplateLabel(extractor: LabelExtractor, label: string, mapper: ResourceMapper): GroupResource | null {
  const match = extractor.regexp.exec(label);
  if (match?.groups?.resource === undefined) return null;
  const group = match.groups.group ?? '';
  const resource = mapper.resourceFor(group === '' ? match.groups.resource : `${match.groups.resource}.${group}`);
  // NB: the peer skips labels its RESTMapper cannot normalize (`instance`, `job` under `<<.Resource>>`).
  return mapper.kindFor(resource).namespaced === undefined ? null : resource;
}
