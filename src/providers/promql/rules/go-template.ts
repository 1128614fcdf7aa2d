/**
 * The part of Go `text/template` that prometheus-adapter rules use, with its `<<` `>>` delimiters: field
 * references (`<<.Series>>`, `<<.LabelValuesByName.pod>>`), `<<index .LabelValuesByName "pod">>`, comments and
 * `<<-`/`->>` trimming, printed as Go prints them. Anything else is refused when the rules are compiled, so a rule
 * that cannot render never reaches a request. Hand-written: no JavaScript template library has Go's syntax.
 * @module
 */

/** What a template may reference: each top-level field and the shape of its value. */
export type TemplateFields = Readonly<Record<string, 'string' | 'map' | 'slice'>>;

export type TemplateValue = string | readonly string[] | Readonly<Record<string, string>>;

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

type Part = { readonly text: string } | { readonly field: string; readonly key?: string; readonly viaIndex?: boolean };

/** A parsed template: `execute` never throws for arguments of the declared shape. */
export interface GoTemplate {
  readonly source: string;
  /** The top-level fields the template reads, such as `Series`. */
  readonly fields: readonly string[];
  execute(args: Readonly<Record<string, TemplateValue>>): string;
}

const left = '<<';
const right = '>>';

/** Parses `source`, checking every field against `fields`; throws TemplateError naming the problem. */
export function parseGoTemplate(source: string, fields: TemplateFields): GoTemplate {
  const parts: Part[] = [];
  let index = 0;
  let trimNext = false;
  while (index < source.length) {
    const open = source.indexOf(left, index);
    let text = source.slice(index, open < 0 ? source.length : open);
    if (trimNext) text = text.trimStart();
    trimNext = false;
    if (open < 0) {
      if (text !== '') parts.push({ text });
      break;
    }
    let start = open + left.length;
    // NB: Go text/template: a trim marker is `<<-` followed by a space; `<<-3>>` is the number -3.
    if (source.startsWith('- ', start)) {
      text = text.trimEnd();
      start += 2;
    }
    if (text !== '') parts.push({ text });
    const close = source.indexOf(right, start);
    if (close < 0)
      throw new TemplateError(`unclosed action at offset ${open}: ${JSON.stringify(source.slice(open, open + 30))}`);
    let action = source.slice(start, close);
    if (action.endsWith(' -')) {
      action = action.slice(0, -2);
      trimNext = true;
    }
    index = close + right.length;
    const part = parseAction(action.trim(), fields);
    if (part !== undefined) parts.push(part);
  }
  const used = [...new Set(parts.flatMap((part) => ('field' in part ? [part.field] : [])))];
  return { source, fields: used, execute: (args) => parts.map((part) => render(part, args)).join('') };
}

const fieldChain = /^\.([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?$/;
const indexCall = /^index\s+\.([A-Za-z_][A-Za-z0-9_]*)\s+("(?:[^"\\]|\\.)*"|`[^`]*`)$/;

function parseAction(action: string, fields: TemplateFields): Part | undefined {
  if (action.startsWith('/*') && action.endsWith('*/')) return undefined;
  const chain = fieldChain.exec(action);
  if (chain !== null) return fieldPart(action, chain[1]!, chain[2], fields);
  const call = indexCall.exec(action);
  if (call !== null) {
    const literal = call[2]!;
    const key = literal.startsWith('`') ? literal.slice(1, -1) : (JSON.parse(literal) as string);
    return fieldPart(action, call[1]!, key, fields, true);
  }
  throw new TemplateError(
    `unsupported action <<${action}>>: use a field such as <<.Series>>, <<.LabelMatchers>>, <<.GroupBy>> or <<index .LabelValuesByName "pod">>`,
  );
}

function fieldPart(
  action: string,
  field: string,
  key: string | undefined,
  fields: TemplateFields,
  viaIndex = false,
): Part {
  const shape = fields[field];
  if (shape === undefined) {
    throw new TemplateError(`<<${action}>>: can't evaluate field ${field} (fields: ${Object.keys(fields).join(', ')})`);
  }
  if (key === undefined) return { field };
  if (shape !== 'map') {
    throw new TemplateError(
      `<<${action}>>: ${field} is a ${shape}, so it has no ${viaIndex ? 'key' : 'field'} ${JSON.stringify(key)}`,
    );
  }
  return { field, key, viaIndex };
}

function render(part: Part, args: Readonly<Record<string, TemplateValue>>): string {
  if ('text' in part) return part.text;
  const value = args[part.field] ?? '';
  if (typeof value === 'string') return value;
  if (isSlice(value)) return `[${value.join(' ')}]`;
  if (part.key !== undefined) {
    // NB: Go prints a missing map key as `<no value>`; `index` gives the zero value, the empty string.
    if (Object.hasOwn(value, part.key)) return value[part.key]!;
    return part.viaIndex === true ? '' : '<no value>';
  }
  // NB: Go prints a map as map[k:v k2:v2], keys sorted.
  return `map[${Object.keys(value)
    .sort()
    .map((k) => `${k}:${value[k]}`)
    .join(' ')}]`;
}

function isSlice(value: TemplateValue): value is readonly string[] {
  return Array.isArray(value);
}
