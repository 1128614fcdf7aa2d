/**
 * The status page's HTML, rendered on the server: back-end readiness, request rates, the metrics
 * served with their objects, last values, ages and a plot under each table, and the explain form (which
 * starts with a sample HPA built from a served metric). Every dynamic value is escaped; the only script
 * re-fetches the page to refresh the metrics section and shows a plot point's value under the pointer.
 * @module
 */
import type { MetricQueryView } from '../../metric-queries/status-of.js';
import type { BackendHealth, Readiness } from '../../providers/health.js';
import type { RequestCount } from '../self-metrics.js';
import { escapeHtml as e, formatAge } from './html.js';
import type { MetricSnapshot } from './metric-snapshot.js';
import { formatOfValues } from './axis.js';
import { renderPlot } from './plot.js';
import { sampleHpa } from './sample-hpa.js';
import type { Point } from './sampler.js';

export interface ExplainView {
  readonly yaml: string;
  readonly currentReplicas: string;
  readonly selector: string;
  /** The `--history` file's text (recommendations and scale events); may be absent. */
  readonly history?: string;
  /** The explanation as text, or the one-line mistake. */
  readonly text?: string;
  readonly summary?: string;
  readonly error?: string;
}

/** What the page and `/debug/metrics` both show. */
export interface StatusModel {
  readonly now: number;
  readonly readiness: Readiness;
  /** Each back end of a routing config, when there is one. */
  readonly backends?: readonly BackendHealth[];
  /** With a cluster and `--metric-queries`: every MetricQuery object. */
  readonly metricQueries?: readonly MetricQueryView[];
  readonly metrics: readonly MetricSnapshot[];
  readonly windowMs: number;
  readonly requests: {
    readonly perSecond: number | undefined;
    readonly total: number;
    readonly counts: readonly RequestCount[];
  };
}

export interface PageModel extends StatusModel {
  readonly history: (metricKey: string) => ReadonlyMap<string, readonly Point[]>;
  readonly explain?: ExplainView;
}

const styles = `
body{font:15px/1.45 system-ui,sans-serif;color:#1a1a1a;background:#fff;margin:0 auto;max-width:1100px;padding:1rem 1.5rem}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;margin-top:1.6rem;border-bottom:1px solid #ccc}h3{font-size:1rem;margin:1rem 0 .3rem}
table{border-collapse:collapse;margin:.3rem 0}th,td{text-align:left;padding:.2rem .7rem .2rem 0;vertical-align:top}th{border-bottom:1px solid #999}
td.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#555}.ok{color:#0a6b2e;font-weight:600}.bad{color:#a40000;font-weight:600}
.metric{border-top:1px solid #eee;padding-top:.4rem;margin-bottom:1rem}
.plot-box{position:relative;margin-top:.4rem}.plot{display:block;width:100%;height:auto}.plot .point{cursor:crosshair}.plot .point.active{stroke:#000;stroke-width:2}
.plot-tip{position:absolute;pointer-events:none;background:#1a1a1a;color:#fff;font-size:13px;padding:.15rem .45rem;border-radius:3px;white-space:nowrap}
.legend{list-style:none;padding:0;margin:0;font-size:12px}.legend li{display:inline-block;margin-right:.8rem}.swatch{display:inline-block;width:10px;height:10px;margin-right:4px}
label{display:block;font-weight:600;margin-top:.5rem}textarea{width:100%;font:13px/1.35 ui-monospace,monospace}input{font:inherit}
button{font:inherit;margin-top:.6rem;padding:.3rem 1rem}pre{background:#f4f4f4;padding:.7rem;font-size:13px;white-space:pre-wrap;overflow-wrap:anywhere}
:focus-visible{outline:3px solid #0072B2;outline-offset:2px}.error{color:#a40000}.decision{font-weight:600}
`;

function ageClass(seconds: number): string {
  return seconds > 300 ? 'bad' : '';
}

function renderMetric(m: MetricSnapshot, model: PageModel): string {
  const rows = m.values.map((v) => {
    const age = (model.now - v.timestamp) / 1000;
    return `<tr><td>${e(v.object)}</td><td class="num">${e(v.value)}</td><td class="num ${ageClass(age)}">${e(formatAge(age))}</td></tr>`;
  });
  const table =
    m.error !== undefined
      ? `<p class="error">error: ${e(m.error)}</p>`
      : rows.length === 0
        ? '<p class="muted">No values.</p>'
        : `<table><thead><tr><th scope="col">object</th><th scope="col">value</th><th scope="col">age</th></tr></thead><tbody>${rows.join('')}</tbody></table>${m.truncated ? '<p class="muted">More objects exist; showing the first ones.</p>' : ''}`;
  const format = formatOfValues(m.values.map((v) => v.value));
  return `<section class="metric" aria-labelledby="${e(anchor(m.key))}"><h3 id="${e(anchor(m.key))}">${e(m.title)}</h3>${table}${renderPlot(m.title, model.history(m.key), model.now, model.windowMs, { format })}</section>`;
}

function anchor(key: string): string {
  return `m-${key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function renderRequests(model: PageModel): string {
  const rate =
    model.requests.perSecond === undefined
      ? 'not sampled yet'
      : `${model.requests.perSecond.toFixed(2)} requests/s over the sampled window (up to ${Math.round(model.windowMs / 60_000)} minutes)`;
  const rows = [...model.requests.counts]
    .sort((a, b) => b.count - a.count)
    .slice(0, 20)
    .map(
      (r) =>
        `<tr><td>${e(r.verb)}</td><td>${e(r.group === '' ? '-' : r.group)}</td><td>${e(r.version === '' ? '-' : r.version)}</td><td class="num">${e(r.code)}</td><td class="num">${e(r.count)}</td></tr>`,
    );
  return `<p>${e(model.requests.total)} requests answered; ${e(rate)}.</p>${rows.length === 0 ? '' : `<table><thead><tr><th scope="col">verb</th><th scope="col">group</th><th scope="col">version</th><th scope="col">code</th><th scope="col">count</th></tr></thead><tbody>${rows.join('')}</tbody></table>`}`;
}

function renderExplain(view: ExplainView | undefined, metrics: readonly MetricSnapshot[]): string {
  const v = view ?? { ...sampleHpa(metrics), selector: '' };
  const result =
    v.error !== undefined
      ? `<p class="error" role="alert">error: ${e(v.error)}</p>`
      : v.text !== undefined
        ? `<p class="decision" role="status">${e(v.summary ?? '')}</p><pre>${e(v.text)}</pre>`
        : '';
  // NB: the fragment makes the browser scroll the answer into view when the page comes back.
  return `<form method="post" action="/ui/explain#explain-result">
<label for="hpa-yaml">HorizontalPodAutoscaler (autoscaling/v2 YAML, e.g. from kubectl get hpa -o yaml)</label>
<textarea id="hpa-yaml" name="yaml" rows="14" required spellcheck="false">${e(v.yaml)}</textarea>
<label for="current-replicas">Current replicas <span class="muted">(default: the manifest's status.currentReplicas)</span></label>
<input id="current-replicas" name="currentReplicas" inputmode="numeric" pattern="[0-9]*" value="${e(v.currentReplicas)}">
<label for="pod-selector">Pod selector of the target <span class="muted">(scale.status.selector, e.g. app=web)</span></label>
<input id="pod-selector" name="selector" size="40" value="${e(v.selector)}">
<label for="hpa-history">History <span class="muted">(optional, as explain --history: recommendations and scaleEvents, YAML)</span></label>
<textarea id="hpa-history" name="history" rows="4" spellcheck="false">${e(v.history ?? '')}</textarea>
<div><button type="submit">Explain</button></div>
</form>
<div id="explain-result">${result}</div>`;
}

function renderMetricQueries(views: readonly MetricQueryView[]): string {
  const state = (text: string) =>
    text === 'True' ? '<span class="ok">True</span>' : text === 'False' ? '<span class="bad">False</span>' : e(text);
  const rows = views.map(
    (v) =>
      `<tr><td>${e(v.object)}</td><td>${e(v.servedAs)}</td><td>${e(v.backend)}</td><td>${state(v.valid)}</td><td>${e(v.active)}</td><td class="num">${e(v.value ?? '')}</td><td>${e(v.message)}</td></tr>`,
  );
  return `<section id="metric-queries" aria-labelledby="metric-queries-heading"><h2 id="metric-queries-heading">MetricQuery objects (${e(views.length)})</h2>
<table><thead><tr><th scope="col">object</th><th scope="col">served as</th><th scope="col">back end</th><th scope="col">valid</th><th scope="col">active</th><th scope="col">value</th><th scope="col">message</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function renderBackends(backends: readonly BackendHealth[]): string {
  const rows = backends.map(
    (b) =>
      `<tr><td>${e(b.name)}</td><td>${e(b.kind)}</td><td>${b.ready ? '<span class="ok">ready</span>' : `<span class="bad">not ready</span>: ${e(b.message ?? 'no reason given')}`}</td><td class="num">${e(b.customMetrics)}</td><td class="num">${e(b.externalMetrics)}</td></tr>`,
  );
  return `<section id="backends" aria-labelledby="backends-heading"><h2 id="backends-heading">Back ends (${e(backends.length)})</h2>
<table><thead><tr><th scope="col">name</th><th scope="col">kind</th><th scope="col">state</th><th scope="col">custom metrics</th><th scope="col">external metrics</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

export function renderPage(model: PageModel): string {
  const ready = model.readiness.ready
    ? '<span class="ok">ready</span>'
    : `<span class="bad">not ready</span>: ${e(model.readiness.message ?? 'no reason given')}`;
  const summary = model.metrics.map((m) => {
    const newest = Math.max(...m.values.map((v) => v.timestamp), Number.NEGATIVE_INFINITY);
    const age = Number.isFinite(newest) ? formatAge((model.now - newest) / 1000) : '-';
    return `<tr><td><a href="#${e(anchor(m.key))}">${e(m.title)}</a></td><td>${e(m.api)}</td><td class="num">${e(m.values.length)}${m.truncated ? '+' : ''}</td><td class="num">${e(age)}</td></tr>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>metrics-adapter status</title><style>${styles}</style></head>
<body><header><h1>metrics-adapter status</h1><p>Back end: ${ready}. <span class="muted">Rendered ${e(new Date(model.now).toISOString())}.</span></p></header>
<main>
${model.backends === undefined ? '' : renderBackends(model.backends)}
${model.metricQueries === undefined ? '' : renderMetricQueries(model.metricQueries)}
<section id="metrics" aria-labelledby="metrics-heading"><h2 id="metrics-heading">Metrics served (${e(model.metrics.length)})</h2>
${summary.length === 0 ? '<p class="muted">No metrics yet. Write one with POST /write-metrics/… or /write-external-metrics/….</p>' : `<table><thead><tr><th scope="col">metric</th><th scope="col">API</th><th scope="col">objects</th><th scope="col">newest value age</th></tr></thead><tbody>${summary.join('')}</tbody></table>`}
${model.metrics.map((m) => renderMetric(m, model)).join('\n')}
</section>
<section aria-labelledby="requests-heading"><h2 id="requests-heading">Requests</h2>${renderRequests(model)}</section>
<section aria-labelledby="explain-heading"><h2 id="explain-heading">Why doesn't my HPA scale? (explain)</h2>
<p class="muted">Runs the HPA controller's calculation against the values this adapter serves now. Pod readiness is unknown here: returned pods count as ready.</p>
${renderExplain(model.explain, model.metrics)}</section>
</main>
<script>
// Refresh the metrics section every 15 s without touching the explain form.
setInterval(function () {
  fetch('/ui', { credentials: 'same-origin' }).then(function (r) { return r.text(); }).then(function (html) {
    var next = new DOMParser().parseFromString(html, 'text/html').getElementById('metrics');
    var current = document.getElementById('metrics');
    if (next && current) current.replaceWith(next);
  }).catch(function () {});
}, 15000);
// Show a plot point's value next to the pointer: the point nearest to it in the plot under it.
document.addEventListener('pointermove', function (event) {
  var target = event.target;
  var box = target && target.closest ? target.closest('.plot-box') : null;
  document.querySelectorAll('.plot-tip:not([hidden])').forEach(function (tip) { if (tip.parentNode !== box) tip.hidden = true; });
  document.querySelectorAll('.plot .point.active').forEach(function (p) { if (!box || !box.contains(p)) p.classList.remove('active'); });
  if (!box) return;
  var best = null, bestDistance = Infinity;
  box.querySelectorAll('.point').forEach(function (point) {
    var r = point.getBoundingClientRect();
    var dx = r.left + r.width / 2 - event.clientX, dy = r.top + r.height / 2 - event.clientY;
    var distance = dx * dx + dy * dy;
    if (distance < bestDistance) { best = point; bestDistance = distance; }
  });
  var tip = box.querySelector('.plot-tip');
  if (!best || !tip || bestDistance > 40 * 40) { if (tip) tip.hidden = true; if (best) best.classList.remove('active'); return; }
  box.querySelectorAll('.point.active').forEach(function (p) { if (p !== best) p.classList.remove('active'); });
  best.classList.add('active');
  var at = best.getBoundingClientRect(), outer = box.getBoundingClientRect();
  tip.textContent = best.getAttribute('data-label');
  tip.hidden = false;
  var left = at.left - outer.left + 10;
  if (left + tip.offsetWidth > outer.width) left = at.left - outer.left - tip.offsetWidth - 10;
  tip.style.left = left + 'px';
  tip.style.top = Math.max(0, at.top - outer.top - tip.offsetHeight - 6) + 'px';
});
</script>
</body></html>
`;
}
