/**
 * The meta.k8s.io/v1 Table kube-apiserver returns for a custom resource when kubectl asks for one
 * (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): a Name column, then the CRD's
 * additionalPrinterColumns, each cell the column's JSONPath on the object, a `date` column as an age.
 * The columns come from the CRD file itself, so what is tested is what ships.
 * @module
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface PrinterColumn {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly description?: string;
  readonly priority?: number;
  readonly jsonPath: string;
}

/** The printer columns of the first version of the CRD in `file`. */
export function printerColumnsOf(file: URL): readonly PrinterColumn[] {
  const crd = parse(readFileSync(file, 'utf8')) as {
    spec: { versions: { additionalPrinterColumns?: PrinterColumn[] }[] };
  };
  return crd.spec.versions[0]?.additionalPrinterColumns ?? [];
}

/** Whether the Accept header asks for a Table (kubectl get). */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '')
    .split(',')
    .some((part) => part.includes('as=Table') && part.includes('g=meta.k8s.io') && part.includes('v=v1'));
}

type Json = Record<string, unknown>;

export function tableOf(
  columns: readonly PrinterColumn[],
  objects: readonly Json[],
  resourceVersion: string,
  now = Date.now(),
): Json {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: [
      {
        name: 'Name',
        type: 'string',
        format: 'name',
        description: 'Name must be unique within a namespace.',
        priority: 0,
      },
      ...columns.map((c) => ({
        name: c.name,
        type: c.type,
        format: c.format ?? '',
        description: c.description ?? '',
        priority: c.priority ?? 0,
      })),
    ],
    rows: objects.map((object) => {
      const metadata = object.metadata as Json;
      return {
        cells: [metadata.name, ...columns.map((c) => cell(c, evaluateJsonPath(object, c.jsonPath), now))],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata },
      };
    }),
  };
}

/**
 * NB: apiextensions-apiserver tableconvertor: a missing value is null (kubectl prints an empty cell), a date an age.
 */
function cell(column: PrinterColumn, value: unknown, now: number): unknown {
  if (value === undefined) return null;
  if (column.type === 'date' && typeof value === 'string') return age(now - Date.parse(value));
  return value;
}

/** duration.HumanDuration's short forms, enough for tests: seconds, minutes, hours, days. */
function age(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 3600 * 3) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400 * 2) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** The JSONPath forms printer columns use: `.a.b` and `[?(@.key=="value")]` filters on lists. */
export function evaluateJsonPath(object: unknown, path: string): unknown {
  const steps = path.match(/\.[^.[]+|\[\?\(@\.[^=]+==["'][^"']*["']\)\]/g) ?? [];
  let current: unknown = object;
  for (const step of steps) {
    if (current === undefined || current === null) return undefined;
    if (step.startsWith('.')) {
      current = (current as Json)[step.slice(1)];
      continue;
    }
    const [, key, value] = /^\[\?\(@\.([^=]+)==["']([^"']*)["']\)\]$/.exec(step)!;
    current = Array.isArray(current) ? current.find((item: Json) => item?.[key!] === value) : undefined;
  }
  return current;
}
