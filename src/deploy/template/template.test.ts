import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChartValuesError, parseTemplate, TemplateError, TemplateExecutor, templateFunctions } from './index.js';

async function render(source: string, dot: unknown = {}, helpers = ''): Promise<string> {
  const helperTemplate = parseTemplate(helpers, '_helpers.tpl');
  const main = parseTemplate(source, 'test.yaml');
  const defines = new Map([...helperTemplate.defines, ...main.defines]);
  const executor = new TemplateExecutor(defines, templateFunctions, (text, file) => parseTemplate(text, file).nodes);
  return executor.render(main.nodes, dot, 'test.yaml');
}

describe('Go templates as Helm runs them', () => {
  test('mistakes in a template are errors naming the file', async () => {
    const cases: [string, RegExp][] = [
      ['{{ .a ', /test\.yaml: unclosed action/],
      ['{{ if .a }}x', /test\.yaml: unclosed if/],
      ['{{ end }}', /test\.yaml: unexpected end/],
      ['{{ nope 1 }}', /test\.yaml: function "nope" not defined/],
      ['{{ constructor }}', /function "constructor" not defined/],
      ['{{ $x }}', /undefined variable \$x/],
      ['{{ include "missing" . }}', /no template "missing"/],
      ['{{ "a" 1 }}', /can't give arguments to a non-function/],
      ['{{ break }}', /break is not supported/],
    ];
    for (const [source, message] of cases)
      await assert.rejects(
        render(source),
        (error: Error) => error instanceof TemplateError && message.test(error.message),
        source,
      );
  });

  test("fail and required raise the chart's own message", async () => {
    await assert.rejects(
      render('{{ fail "replicas must be 1" }}'),
      (error: Error) => error instanceof ChartValuesError && error.message === 'replicas must be 1',
    );
    await assert.rejects(render('{{ required "url is required" .url }}', { url: '' }), ChartValuesError);
    assert.equal(await render('{{ required "url is required" .url }}', { url: 'x' }), 'x');
  });

  test('{{- and -}} trim the whitespace beside the action, newlines included', async () => {
    assert.equal(await render('a  \n  {{- "b" -}}  \n  c'), 'abc');
    assert.equal(await render('a {{ "b" }} c'), 'a b c');
    assert.equal(await render('a {{/* comment */}} c'), 'a  c');
    assert.equal(await render('a\n{{- /* comment */}}\nc'), 'a\nc');
  });

  test('if, else if, else and with follow Go truthiness', async () => {
    const source = '{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}';
    assert.equal(await render(source, { a: [1] }), 'A');
    assert.equal(await render(source, { a: [], b: { k: 1 } }), 'B');
    assert.equal(await render(source, { a: 0, b: '' }), 'C');
    assert.equal(await render('{{ with .m }}{{ .k }}{{ else }}none{{ end }}', { m: { k: 'v' } }), 'v');
    assert.equal(await render('{{ with .m }}{{ .k }}{{ else }}none{{ end }}', { m: {} }), 'none');
  });

  test('range over lists, maps in key order and numbers, with variables scoped to the block', async () => {
    assert.equal(await render('{{ range $i, $v := .l }}{{ $i }}={{ $v }};{{ end }}', { l: ['a', 'b'] }), '0=a;1=b;');
    assert.equal(
      await render('{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}', { m: { b: 2, a: 1 } }),
      'a=1;b=2;',
    );
    assert.equal(await render('{{ range .l }}[{{ . }}]{{ else }}empty{{ end }}', { l: [] }), 'empty');
    assert.equal(await render('{{ range 3 }}{{ . }}{{ end }}'), '012');
    assert.equal(await render('{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}'), '2');
    await assert.rejects(render('{{ if true }}{{ $y := 3 }}{{ end }}{{ $y }}'), /undefined variable \$y/);
    assert.equal(await render('{{ range .l }}{{ $.top }}{{ end }}', { l: [1, 2], top: 't' }), 'tt');
  });

  test('pipelines pass the value as the last argument; and/or return the deciding value', async () => {
    assert.equal(await render('{{ .name | default "x" | quote }}', { name: '' }), '"x"');
    assert.equal(await render('{{ "a-b-" | trimSuffix "-" }}'), 'a-b');
    assert.equal(await render('{{ or .a .b "c" }}', { a: '', b: 0 }), 'c');
    assert.equal(await render('{{ and .a .b }}', { a: 'x', b: '' }), '');
    assert.equal(await render('{{ and 1 "y" }}'), 'y');
    assert.equal(await render('{{ (printf "%s-%d" "a" 5) | len }}'), '3');
    assert.equal(await render('{{ eq .b "x" "y" }}', { b: 'y' }), 'true');
  });

  test('define, include and nindent build YAML as charts do', async () => {
    const helpers = '{{- define "labels" -}}\na: {{ .a }}\nb: "2"\n{{- end }}';
    assert.equal(
      await render('metadata:\n  labels:\n    {{- include "labels" . | nindent 4 }}\n', { a: 1 }, helpers),
      'metadata:\n  labels:\n    a: 1\n    b: "2"\n',
    );
    assert.equal(await render('{{ toYaml .v }}', { v: { b: [1, 2], a: 'x' } }), 'a: x\nb:\n- 1\n- 2');
    assert.equal(await render('{{ tpl .t . }}', { t: 'http://{{ .host }}', host: 'h' }), 'http://h');
    assert.equal(await render('{{ $m := dict "k" "v" }}{{ $_ := set $m "n" 1 }}{{ toJson $m }}'), '{"k":"v","n":1}');
  });

  test('genCA and genSignedCert make a CA and a certificate it signed, for exactly the names given', async () => {
    const source =
      '{{ $ca := genCA "test-ca" 1 }}{{ $c := genSignedCert "svc.ns.svc" nil (list "svc.ns.svc") 1 $ca }}{{ $ca.Cert | b64enc }} {{ $c.Cert | b64enc }} {{ $c.Key | b64enc }}';
    const [ca, cert, key] = (await render(source)).split(' ').map((b64) => Buffer.from(b64, 'base64').toString('utf8'));
    const { X509Certificate, createPrivateKey, createPublicKey } = await import('node:crypto');
    const caCert = new X509Certificate(ca!);
    const serving = new X509Certificate(cert!);
    assert.ok(serving.verify(caCert.publicKey));
    assert.equal(serving.subjectAltName, 'DNS:svc.ns.svc');
    assert.ok(createPublicKey(createPrivateKey(key!)).equals(serving.publicKey));
    assert.deepEqual(await render('{{ lookup "v1" "Secret" "ns" "name" | toJson }}'), '{}');
  });
});
