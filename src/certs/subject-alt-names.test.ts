import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CertificateError } from './certificate-error.js';
import { collectSubjectAltNames } from './subject-alt-names.js';

test('collectSubjectAltNames rejects names a certificate cannot carry', () => {
  const cases: [string[], string[], RegExp][] = [
    [[''], [], /not a usable host name for the serving certificate: ""/],
    [['bad host'], [], /not a usable host name/],
    [['héllo.example'], [], /not a usable host name/],
    [[], ['localhost'], /not an IP address for the serving certificate: "localhost"/],
    [[], ['300.1.1.1'], /not an IP address/],
    [[], ['fe80::1%eth0'], /not an IP address/],
    [['fe80::1%eth0'], [], /not a usable host name/],
  ];
  for (const [hosts, ips, message] of cases) {
    assert.throws(
      () => collectSubjectAltNames(hosts, ips),
      (error: unknown) => error instanceof CertificateError && message.test(error.message),
      `${hosts} ${ips}`,
    );
  }
});

test('collectSubjectAltNames always adds the loopback names', () => {
  assert.deepEqual(collectSubjectAltNames([]), { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] });
});

test('collectSubjectAltNames sorts IPs out of hosts, lower-cases and deduplicates', () => {
  const names = collectSubjectAltNames(
    ['Metrics.Custom-Metrics.svc', '10.0.0.7', 'localhost', 'metrics.custom-metrics.svc'],
    ['0:0::1', 'FD00::A', '10.0.0.7'],
  );
  assert.deepEqual(names, {
    dnsNames: ['localhost', 'metrics.custom-metrics.svc'],
    ipAddresses: ['127.0.0.1', '::1', 'fd00::a', '10.0.0.7'],
  });
});
