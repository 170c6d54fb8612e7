import fc from 'fast-check';
import { lastComputeHost, periods, usable, wasLaunched, type ActionEvent } from '../adapters/instanceActions';
import * as T from '../lib/Time';

const h = (n: number) => T.unsafeMillis(n * T.HOUR);
let nextId = 1;
const ev = (event: string, at: number | null, o: Partial<ActionEvent> = {}): ActionEvent => ({
  id: nextId++,
  event,
  result: 'Success',
  start_time: at === null ? null : h(at),
  host: null,
  ...o,
});
const inst = (created: number, terminated: number | null = null, deleted: number | null = terminated) => ({
  created_at: h(created),
  terminated_at: terminated === null ? null : h(terminated),
  deleted_at: deleted === null ? null : h(deleted),
});
const spans = (ps: ReturnType<typeof periods>) => ps.map((p) => [p.start / T.HOUR, p.end === null ? null : p.end / T.HOUR]);

describe('periods', () => {
  it('opens at created_at and ends at compute_terminate_instance when terminated_at is NULL', () => {
    expect(spans(periods(inst(0), usable([ev('compute_terminate_instance', 5)])))).toEqual([[0, 5]]);
  });

  it('ends at the earliest of terminated_at, deleted_at and the end event, as one end', () => {
    expect(spans(periods(inst(0, 7, 6), usable([ev('compute_terminate_instance', 5)])))).toEqual([[0, 5]]);
    expect(spans(periods(inst(0, 4, 6), usable([ev('compute_terminate_instance', 5)])))).toEqual([[0, 4]]);
    expect(spans(periods(inst(0, 9, 8), []))).toEqual([[0, 8]]);
  });

  it('stays open with no end signal at all', () => {
    expect(spans(periods(inst(0), usable([ev('compute__do_build_and_run_instance', 0)])))).toEqual([[0, null]]);
  });

  it('gives two intervals for shelve, offload, unshelve and terminate', () => {
    const es = [ev('compute_shelve_instance', 3), ev('compute_shelve_offload_instance', 4), ev('compute_unshelve_instance', 10), ev('compute_terminate_instance', 12)];
    expect(spans(periods(inst(0, 12), usable(es)))).toEqual([
      [0, 3],
      [10, 12],
    ]);
  });

  it('ends the last period at the first end event after the last unshelve', () => {
    const es = [ev('compute_shelve_instance', 3), ev('compute_unshelve_instance', 5), ev('compute_shelve_offload_instance', 6), ev('compute_terminate_instance', 9)];
    expect(spans(periods(inst(0, 9), usable(es)))).toEqual([
      [0, 3],
      [5, 6],
    ]);
  });

  it('leaves a period open after an unshelve with no later end , and ends an offloaded instance deleted later at its offload', () => {
    const es = [ev('compute_shelve_offload_instance', 2), ev('compute_unshelve_instance', 5)];
    expect(spans(periods(inst(0), usable(es)))).toEqual([
      [0, 2],
      [5, null],
    ]);
    expect(spans(periods(inst(0, 8), usable([ev('compute_shelve_offload_instance', 2)])))).toEqual([[0, 2]]);
  });

  it('ignores failed events and events with no start_time', () => {
    const es = [ev('compute_terminate_instance', 2, { result: 'Error' }), ev('compute_shelve_instance', null), ev('compute_terminate_instance', 6, { result: null })];
    expect(spans(periods(inst(0, 8), usable(es)))).toEqual([[0, 8]]);
  });

  it('ignores an unshelve while a period is open', () => {
    expect(spans(periods(inst(0, 8), usable([ev('compute_unshelve_instance', 3)])))).toEqual([[0, 8]]);
  });

  it('takes events in start_time order whatever order they are given in', () => {
    const es = [ev('compute_terminate_instance', 12), ev('compute_unshelve_instance', 10), ev('compute_shelve_instance', 3)];
    expect(spans(periods(inst(0), usable(es)))).toEqual([
      [0, 3],
      [10, 12],
    ]);
  });

  it('returns periods that are ordered and do not overlap, for any event sequence', () => {
    const names = ['compute_terminate_instance', 'compute_shelve_instance', 'compute_shelve_offload_instance', 'compute_unshelve_instance', 'compute_reboot_instance'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: fc.constantFrom(...names), at: fc.integer({ min: 0, max: 100 }) }), { maxLength: 12 }),
        fc.option(fc.integer({ min: 0, max: 120 })),
        (es, term) => {
          const ps = periods(inst(0, term), usable(es.map((e) => ev(e.name, e.at))));
          expect(ps.length).toBeGreaterThanOrEqual(1);
          expect(ps[0].start).toBe(0);
          for (let i = 0; i < ps.length; i++) {
            const end = ps[i].end;
            if (i < ps.length - 1) {
              expect(end).not.toBeNull();
              expect(ps[i + 1].start).toBeGreaterThanOrEqual(end as number);
            }
            if (term !== null && i === ps.length - 1) expect(end).not.toBeNull();
            if (term !== null && end !== null && i === ps.length - 1) expect(end).toBeLessThanOrEqual(h(term));
          }
        },
      ),
    );
  });
});

describe('wasLaunched', () => {
  it('is true with launched_at, or with a successful compute__do_build_and_run_instance (double underscore)', () => {
    expect(wasLaunched(h(1), [])).toBe(true);
    expect(wasLaunched(null, usable([ev('compute__do_build_and_run_instance', 1)]))).toBe(true);
    expect(wasLaunched(null, usable([ev('compute_do_build_and_run_instance', 1)]))).toBe(false);
    expect(wasLaunched(null, usable([ev('compute__do_build_and_run_instance', 1, { result: 'Error' })]))).toBe(false);
    expect(wasLaunched(null, usable([ev('compute__do_build_and_run_instance', null)]))).toBe(false);
  });
});

describe('lastComputeHost', () => {
  const known = (x: string) => x === 'kvm-1' || x === 'kvm-2';
  it('takes the host of the last successful compute event when it is known', () => {
    expect(lastComputeHost(usable([ev('compute__do_build_and_run_instance', 1, { host: 'kvm-1' }), ev('compute_reboot_instance', 2, { host: 'kvm-2' })]), known)).toBe('kvm-2');
  });

  it('gives null when the last compute event names an unknown host', () => {
    expect(lastComputeHost(usable([ev('compute__do_build_and_run_instance', 1, { host: 'kvm-1' }), ev('compute_reboot_instance', 2, { host: 'controller' })]), known)).toBeNull();
  });

  it('skips failed events', () => {
    expect(lastComputeHost(usable([ev('compute__do_build_and_run_instance', 1, { host: 'kvm-1' }), ev('compute_reboot_instance', 2, { host: 'kvm-2', result: 'Error' })]), known)).toBe('kvm-1');
  });
});
