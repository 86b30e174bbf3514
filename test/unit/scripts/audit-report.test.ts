import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ALLOWLIST_FILE,
  type Allowlist,
  AuditUnavailableError,
  checkAudit,
  findingsOf,
  renderAudit,
} from '../../../scripts/audit-report.js';

/*
 * The checker of `npm run audit:report`, on npm audit reports kept as files (no network here):
 * report.json is an `npm audit --omit=dev --json` report (auditReportVersion 2, as npm 11 writes it)
 * with real advisories; unavailable.json is what npm writes when the registry does not answer the
 * audit endpoint (this machine's registry answers it 405).
 */

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/npm-audit', name), 'utf8'));
const report = fixture('report.json');
const TODAY = '2026-12-02';

describe('the findings of an npm audit report', () => {
  it('are its advisories, one per advisory and package, highest severity first', () => {
    const { findings, counts } = findingsOf(report);
    expect(findings.map((f) => [f.severity, f.package, f.id])).toEqual([
      ['critical', 'form-data', 'GHSA-fjxv-7rqg-78g4'],
      ['high', 'braces', 'GHSA-grv7-fg5c-xmjg'],
      ['high', 'fast-xml-parser', 'GHSA-mpg4-rc92-vx8v'],
      ['moderate', 'micromatch', 'GHSA-952p-6rrq-rcjv'],
    ]);
    // A package vulnerable only through another (@aws-sdk/core via fast-xml-parser) is not a finding
    // of its own: it is where the finding reaches the app.
    expect(findings.find((f) => f.package === 'fast-xml-parser')).toMatchObject({
      effects: ['@aws-sdk/core'],
      range: '<4.4.1',
      fix: 'npm audit fix',
    });
    expect(findings[0]?.fix).toBe('form-data@4.0.4');
    expect(counts).toMatchObject({ high: 3, critical: 1, total: 5 });
  });

  it('cannot be read from what npm writes when the registry refuses the audit', () => {
    expect(() => findingsOf(fixture('unavailable.json'))).toThrow(AuditUnavailableError);
    expect(() => findingsOf(fixture('unavailable.json'))).toThrow(/405 Method Not Allowed/);
  });
});

describe('the allowlist check', () => {
  const allow = (...advisories: Allowlist['advisories']): Allowlist => ({ advisories });

  it('blocks every high or critical finding that is not allowed, never a moderate one', () => {
    const check = checkAudit(report, allow(), TODAY);
    expect(check.blocking.map((f) => f.id)).toEqual([
      'GHSA-fjxv-7rqg-78g4',
      'GHSA-grv7-fg5c-xmjg',
      'GHSA-mpg4-rc92-vx8v',
    ]);
    const { text, ok } = renderAudit(check);
    expect(ok).toBe(false);
    expect(text).toContain('High or critical, neither fixed nor allowed');
    expect(text).toContain('critical form-data >=4.0.0 <4.0.4  GHSA-fjxv-7rqg-78g4');
  });

  it('passes when each is allowed with a reason, and lists what it allowed', () => {
    const check = checkAudit(
      report,
      allow(
        { id: 'GHSA-fjxv-7rqg-78g4', package: 'form-data', reason: 'no multipart request is ever built' },
        {
          id: 'ghsa-grv7-fg5c-xmjg',
          reason: 'build tooling only, never given user input',
          until: '2027-01-31',
        },
        { id: 'GHSA-mpg4-rc92-vx8v', reason: 'the SDK parses only AWS answers' },
      ),
      TODAY,
    );
    expect(check.blocking).toEqual([]);
    expect(check.allowed.map(({ finding }) => finding.package)).toEqual([
      'form-data',
      'braces',
      'fast-xml-parser',
    ]);
    const { text, ok } = renderAudit(check);
    expect(ok).toBe(true);
    expect(text).toContain(
      'GHSA-grv7-fg5c-xmjg braces: build tooling only, never given user input (until 2027-01-31)',
    );
    expect(text).toContain('OK: every high or critical finding is fixed or allowed.');
  });

  it('does not count an entry without a reason or past its date, and names entries that match nothing', () => {
    const check = checkAudit(
      report,
      allow(
        { id: 'GHSA-fjxv-7rqg-78g4', reason: ' ' },
        { id: 'GHSA-grv7-fg5c-xmjg', reason: 'accepted', until: '2026-11-30' },
        { id: 'GHSA-mpg4-rc92-vx8v', reason: 'accepted' },
        { id: 'GHSA-0000-0000-0000', package: 'left-pad', reason: 'fixed since' },
      ),
      TODAY,
    );
    expect(check.invalid.map(({ entry, problem }) => `${entry.id}: ${problem}`)).toEqual([
      'GHSA-fjxv-7rqg-78g4: no reason given',
      'GHSA-grv7-fg5c-xmjg: expired on 2026-11-30',
    ]);
    expect(check.blocking.map((f) => f.id)).toEqual(['GHSA-fjxv-7rqg-78g4', 'GHSA-grv7-fg5c-xmjg']);
    expect(check.stale.map((entry) => entry.id)).toEqual(['GHSA-0000-0000-0000']);
    const { text, ok } = renderAudit(check);
    expect(ok).toBe(false);
    expect(text).toContain('GHSA-0000-0000-0000 (left-pad)');
  });

  it('passes on a report with nothing found, and the shipped allowlist is well formed', () => {
    const clean = {
      auditReportVersion: 2,
      vulnerabilities: {},
      metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 } },
    };
    const shipped = JSON.parse(readFileSync(ALLOWLIST_FILE, 'utf8')) as Allowlist;
    const check = checkAudit(clean, shipped, TODAY);
    expect(check.invalid).toEqual([]);
    expect(renderAudit(check).ok).toBe(true);
    for (const entry of shipped.advisories) expect(entry.id).toMatch(/^GHSA-[\w-]+$/);
  });
});
