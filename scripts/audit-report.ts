import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * `npm run audit:report`: the advisories `npm audit --omit=dev` knows for the packages the app ships
 * (dependencies, not devDependencies), reported rather than asserted: a new advisory must not break
 * an unchanged build, so `npm test` does not run this. What it checks is that every high or critical
 * finding is either fixed (no longer reported) or listed, with its reason, in audit-allowlist.json.
 *
 * Exit code: 0 when that holds (or when the audit service could not be asked: then it says so),
 * 1 when a high or critical finding is neither fixed nor allowed, or an allowlist entry is invalid
 * (no reason, or past its `until` date). Allowlist entries that match nothing any more are listed
 * as stale, to be removed.
 */

export const SEVERITIES = ['info', 'low', 'moderate', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** Findings at or above this must be fixed or allowed. */
const GATED: ReadonlySet<Severity> = new Set(['high', 'critical']);

export interface AllowlistEntry {
  /** The advisory: its GHSA id (`GHSA-xxxx-xxxx-xxxx`), as in the advisory's URL. */
  readonly id: string;
  /** The vulnerable package the advisory is about (documentation; the id is what matches). */
  readonly package?: string;
  /** Why it is accepted for now: not reachable in this app, no fix yet, fix pending upstream... */
  readonly reason: string;
  /** ISO date after which the entry no longer counts (review it by then). Optional. */
  readonly until?: string;
}

export interface Allowlist {
  readonly advisories: readonly AllowlistEntry[];
}

export interface Finding {
  /** GHSA id, else `npm-<source>`. */
  readonly id: string;
  readonly package: string;
  readonly severity: Severity;
  readonly title: string;
  readonly url?: string;
  /** Vulnerable versions. */
  readonly range?: string;
  /** Installed copies (node_modules paths). */
  readonly nodes: readonly string[];
  /** Packages that depend on the vulnerable one (what pulls it in). */
  readonly effects: readonly string[];
  /** What `npm audit fix` could do: a version, a semver-major change, or nothing. */
  readonly fix: string;
}

export interface AuditCheck {
  /** Every finding, by severity (highest first). */
  readonly findings: readonly Finding[];
  /** High or critical, neither fixed nor allowed: to act on. */
  readonly blocking: readonly Finding[];
  /** High or critical, allowed, with the entry that allows it. */
  readonly allowed: readonly { finding: Finding; entry: AllowlistEntry }[];
  /** Allowlist entries that no finding matches any more (fixed: remove them). */
  readonly stale: readonly AllowlistEntry[];
  /** Allowlist entries that cannot count: no reason, or expired. */
  readonly invalid: readonly { entry: AllowlistEntry; problem: string }[];
  /** Counts by severity, as npm gives them. */
  readonly counts: Partial<Record<Severity | 'total', number>>;
}

/** What `npm audit --json` wrote when it could not ask the registry (no report). */
export class AuditUnavailableError extends Error {
  override readonly name = 'AuditUnavailableError';
}

interface Advisory {
  readonly source?: number;
  readonly name?: string;
  readonly title?: string;
  readonly url?: string;
  readonly severity?: string;
  readonly range?: string;
}
interface Vulnerability {
  readonly name?: string;
  readonly severity?: string;
  readonly via?: readonly (string | Advisory)[];
  readonly effects?: readonly string[];
  readonly range?: string;
  readonly nodes?: readonly string[];
  readonly fixAvailable?: boolean | { name: string; version: string; isSemVerMajor?: boolean };
}
interface AuditReport {
  readonly auditReportVersion?: number;
  readonly vulnerabilities?: Record<string, Vulnerability>;
  readonly metadata?: { vulnerabilities?: Partial<Record<Severity | 'total', number>> };
  readonly error?: { summary?: string; detail?: string };
  readonly message?: string;
}

const severityOf = (value: string | undefined): Severity =>
  (SEVERITIES as readonly string[]).includes(value ?? '') ? (value as Severity) : 'info';

const idOf = (advisory: Advisory): string =>
  /\/(GHSA-[\w-]+)$/i.exec(advisory.url ?? '')?.[1] ?? `npm-${advisory.source ?? 'unknown'}`;

const fixOf = (fix: Vulnerability['fixAvailable']): string => {
  if (fix === true) return 'npm audit fix';
  if (fix && typeof fix === 'object')
    return `${fix.name}@${fix.version}${fix.isSemVerMajor ? ' (semver-major)' : ''}`;
  return 'no fix available';
};

/** The findings of an `npm audit --json` report (auditReportVersion 2): one per advisory and package. */
export const findingsOf = (json: unknown): { findings: Finding[]; counts: AuditCheck['counts'] } => {
  const report = json as AuditReport;
  if (report.auditReportVersion !== 2 || typeof report.vulnerabilities !== 'object') {
    const why = report.message ?? report.error?.summary ?? 'not an npm audit report (auditReportVersion 2)';
    throw new AuditUnavailableError(why);
  }
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const [key, vulnerability] of Object.entries(report.vulnerabilities)) {
    // `via` names either advisories (objects) or the packages it is vulnerable through (strings):
    // only the advisories are findings, the rest is how they reach the app (`effects`).
    for (const via of vulnerability.via ?? []) {
      if (typeof via === 'string') continue;
      const finding: Finding = {
        id: idOf(via),
        package: via.name ?? vulnerability.name ?? key,
        severity: severityOf(via.severity ?? vulnerability.severity),
        title: via.title ?? '(no title)',
        ...(via.url ? { url: via.url } : {}),
        ...((via.range ?? vulnerability.range) ? { range: via.range ?? vulnerability.range } : {}),
        nodes: [...(vulnerability.nodes ?? [])],
        effects: [...(vulnerability.effects ?? [])],
        fix: fixOf(vulnerability.fixAvailable),
      };
      const unique = `${finding.id} ${finding.package}`;
      if (seen.has(unique)) continue;
      seen.add(unique);
      findings.push(finding);
    }
  }
  const rank = (f: Finding) => SEVERITIES.indexOf(f.severity);
  findings.sort((a, b) => rank(b) - rank(a) || a.package.localeCompare(b.package));
  return { findings, counts: { ...(report.metadata?.vulnerabilities ?? {}) } };
};

/** Checks the findings of a report against the allowlist, as of `today` (YYYY-MM-DD). */
export const checkAudit = (json: unknown, allowlist: Allowlist, today: string): AuditCheck => {
  const { findings, counts } = findingsOf(json);
  const invalid: AuditCheck['invalid'][number][] = [];
  const valid = new Map<string, AllowlistEntry>();
  for (const entry of allowlist.advisories) {
    if (!entry.reason?.trim()) invalid.push({ entry, problem: 'no reason given' });
    else if (entry.until && entry.until < today)
      invalid.push({ entry, problem: `expired on ${entry.until}` });
    else valid.set(entry.id.toUpperCase(), entry);
  }
  const gated = findings.filter((f) => GATED.has(f.severity));
  const allowed = gated.flatMap((finding) => {
    const entry = valid.get(finding.id.toUpperCase());
    return entry ? [{ finding, entry }] : [];
  });
  const blocking = gated.filter((f) => !valid.has(f.id.toUpperCase()));
  const reported = new Set(findings.map((f) => f.id.toUpperCase()));
  const stale = allowlist.advisories.filter((entry) => !reported.has(entry.id.toUpperCase()));
  return { findings, blocking, allowed, stale, invalid, counts };
};

const line = (f: Finding) =>
  `  ${f.severity.padEnd(8)} ${f.package}${f.range ? ` ${f.range}` : ''}  ${f.id}  ${f.title}` +
  `${f.effects.length > 0 ? `  (via ${f.effects.join(', ')})` : ''}  fix: ${f.fix}`;

/** The report as printed, and whether it passes. */
export const renderAudit = (check: AuditCheck): { text: string; ok: boolean } => {
  const out: string[] = [];
  const counts = SEVERITIES.filter((s) => check.counts[s])
    .map((s) => `${check.counts[s]} ${s}`)
    .join(', ');
  out.push(
    `npm audit --omit=dev: ${check.findings.length} advisor${check.findings.length === 1 ? 'y' : 'ies'}` +
      `${counts ? ` (packages: ${counts})` : ''}`,
  );
  for (const finding of check.findings) out.push(line(finding));
  if (check.allowed.length > 0) {
    out.push('', 'Allowed (audit-allowlist.json):');
    for (const { finding, entry } of check.allowed)
      out.push(
        `  ${finding.id} ${finding.package}: ${entry.reason}${entry.until ? ` (until ${entry.until})` : ''}`,
      );
  }
  if (check.blocking.length > 0) {
    out.push(
      '',
      'High or critical, neither fixed nor allowed: upgrade, or list in audit-allowlist.json with a reason:',
    );
    for (const finding of check.blocking) out.push(line(finding));
  }
  if (check.invalid.length > 0) {
    out.push('', 'Allowlist entries that do not count:');
    for (const { entry, problem } of check.invalid) out.push(`  ${entry.id}: ${problem}`);
  }
  if (check.stale.length > 0) {
    out.push('', 'Allowlist entries no advisory matches any more (fixed): remove them:');
    for (const entry of check.stale) out.push(`  ${entry.id}${entry.package ? ` (${entry.package})` : ''}`);
  }
  const ok = check.blocking.length === 0 && check.invalid.length === 0;
  out.push(
    '',
    ok
      ? 'OK: every high or critical finding is fixed or allowed.'
      : 'NOT OK: see above (this report is not part of npm test; act on it).',
  );
  return { text: out.join('\n'), ok };
};

const ROOT = join(import.meta.dirname, '..');
export const ALLOWLIST_FILE = join(ROOT, 'audit-allowlist.json');

/** Runs `npm audit --omit=dev --json` here; its exit code says only that something was found. */
const runNpmAudit = (): unknown => {
  const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (run.error) throw new AuditUnavailableError(`npm audit did not run: ${run.error.message}`);
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new AuditUnavailableError(
      `npm audit wrote no JSON: ${(run.stderr || run.stdout).trim().slice(0, 500)}`,
    );
  }
};

const main = (): number => {
  const allowlist = JSON.parse(readFileSync(ALLOWLIST_FILE, 'utf8')) as Allowlist;
  const today = new Date().toISOString().slice(0, 10);
  let check: AuditCheck;
  try {
    check = checkAudit(runNpmAudit(), allowlist, today);
  } catch (error) {
    if (!(error instanceof AuditUnavailableError)) throw error;
    console.log(
      `npm audit --omit=dev could not get a report: ${error.message}\n` +
        `Nothing was checked (${allowlist.advisories.length} allowlist entr${allowlist.advisories.length === 1 ? 'y' : 'ies'} kept as they are). ` +
        'Run it again where the registry answers the audit endpoint.',
    );
    return 0;
  }
  const { text, ok } = renderAudit(check);
  console.log(text);
  return ok ? 0 : 1;
};

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main();
