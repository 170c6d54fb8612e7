/**
 * `chameleon-usage/adapters`: the database side. Re-exports namespaces and the registry.
 *
 * @example
 * import { readSite, Source } from 'chameleon-usage/adapters'
 * @since 0.1.0
 * @module
 */
export * as Adapter from './Adapter';
export * as Source from './Source';
export * as codecs from './codecs';
export * as runner from './runner';
export { loadContext } from './context';
export { readSite, readSiteAt, toSiteInput, type SiteRead } from './readSite';
export { eventAdapters, legacyAdapters, tablesRead } from './registry';
export type { BlazarAudit } from './auditBlazar';
export type { DeviceInfo } from './devices';
