/**
 * `explain`'s positional arguments, read as kubectl reads `kubectl get hpa web`: `hpa NAME`,
 * `hpa/NAME`, `horizontalpodautoscaler.autoscaling/NAME`, or a bare `NAME`.
 * @module
 */
import { CliError } from '../serving/cli-error.js';

/** Every name kubectl accepts for the resource (discovery: plural, singular, Kind, short name, group-qualified). */
const hpaNames = new Set(
  ['hpa', 'horizontalpodautoscaler', 'horizontalpodautoscalers'].flatMap((n) => [n, `${n}.autoscaling`]),
);

/** The HPA's name from the arguments, or undefined when none was given. */
export function hpaNameFromArgs(args: readonly string[]): string | undefined {
  if (args.length === 0) return undefined;
  const [first, second, ...rest] = args as [string, string | undefined, ...string[]];
  if (rest.length > 0) throw new CliError(`explain takes one HPA, got ${args.length} arguments: explain hpa NAME`);
  const check = (resource: string) => {
    if (!hpaNames.has(resource.toLowerCase()))
      throw new CliError(
        `explain reads HorizontalPodAutoscalers; ${JSON.stringify(resource)} is not one (use hpa NAME)`,
      );
  };
  const slash = first.indexOf('/');
  if (second !== undefined) {
    if (slash >= 0) throw new CliError(`there is no need to give a resource type with ${first}: explain ${first}`);
    check(first);
    return second;
  }
  if (slash >= 0) {
    check(first.slice(0, slash));
    if (first.slice(slash + 1) === '') throw new CliError(`${first}: the HPA's name is missing`);
    return first.slice(slash + 1);
  }
  if (hpaNames.has(first.toLowerCase())) throw new CliError(`give the HPA's name: explain ${first} NAME`);
  return first;
}
