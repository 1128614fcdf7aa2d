/**
 * Executes parsed Go templates with Go's rules: truthiness (`isTrue`), `range` over lists, maps (sorted keys) and
 * numbers, variable scope ending at the block's `end`, `and`/`or` short-circuiting, the piped value as the last
 * argument. Async, because `genCA`/`genSignedCert` sign through WebCrypto.
 * @module
 */
import {
  ChartValuesError,
  TemplateError,
  type Command,
  type Operand,
  type Pipeline,
  type TemplateNode,
} from './parse.js';

/** A function callable from a template; `context` gives `include` and `tpl` the template set. */
export type TemplateFunction = (context: ExecutionContext, ...args: unknown[]) => unknown;

export interface ExecutionContext {
  readonly file: string;
  /** Renders a `define` by name with `dot`. */
  include(name: string, dot: unknown): Promise<string>;
  /** Parses and renders `source` as a template with `dot` (Helm's `tpl`). */
  renderString(source: string, dot: unknown): Promise<string>;
}

/** What `empty`, `if`, `with` and `default` count as empty (Go's `isTrue`, sprig's `empty`). */
export function isTrue(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** How an action prints a value; Helm prints a missing value as nothing. */
export function printValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(printValue).join(' ')}]`;
  return `map[${Object.entries(value as Record<string, unknown>)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}:${printValue(v)}`)
    .join(' ')}]`;
}

class Scope {
  private readonly variables = new Map<string, unknown>();
  constructor(private readonly parent?: Scope) {}
  declare(name: string, value: unknown): void {
    this.variables.set(name, value);
  }
  assign(name: string, value: unknown, file: string): void {
    for (let scope: Scope | undefined = this; scope !== undefined; scope = scope.parent) {
      if (scope.variables.has(name)) {
        scope.variables.set(name, value);
        return;
      }
    }
    throw new TemplateError(`${file}: undefined variable ${name}`);
  }
  get(name: string, file: string): unknown {
    for (let scope: Scope | undefined = this; scope !== undefined; scope = scope.parent) {
      if (scope.variables.has(name)) return scope.variables.get(name);
    }
    throw new TemplateError(`${file}: undefined variable ${name}`);
  }
  child(): Scope {
    return new Scope(this);
  }
}

const noValue = Symbol('no piped value');

type RangeNode = { readonly pipeline: Pipeline; readonly body: TemplateNode[]; readonly otherwise: TemplateNode[] };

/** Runs templates of one set; `defines` and `functions` are shared by every file. */
export class TemplateExecutor {
  constructor(
    private readonly defines: ReadonlyMap<string, TemplateNode[]>,
    private readonly functions: Readonly<Record<string, TemplateFunction>>,
    private readonly parse: (source: string, file: string) => TemplateNode[],
  ) {}

  /** Renders `nodes` with `dot` as both `.` and `$`. */
  async render(nodes: readonly TemplateNode[], dot: unknown, file: string): Promise<string> {
    const scope = new Scope();
    scope.declare('$', dot);
    const out: string[] = [];
    await this.walk(nodes, dot, scope, file, out);
    return out.join('');
  }

  private async walk(
    nodes: readonly TemplateNode[],
    dot: unknown,
    scope: Scope,
    file: string,
    out: string[],
  ): Promise<void> {
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          out.push(node.text);
          break;
        case 'action': {
          const value = await this.pipeline(node.pipeline, dot, scope, file);
          if (node.pipeline.declare.length === 0) out.push(printValue(value));
          break;
        }
        case 'if':
        case 'with': {
          const inner = scope.child();
          const value = await this.pipeline(node.pipeline, dot, inner, file);
          if (isTrue(value)) await this.walk(node.body, node.kind === 'with' ? value : dot, inner, file, out);
          else await this.walk(node.otherwise, dot, inner, file, out);
          break;
        }
        case 'range':
          await this.range(node, dot, scope, file, out);
          break;
        case 'template': {
          const value = node.pipeline === undefined ? null : await this.pipeline(node.pipeline, dot, scope, file);
          out.push(await this.include(node.name, value, file));
          break;
        }
      }
    }
  }

  private async range(node: RangeNode, dot: unknown, scope: Scope, file: string, out: string[]): Promise<void> {
    const { declare, commands } = node.pipeline;
    const value = await this.pipeline({ declare: [], assign: false, commands }, dot, scope, file);
    let entries: [unknown, unknown][];
    if (Array.isArray(value)) entries = value.map((v, i) => [i, v]);
    else if (typeof value === 'number')
      entries = Array.from({ length: Math.max(0, Math.trunc(value)) }, (_, i) => [i, i]);
    else if (value !== null && typeof value === 'object')
      entries = Object.keys(value)
        .sort()
        .map((k) => [k, (value as Record<string, unknown>)[k]]);
    else if (value === null || value === undefined) entries = [];
    else throw new TemplateError(`${file}: range can't iterate over ${printValue(value)}`);
    if (entries.length === 0) {
      await this.walk(node.otherwise, dot, scope.child(), file, out);
      return;
    }
    for (const [key, element] of entries) {
      const inner = scope.child();
      if (declare.length === 1) inner.declare(declare[0]!, element);
      if (declare.length === 2) {
        inner.declare(declare[0]!, key);
        inner.declare(declare[1]!, element);
      }
      await this.walk(node.body, element, inner, file, out);
    }
  }

  async include(name: string, dot: unknown, file: string): Promise<string> {
    const nodes = this.defines.get(name);
    if (nodes === undefined) throw new TemplateError(`${file}: no template "${name}"`);
    return this.render(nodes, dot, file);
  }

  private async pipeline(pipeline: Pipeline, dot: unknown, scope: Scope, file: string): Promise<unknown> {
    let value: unknown = noValue;
    for (const command of pipeline.commands) value = await this.command(command, dot, scope, file, value);
    if (pipeline.declare.length === 1) {
      if (pipeline.assign) scope.assign(pipeline.declare[0]!, value, file);
      else scope.declare(pipeline.declare[0]!, value);
    }
    return value;
  }

  private async command(command: Command, dot: unknown, scope: Scope, file: string, piped: unknown): Promise<unknown> {
    const [head, ...rest] = command;
    if (head!.kind !== 'function') {
      if (rest.length > 0 || piped !== noValue)
        throw new TemplateError(`${file}: can't give arguments to a non-function`);
      return this.operand(head!, dot, scope, file);
    }
    const name = head!.name;
    if (name === 'and' || name === 'or') {
      // NB: Go 1.18+ stops at the first argument that decides the result and returns it.
      const operands: (Operand | { kind: 'piped' })[] = piped === noValue ? rest : [...rest, { kind: 'piped' }];
      let last: unknown;
      for (const operand of operands) {
        last = operand.kind === 'piped' ? piped : await this.operand(operand, dot, scope, file);
        if (isTrue(last) === (name === 'or')) return last;
      }
      return last;
    }
    const fn = Object.hasOwn(this.functions, name) ? this.functions[name] : undefined;
    if (fn === undefined) throw new TemplateError(`${file}: function "${name}" not defined`);
    const args: unknown[] = [];
    for (const operand of rest) args.push(await this.operand(operand, dot, scope, file));
    if (piped !== noValue) args.push(piped);
    const context: ExecutionContext = {
      file,
      include: (template, value) => this.include(template, value, file),
      renderString: (source, value) => this.render(this.parse(source, file), value, file),
    };
    try {
      return await fn(context, ...args);
    } catch (error) {
      if (error instanceof TemplateError || error instanceof ChartValuesError) throw error;
      throw new TemplateError(`${file}: error calling ${name}: ${(error as Error).message}`, { cause: error });
    }
  }

  private async operand(operand: Operand, dot: unknown, scope: Scope, file: string): Promise<unknown> {
    switch (operand.kind) {
      case 'literal':
        return operand.value;
      case 'dot':
        return fieldOf(dot, operand.path);
      case 'variable':
        return fieldOf(scope.get(operand.name, file), operand.path);
      case 'pipeline':
        return fieldOf(await this.pipeline(operand.pipeline, dot, scope.child(), file), operand.path);
      case 'function':
        return this.command([operand], dot, scope, file, noValue);
    }
  }
}

/** `.a.b` of a value; a missing key is nil (Helm renders with missingkey=zero). */
function fieldOf(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
