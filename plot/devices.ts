/**
 * The device stack of a site with Blazar devices (CHI@Edge): the usage stack of the value type
 * `devices`. A device site has no Nova (no `total`, no instances), so the host stack
 * (`usageStack`: used, idle, available, maintenance up to total) would be unknown everywhere;
 * the device stack draws what is known, bottom to top: devices reserved by users' leases
 * (`committed`), held by operator leases (`ops`) and free (`available`), whose sum is the
 * reservable devices (the dashed line). Per device type the counts are in the usage timeline
 * (grouped by node type: the device's `machine_name`).
 *
 * Not covered (before the first device row or lease, or where a source is missing) is shaded
 * "no data", never drawn as 0.
 *
 * @since 0.4.0
 */
import type { ChartDataset } from 'chart.js';
import type { CountType } from '../lib/CountType';
import type { UsageRow } from '../lib/UsageRow';
import { countAxis, displayName, HEIGHT, line, noDataEntry, regionsOf, timeAxis, titles, WIDTH, windowOf, type Figure, type SiteOptions } from './configs';
import { gapsPlugin } from './gaps';
import { stackColors } from './palette';
import { niceMax } from './scales';
import * as S from './series';

/** The layers of the device stack, bottom first. @category model @since 0.4.0 */
export const deviceLayers = ['committed', 'ops', 'available'] as const satisfies ReadonlyArray<CountType>;

const labels: Readonly<Record<(typeof deviceLayers)[number], string>> = {
  committed: 'reserved (users\' device leases)',
  ops: 'operator holds',
  available: 'available (reservable, not reserved)',
};

const colors: Readonly<Record<(typeof deviceLayers)[number], string>> = {
  committed: stackColors.used,
  ops: stackColors.maintenance,
  available: stackColors.available,
};

/** The summed series of a count type (rows of collector `new`, value type devices), held until its next gap. */
const series = (rows: ReadonlyArray<UsageRow>, ct: CountType, window: S.Window, cov: S.SiteCoverage | undefined): S.Steps => {
  const gaps = cov === undefined ? [] : S.uncovered(window, S.coveredOf(cov, [ct]));
  const hold = S.holdUntilGap(window, gaps);
  const by = new Map<string, UsageRow[]>();
  for (const r of rows) {
    if (r.count_type !== ct) continue;
    const k = `${r.node_type ?? ''}\u0000${r.hypervisor_hostname ?? ''}`;
    const list = by.get(k);
    if (list === undefined) by.set(k, [r]);
    else list.push(r);
  }
  return by.size === 0 ? [] : S.sumGroups([...by.values()].map((g) => S.fromRows(g, hold)));
};

/**
 * Whether a site's rows make it a device site: rows of value type `devices` (collector `new`)
 * and no node capacity at all (every `nodes` row 0). Such a site gets the device stack instead of
 * the host figures.
 *
 * @example
 * isDeviceSite(rows, 'chi_edge') // true
 * @category refinements
 * @since 0.4.0
 */
export const isDeviceSite = (rows: ReadonlyArray<UsageRow>, site: string): boolean => {
  let devices = false;
  for (const r of rows) {
    if (r.site !== site || r.collector_type !== 'new') continue;
    if (r.value_type === 'devices') devices = true;
    else if (r.value_type === 'nodes' && r.value !== 0) return false;
  }
  return devices;
};

/**
 * The device stack of one site: `<site>_device_stack`.
 *
 * @example
 * deviceStack(rows, coverage, { site: 'chi_edge' }).name // 'chi_edge_device_stack'
 * @category constructors
 * @since 0.4.0
 */
export const deviceStack = (rows: ReadonlyArray<UsageRow>, coverage: S.SiteCoverage | undefined, opts: Omit<SiteOptions, 'valueType'>): Figure => {
  const fresh = rows.filter((r) => r.site === opts.site && r.value_type === 'devices' && r.collector_type === 'new');
  const window = windowOf(opts.window, [coverage], fresh.map((r) => S.rowMillis(r.timestamp)));
  const layers = deviceLayers.map((ct) => series(fresh, ct, window, coverage));
  const stacked = S.stack(layers, 'all');
  const reservable = series(fresh, 'reservable', window, coverage);
  const datasets: Array<ChartDataset<'line', S.Point[]>> = [
    line('reservable devices (dashed)', reservable, window, { borderColor: stackColors.reservable, backgroundColor: stackColors.reservable, borderDash: [6, 4] }),
  ];
  for (let i = deviceLayers.length - 1; i >= 0; i--) {
    const ct = deviceLayers[i];
    datasets.push(line(labels[ct], stacked[i], window, { borderColor: colors[ct], backgroundColor: colors[ct], borderWidth: 0.5, fill: i === 0 ? 'origin' : '+1' }));
  }
  const gaps = coverage === undefined ? [] : S.uncovered(window, S.coveredOf(coverage, ['reservable', 'committed', 'ops']));
  const regions = regionsOf(gaps);
  if (regions.length > 0) datasets.push(noDataEntry());
  const name = opts.siteName ?? displayName(opts.site);
  return {
    name: `${opts.site}_device_stack`,
    width: WIDTH,
    height: HEIGHT,
    config: {
      type: 'line',
      data: { datasets },
      plugins: [gapsPlugin],
      options: {
        scales: { x: timeAxis(window, 10), y: countAxis('devices', 0, niceMax(S.maxOf([reservable, ...stacked]))) },
        plugins: { ...titles(`${name}: device reservations (devices)`, window), legend: { position: 'right', labels: { usePointStyle: true } }, gaps: { regions } },
      },
    },
  };
};
