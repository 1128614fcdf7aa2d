/**
 * Go `regexp` as rules use it: compile an RE2 pattern as a JavaScript RegExp (`(?P<name>…)` groups, leading `(?i)`
 * style flags) and Go's `Regexp.ExpandString`, whose `$1_per_second` reads as the group named `1_per_second`
 * (empty), which is why the peer's docs write `${1}_per_second`.
 * @module
 */

export class RegexpError extends Error {
  override readonly name = 'RegexpError';
}

/** Compiles a Go regular expression; unanchored like Go's `MatchString`. */
export function compileGoRegexp(source: string): RegExp {
  let body = source;
  let flags = '';
  const leading = /^\(\?([imsU]+)\)/.exec(body);
  if (leading !== null) {
    if (leading[1]!.includes('U'))
      throw new RegexpError(`error parsing regexp ${JSON.stringify(source)}: the U (ungreedy) flag is not supported`);
    flags = [...new Set(leading[1]!)].join('');
    body = body.slice(leading[0].length);
  }
  body = body.replace(/\(\?P</g, '(?<');
  if (/\(\?[imsU-]+[):]/.test(body)) {
    throw new RegexpError(
      `error parsing regexp ${JSON.stringify(source)}: flags are supported only at the start, as in (?i)^foo`,
    );
  }
  try {
    return new RegExp(body, flags);
  } catch (error) {
    throw new RegexpError(
      `error parsing regexp ${JSON.stringify(source)}: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`,
    );
  }
}

/** The number of capture groups, like Go `len(SubexpNames()) - 1`. */
export function captureGroupCount(regexp: RegExp): number {
  return new RegExp(`${regexp.source}|`, regexp.flags).exec('')!.length - 1;
}

const nameChar = /[A-Za-z0-9_]/;

/** Go `Regexp.ExpandString(nil, template, src, match)`: `$n`, `${n}`, `$name`, `${name}`, `$$`. */
export function expandGo(template: string, match: RegExpExecArray): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name = '';
    if (template[i] === '{') {
      const close = template.indexOf('}', i);
      name = close < 0 ? '' : template.slice(i + 1, close);
      if (name === '' || ![...name].every((c) => nameChar.test(c))) {
        // NB: Go writes a malformed reference's `$` literally and goes on after it.
        out += '$';
        continue;
      }
      i = close + 1;
    } else {
      while (i < template.length && nameChar.test(template[i]!)) name += template[i++];
      if (name === '') {
        out += '$';
        continue;
      }
    }
    out += groupValue(match, name);
  }
  return out;
}

function groupValue(match: RegExpExecArray, name: string): string {
  if (/^\d+$/.test(name)) return match[Number(name)] ?? '';
  return match.groups?.[name] ?? '';
}
