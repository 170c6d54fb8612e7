/**
 * The README's library example, runnable: one node known to Nova for ten days, folded into an
 * interval and swept into a node count.
 *
 * Run: npx ts-node examples/core.ts (or after `npm run build`: node dist/examples/core.js)
 */
import { Event, Fold, Quantities, StepFunction, Sweep, Time } from '../lib';

const at = (iso: string) => Time.unsafeMillis(Date.parse(iso));

export const run = () => {
  const fields = {
    entityId: 'node-1',
    countType: 'total' as const,
    quantities: Quantities.make({ nodes: 1, vcpus: 48 }),
    attributes: Event.attributes({ site: 'chi_uc', node_type: 'compute_skylake' }),
    source: { table: 'nova.compute_nodes', id: '1' },
  };
  const events = [Event.create({ ...fields, time: at('2024-01-01T00:00:00Z') }), Event.del({ ...fields, time: at('2024-01-11T00:00:00Z') })];

  const { intervals, rejections } = Fold.toIntervals({ overlap: { total: 'union' } })(events);
  const [total] = Sweep.sweep({ valueTypes: ['nodes'] })(intervals);
  return {
    rejections: rejections.length,
    nodesOnJan5: StepFunction.valueAt(at('2024-01-05T00:00:00Z'))(total.steps),
    nodeHoursInJanuary: StepFunction.integral(at('2024-01-01T00:00:00Z'), at('2024-02-01T00:00:00Z'))(total.steps),
  };
};

if (require.main === module) console.log(run());
