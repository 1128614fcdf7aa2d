/**
 * Kubernetes name rules for what the write API stores, with apimachinery's messages
 * (util/validation/validation.go, api/validate/path), so a user sees the rule Kubernetes would apply.
 * @module
 */

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const labelMessage =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const subdomainMessage =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** The problem with `value` as an RFC 1123 label (namespaces, resources), or undefined if it is fine. */
export function dns1123LabelProblem(value: string): string | undefined {
  if (value.length > 63) return 'must be no more than 63 characters';
  return dns1123Label.test(value) ? undefined : labelMessage;
}

/** The problem with `value` as an RFC 1123 subdomain (object names, API groups), or undefined. */
export function dns1123SubdomainProblem(value: string): string | undefined {
  if (value.length > 253) return 'must be no more than 253 characters';
  return dns1123Subdomain.test(value) ? undefined : subdomainMessage;
}

/**
 * The problem with a metric name, or undefined. NB: the HPA validates metric names with
 * IsValidPathSegmentName (K8S autoscaling validation.go validateMetricIdentifier); we also cap the
 * length and refuse control characters, which no HPA could ask for.
 */
export function metricNameProblem(value: string): string | undefined {
  if (value === '') return 'must not be empty';
  if (value.length > 253) return 'must be no more than 253 characters';
  if (value === '.') return "may not be '.'";
  if (value === '..') return "may not be '..'";
  if (value.includes('/')) return "may not contain '/'";
  if (value.includes('%')) return "may not contain '%'";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'may not contain control characters';
  return undefined;
}
