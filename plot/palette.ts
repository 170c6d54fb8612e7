/**
 * The colors of the figures, in one place so every figure means the same thing by a color.
 *
 * - Sites (cross-site figure): CHI@UC green, CHI@TACC orange, KVM@TACC yellow; dark = used,
 *   light = available. Other sites take blue, purple, teal in order of appearance.
 * - Usage stack: used dark green, on-demand light green, idle amber (committed but unused),
 *   available light blue, maintenance grey; total capacity black, reservable black dashed,
 *   legacy reservable purple dotted.
 * - Collectors (facets): new blue solid, legacy red dashed.
 * - Node types (lead time): Tableau 10, assigned in sorted order; `unknown` is grey.
 *
 * @since 0.1.0
 */

/** A dark and a light shade. @since 0.1.0 */
export interface Shades {
  readonly dark: string;
  readonly light: string;
}

const knownSites: Readonly<Record<string, Shades>> = {
  chi_uc: { dark: '#2b8a3e', light: '#b2f2bb' },
  chi_tacc: { dark: '#e8590c', light: '#ffd8a8' },
  kvm_tacc: { dark: '#e0a800', light: '#fff3bf' },
};

const otherSites: ReadonlyArray<Shades> = [
  { dark: '#1864ab', light: '#a5d8ff' },
  { dark: '#6741d9', light: '#d0bfff' },
  { dark: '#0b7285', light: '#99e9f2' },
];

/**
 * The shades of each site, known sites by name, others in order.
 *
 * @example
 * siteShades(['chi_uc', 'lab']).get('chi_uc') // { dark: '#2b8a3e', light: '#b2f2bb' }
 * @since 0.1.0
 */
export const siteShades = (sites: ReadonlyArray<string>): ReadonlyMap<string, Shades> => {
  const out = new Map<string, Shades>();
  let i = 0;
  for (const s of sites) out.set(s, knownSites[s] ?? otherSites[i++ % otherSites.length]);
  return out;
};

/** Usage stack colors. @since 0.1.0 */
export const stackColors = {
  used: '#2f7d32',
  used_stopped: '#81c784',
  ondemand: '#8bc34a',
  ondemand_stopped: '#d4e8a8',
  ondemand_free: '#b2dfdb',
  idle: '#ffb74d',
  available: '#90caf9',
  unusable: '#e57373',
  maintenance: '#bdbdbd',
  total: '#000000',
  reservable: '#000000',
  legacyReservable: '#8e24aa',
} as const;

/** Collector colors. @since 0.1.0 */
export const collectorColors = { new: '#1f77b4', legacy: '#d62728' } as const;

const tableau10 = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#17becf'];

/**
 * A color per node type: sorted names take Tableau 10 in order (cycling), `unknown` is grey.
 *
 * @since 0.1.0
 */
export const nodeTypeColors = (nodeTypes: ReadonlyArray<string>): ReadonlyMap<string, string> => {
  const out = new Map<string, string>();
  let i = 0;
  for (const n of [...new Set(nodeTypes)].sort()) out.set(n, n === 'unknown' ? '#9e9e9e' : tableau10[i++ % tableau10.length]);
  return out;
};

/**
 * A `#rrggbb` color with an alpha.
 *
 * @example
 * withAlpha('#ff0000', 0.5) // 'rgba(255, 0, 0, 0.5)'
 * @since 0.1.0
 */
export const withAlpha = (hex: string, alpha: number): string => {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
};
