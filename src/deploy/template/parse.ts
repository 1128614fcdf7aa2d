/**
 * Parses Go text/template source (the language of Helm chart templates) into a tree: text, actions, and the
 * control structures `if`/`else if`/`range`/`with`/`define`/`template`, with `{{-`/`-}}` whitespace trimming.
 * Only what the chart in charts/metrics-adapter uses is supported; anything else is a parse error naming the file.
 * @module
 */

export type Operand =
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'dot'; readonly path: readonly string[] }
  | { readonly kind: 'variable'; readonly name: string; readonly path: readonly string[] }
  | { readonly kind: 'function'; readonly name: string }
  | { readonly kind: 'pipeline'; readonly pipeline: Pipeline; readonly path: readonly string[] };

export type Command = readonly Operand[];

export interface Pipeline {
  /** `$x :=` or `$k, $v :=` (range); empty when the pipeline declares nothing. */
  readonly declare: readonly string[];
  /** `=` assigns to a variable declared earlier rather than declaring one. */
  readonly assign: boolean;
  readonly commands: readonly Command[];
}

export type TemplateNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'action'; readonly pipeline: Pipeline }
  | {
      readonly kind: 'if' | 'with' | 'range';
      readonly pipeline: Pipeline;
      readonly body: TemplateNode[];
      readonly otherwise: TemplateNode[];
    }
  | { readonly kind: 'template'; readonly name: string; readonly pipeline?: Pipeline };

export interface ParsedTemplate {
  readonly nodes: TemplateNode[];
  /** `{{ define "name" }}` blocks, shared by every file of a chart. */
  readonly defines: Map<string, TemplateNode[]>;
}

/** A template that cannot be parsed or executed; the message names the file. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/** Raised by `fail` and `required`: the chart's own message for a values mistake. */
export class ChartValuesError extends Error {
  override readonly name = 'ChartValuesError';
}

type Token =
  | {
      readonly type: 'string' | 'number' | 'ident' | 'punct';
      readonly text: string;
      readonly value?: unknown;
      readonly adjacent: boolean;
    }
  | {
      readonly type: 'field' | 'variable';
      readonly text: string;
      readonly path: readonly string[];
      readonly adjacent: boolean;
    };

const space = /[ \t\r\n]/;

/** Splits an action's text into tokens; `adjacent` marks a token with no space before it (`$x.Foo`, `(...).Bar`). */
function tokenize(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let adjacent = false;
  while (i < source.length) {
    const c = source[i]!;
    if (space.test(c)) {
      i++;
      adjacent = false;
      continue;
    }
    const rest = source.slice(i);
    let match: RegExpExecArray | null;
    if (rest.startsWith('/*')) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new TemplateError(`${file}: unclosed comment`);
      i = end + 2;
    } else if (c === '"') {
      match = /^"(?:[^"\\]|\\.)*"/.exec(rest);
      if (match === null) throw new TemplateError(`${file}: unterminated string`);
      tokens.push({ type: 'string', text: match[0], value: JSON.parse(match[0]) as string, adjacent });
      i += match[0].length;
    } else if (c === '`') {
      const end = source.indexOf('`', i + 1);
      if (end < 0) throw new TemplateError(`${file}: unterminated raw string`);
      tokens.push({ type: 'string', text: source.slice(i, end + 1), value: source.slice(i + 1, end), adjacent });
      i = end + 1;
    } else if (rest.startsWith(':=')) {
      tokens.push({ type: 'punct', text: ':=', adjacent });
      i += 2;
    } else if ('()|,='.includes(c)) {
      tokens.push({ type: 'punct', text: c, adjacent });
      i++;
    } else if ((match = /^\$[A-Za-z0-9_]*((?:\.[A-Za-z_][A-Za-z0-9_]*)*)/.exec(rest)) !== null) {
      const name = match[0].slice(0, match[0].length - match[1]!.length);
      tokens.push({ type: 'variable', text: name, path: match[1]!.split('.').slice(1), adjacent });
      i += match[0].length;
    } else if ((match = /^(?:\.[A-Za-z_][A-Za-z0-9_]*)+/.exec(rest)) !== null) {
      tokens.push({ type: 'field', text: match[0], path: match[0].split('.').slice(1), adjacent });
      i += match[0].length;
    } else if (c === '.') {
      tokens.push({ type: 'field', text: '.', path: [], adjacent });
      i++;
    } else if ((match = /^[-+]?\d+(?:\.\d+)?/.exec(rest)) !== null) {
      tokens.push({ type: 'number', text: match[0], value: Number(match[0]), adjacent });
      i += match[0].length;
    } else if ((match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)) !== null) {
      tokens.push({ type: 'ident', text: match[0], adjacent });
      i += match[0].length;
    } else {
      throw new TemplateError(`${file}: unexpected ${JSON.stringify(c)} in action`);
    }
    adjacent = true;
  }
  return tokens;
}

class PipelineParser {
  private at = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly file: string,
  ) {}

  static parse(tokens: readonly Token[], file: string): Pipeline {
    const parser = new PipelineParser(tokens, file);
    const pipeline = parser.pipeline();
    if (parser.at < tokens.length) throw new TemplateError(`${file}: unexpected ${tokens[parser.at]!.text}`);
    return pipeline;
  }

  private pipeline(): Pipeline {
    const declare: string[] = [];
    let assign = false;
    const t = this.tokens;
    const isVariable = (k: number) =>
      t[k]?.type === 'variable' && (t[k] as { path: readonly string[] }).path.length === 0;
    if (isVariable(this.at) && (t[this.at + 1]?.text === ':=' || t[this.at + 1]?.text === '=')) {
      declare.push(t[this.at]!.text);
      assign = t[this.at + 1]!.text === '=';
      this.at += 2;
    } else if (
      isVariable(this.at) &&
      t[this.at + 1]?.text === ',' &&
      isVariable(this.at + 2) &&
      t[this.at + 3]?.text === ':='
    ) {
      declare.push(t[this.at]!.text, t[this.at + 2]!.text);
      this.at += 4;
    }
    const commands: Command[] = [this.command()];
    while (t[this.at]?.text === '|') {
      this.at++;
      commands.push(this.command());
    }
    return { declare, assign, commands };
  }

  private command(): Command {
    const operands: Operand[] = [];
    while (this.at < this.tokens.length && this.tokens[this.at]!.text !== '|' && this.tokens[this.at]!.text !== ')') {
      operands.push(this.operand());
    }
    if (operands.length === 0) throw new TemplateError(`${this.file}: missing value in pipeline`);
    return operands;
  }

  private operand(): Operand {
    const token = this.tokens[this.at++]!;
    switch (token.type) {
      case 'string':
      case 'number':
        return { kind: 'literal', value: token.value };
      case 'field':
        return { kind: 'dot', path: token.path };
      case 'variable':
        return { kind: 'variable', name: token.text, path: token.path };
      case 'ident':
        if (token.text === 'true' || token.text === 'false') return { kind: 'literal', value: token.text === 'true' };
        if (token.text === 'nil') return { kind: 'literal', value: null };
        return { kind: 'function', name: token.text };
      case 'punct': {
        if (token.text !== '(') throw new TemplateError(`${this.file}: unexpected ${token.text}`);
        const pipeline = this.pipeline();
        if (this.tokens[this.at++]?.text !== ')') throw new TemplateError(`${this.file}: unclosed (`);
        const next = this.tokens[this.at];
        if (next?.type === 'field' && next.adjacent && next.path.length > 0) {
          this.at++;
          return { kind: 'pipeline', pipeline, path: next.path };
        }
        return { kind: 'pipeline', pipeline, path: [] };
      }
    }
  }
}

interface Segment {
  readonly text: string;
  readonly action?: string;
}

/** Splits source into text and action segments, applying `{{-` and `-}}` trimming. */
function segments(source: string, file: string): Segment[] {
  const out: { text: string; action?: string }[] = [];
  let i = 0;
  let trimNext = false;
  while (i <= source.length) {
    const open = source.indexOf('{{', i);
    let text = source.slice(i, open < 0 ? source.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    if (open < 0) {
      out.push({ text });
      break;
    }
    let start = open + 2;
    if (/^-[ \t\r\n]/.test(source.slice(start, start + 2))) {
      text = text.replace(/[ \t\r\n]+$/, '');
      start += 1;
    }
    const end = closeOf(source, start, file);
    let body = source.slice(start, end);
    trimNext = /[ \t\r\n]-$/.test(body);
    if (trimNext) body = body.slice(0, -1);
    out.push({ text, action: body.trim() });
    i = end + 2;
  }
  return out;
}

/** The index of the `}}` closing the action that starts at `start`, skipping strings and comments. */
function closeOf(source: string, start: number, file: string): number {
  let i = start;
  while (i < source.length) {
    const c = source[i]!;
    if (source.startsWith('}}', i)) return i;
    if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) break;
      i = end + 2;
    } else if (c === '"') {
      i++;
      while (i < source.length && source[i] !== '"') i += source[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '`') {
      i = source.indexOf('`', i + 1) + 1;
      if (i === 0) break;
    } else {
      i++;
    }
  }
  throw new TemplateError(`${file}: unclosed action`);
}

interface OpenBlock {
  readonly kind: 'if' | 'with' | 'range' | 'define' | 'root';
  readonly name?: string;
  readonly node?: { body: TemplateNode[]; otherwise: TemplateNode[] };
  /** `else if` opens a nested block that the same `end` closes. */
  readonly chained: boolean;
  target: TemplateNode[];
}

/** Parses one file; `defines` collects its `define` blocks. */
export function parseTemplate(source: string, file: string): ParsedTemplate {
  const root: TemplateNode[] = [];
  const defines = new Map<string, TemplateNode[]>();
  const stack: OpenBlock[] = [{ kind: 'root', chained: false, target: root }];
  const top = () => stack[stack.length - 1]!;
  const open = (kind: 'if' | 'with' | 'range', rest: Token[], chained: boolean) => {
    const node = {
      kind,
      pipeline: PipelineParser.parse(rest, file),
      body: [] as TemplateNode[],
      otherwise: [] as TemplateNode[],
    };
    top().target.push(node);
    stack.push({ kind, node, chained, target: node.body });
  };
  for (const segment of segments(source, file)) {
    if (segment.text !== '') top().target.push({ kind: 'text', text: segment.text });
    if (segment.action === undefined) continue;
    const tokens = tokenize(segment.action, file);
    if (tokens.length === 0) continue; // a comment
    const [first, ...rest] = tokens;
    const keyword = first!.type === 'ident' ? first!.text : '';
    if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
      open(keyword, rest, false);
    } else if (keyword === 'else') {
      const block = top();
      if (block.node === undefined) throw new TemplateError(`${file}: else outside if, with or range`);
      block.target = block.node.otherwise;
      const chainedKind = rest[0]?.type === 'ident' ? rest[0].text : '';
      if (chainedKind === 'if' || chainedKind === 'with') open(chainedKind, rest.slice(1), true);
    } else if (keyword === 'end') {
      let block = stack.pop();
      while (block?.chained === true) block = stack.pop();
      if (block === undefined || block.kind === 'root') throw new TemplateError(`${file}: unexpected end`);
      if (block.kind === 'define') defines.set(block.name!, block.target);
    } else if (keyword === 'define') {
      if (rest[0]?.type !== 'string') throw new TemplateError(`${file}: define needs a quoted name`);
      stack.push({ kind: 'define', name: rest[0].value as string, chained: false, target: [] });
    } else if (keyword === 'template') {
      if (rest[0]?.type !== 'string') throw new TemplateError(`${file}: template needs a quoted name`);
      const name = rest[0].value as string;
      top().target.push(
        rest.length > 1
          ? { kind: 'template', name, pipeline: PipelineParser.parse(rest.slice(1), file) }
          : { kind: 'template', name },
      );
    } else if (['block', 'break', 'continue'].includes(keyword)) {
      throw new TemplateError(`${file}: ${keyword} is not supported by this renderer`);
    } else {
      top().target.push({ kind: 'action', pipeline: PipelineParser.parse(tokens, file) });
    }
  }
  if (stack.length > 1) throw new TemplateError(`${file}: unclosed ${top().kind}`);
  return { nodes: root, defines };
}
