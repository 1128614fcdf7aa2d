// A node:test reporter that writes one JSON line per skipped test ({file, name, reason}) and nothing else.
// scripts/test.mjs runs it beside the normal reporter and reads its file to enforce the CI skip policy.
export default async function* skipReporter(source) {
  for await (const event of source) {
    if (
      (event.type === 'test:pass' || event.type === 'test:fail') &&
      event.data.skip !== undefined &&
      event.data.skip !== false
    ) {
      const reason = typeof event.data.skip === 'string' ? event.data.skip : '';
      yield `${JSON.stringify({ file: event.data.file ?? '', name: event.data.name, reason })}\n`;
    }
  }
}
