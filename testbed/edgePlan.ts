/**
 * The plan of the synthetic CHI@Edge site `chi_edge`: Blazar devices only (no Nova, no Blazar
 * hosts), a few device types (the devices' `machine_name`) arriving and retiring over time, each
 * device reserved whole by device leases. Plain data, like `plan.ts` (which lists it among the
 * known sites); `edge.ts` simulates and writes it.
 *
 * Devices arrive after Chameleon's Blazar soft-delete migration (2022-05), so no device row is
 * ever hard-deleted. A generation's `vcpus`, `memoryMb`, `localGb` and `gpus` are 0: a device is
 * one unit of the value type `devices`, nothing else.
 *
 * @since 0.4.0
 */
import type { Generation, SitePlan } from './plan';

const device = (nodeType: string, count: number, added: string, rampDays: number, demand: number, retired?: string): Generation => ({
  nodeType,
  count,
  added,
  rampDays,
  ...(retired === undefined ? {} : { retired }),
  vcpus: 0,
  memoryMb: 0,
  localGb: 0,
  gpus: 0,
  blazar: true,
  demand,
});

/** `chi_edge` at scale 1 (about 50 devices). @category constructors @since 0.4.0 */
export const edgeSite: SitePlan = {
  site: 'chi_edge',
  displayName: 'CHI@Edge',
  kind: 'edge',
  capabilityLayout: 'resource_properties',
  domain: 'edge.chameleoncloud.org',
  leasesPerHostYear: 24,
  onDemandPerHostDay: 0,
  operatorProject: 'c0ffee000000400080000000000000e4',
  generations: [
    device('raspberrypi3-64', 10, '2022-06-01', 30, 0.6, '2024-06-01'),
    device('raspberrypi4-64', 20, '2022-06-15', 60, 1.0),
    device('jetson-nano', 8, '2022-10-01', 30, 1.5),
    device('nvidia-jetson-xavier', 6, '2023-06-01', 30, 2.0),
  ],
};
