/**
 * The `demo` and `generate` commands, end to end on a tiny testbed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../cli/main';

jest.setTimeout(240_000);

let dir: string;
let stdout: string[];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-cli-demo-'));
  stdout = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout.push(String(s));
    return true;
  });
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('chameleon-usage generate', () => {
  it('refuses a run without --out or --mysql, and a scale that is not a positive number (exit 2)', async () => {
    expect(await main(['generate'])).toBe(2);
    expect(await main(['generate', '--out', dir, '--scale', 'lots'])).toBe(2);
    expect(await main(['generate', '--out', dir, '--scale', '0'])).toBe(2);
    expect(await main(['generate', '--out', dir, '--site', 'chi_nowhere'])).toBe(2);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('writes one snapshot per site asked for and says what it wrote', async () => {
    expect(await main(['generate', '--out', dir, '--scale', '0.02', '--site', 'chi_uc', '--seed', '5', '-q'])).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(['chi_uc.sqlite']);
    expect(stdout.join('')).toMatch(/chi_uc: \d+ hosts, \d+ leases, \d+ instances -> \d+ rows/);
  });
});

describe('chameleon-usage demo', () => {
  it('generates the four sites (three host sites and the CHI@Edge device site), reports on them and lists the outputs', async () => {
    expect(await main(['demo', '--out', dir, '--scale', '0.02', '--no-plots', '-q'])).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'demo')).sort()).toEqual(['chi_edge.sqlite', 'chi_tacc.sqlite', 'chi_uc.sqlite', 'kvm_tacc.sqlite']);
    const daily = fs.readFileSync(path.join(dir, 'data', 'usage_daily.csv'), 'utf8').split('\n');
    expect(daily[0]).toContain('node_type');
    const book = fs.readFileSync(path.join(dir, 'data', 'booking_timeline.csv'), 'utf8').split('\n');
    expect(book[0]).toBe('site,timestamp,horizon_days,node_type,value_type,booked,free,holds,reservable');
    expect(new Set(book.slice(1).filter((l) => l !== '').map((l) => l.split(',')[0]))).toEqual(new Set(['chi_tacc', 'chi_uc', 'kvm_tacc']));
    const leads = fs.readFileSync(path.join(dir, 'data', 'projected_leadtime.csv'), 'utf8').split('\n');
    expect(leads[0]).toBe('site,timestamp,node_type,request,nodes,hours,lead_time_hours,capped');
    expect(leads.length).toBeGreaterThan(100);
    expect(new Set(daily.slice(1).filter((l) => l !== '').map((l) => l.split(',')[1]))).toEqual(new Set(['chi_edge', 'chi_tacc', 'chi_uc', 'kvm_tacc']));
    // active and stopped everywhere, the on-demand pool on KVM@TACC only
    const head = daily[0].split(',');
    const col = (name: string) => head.indexOf(name);
    const rowsOf = (site: string) => daily.slice(1).filter((l) => l.split(',')[1] === site).map((l) => l.split(','));
    for (const site of ['chi_tacc', 'chi_uc', 'kvm_tacc']) expect(rowsOf(site).some((r) => r[col('stopped')] !== '' && Number(r[col('stopped')]) > 0)).toBe(true);
    expect(rowsOf('kvm_tacc').some((r) => r[col('ondemand_capacity')] !== '')).toBe(true);
    expect(rowsOf('chi_uc').every((r) => r[col('ondemand_capacity')] === '')).toBe(true);
    // devices on CHI@Edge only: reservable and committed devices, total not covered (empty), never 0
    const vt = col('value_type');
    expect(new Set(daily.slice(1).filter((l) => l !== '').map((l) => l.split(',')).filter((r) => r[vt] === 'devices').map((r) => r[1]))).toEqual(new Set(['chi_edge']));
    const edgeDevices = rowsOf('chi_edge').filter((r) => r[vt] === 'devices');
    expect(edgeDevices.some((r) => Number(r[col('reservable')]) > 0 && r[col('committed')] !== '')).toBe(true);
    expect(edgeDevices.every((r) => r[col('total')] === '' && r[col('maintenance')] === '')).toBe(true);
    const util = fs.readFileSync(path.join(dir, 'data', 'utilization_monthly.csv'), 'utf8').trimEnd().split('\n');
    expect(util[0]).toBe('site,month,node_type,value_type,reservable,committed,occupied,active,committed_pct,occupied_pct,active_pct,ondemand_pct');
    expect(util.some((l) => /^kvm_tacc,2024-01,all,nodes,.*,\d+(\.\d+)?$/.test(l))).toBe(true);
    const text = stdout.join('');
    expect(text).toContain(path.join(dir, 'data', 'audit.json').replace(/^\//, ''));
    expect(text).toMatch(/chi_tacc: \d+ rows read, \d+ rejected with a reason; covered: total from 2018-01-01, reservable from 2020-01-01/);
    // the interactive page, and where it is
    const page = path.join(dir, 'report.html');
    const rel = path.relative(process.cwd(), page);
    expect(text).toContain(`interactive report (open in a browser; no network needed): ${rel.startsWith('..') ? page : rel}`);
    expect(fs.readFileSync(path.join(dir, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
  });
});
