/**
 * chameleon-usage: the pure core. Re-exports namespaces only.
 *
 * @example
 * import { Event, Fold, Sweep } from 'chameleon-usage'
 * const { intervals } = Fold.toIntervals()(events)
 * const counts = Sweep.sweep({ valueTypes: ['nodes'] })(intervals)
 * @since 0.1.0
 * @module
 */
export * as Booking from './Booking';
export * as BookingRow from './BookingRow';
export * as CountType from './CountType';
export * as Clamp from './Clamp';
export * as Counts from './Counts';
export * as Coverage from './Coverage';
export * as Csv from './Csv';
export * as Event from './Event';
export * as EventTable from './EventTable';
export * as Facts from './Facts';
export * as HostState from './HostState';
export * as Fold from './Fold';
export * as Interval from './Interval';
export * as IntervalTable from './IntervalTable';
export * as Legacy from './Legacy';
export * as LeadTime from './LeadTime';
export * as ProjectedLeadTime from './ProjectedLeadTime';
export * as Quantities from './Quantities';
export * as Radix from './Radix';
export * as Rejection from './Rejection';
export * as Report from './Report';
export * as Resample from './Resample';
export * as StepFunction from './StepFunction';
export * as Sweep from './Sweep';
export * as Time from './Time';
export * as Timeline from './Timeline';
export * as UsageRow from './UsageRow';
export * as Failure from './Failure';
export * as Summary from './Summary';
export * as Power from './Power';
export * as Utilization from './Utilization';
