/**
 * Typed failures, carried in `TaskEither` at the edges (house style 9). Library code returns them;
 * only broken invariants throw.
 *
 * - `ConfigFailure`: bad command line or site configuration (exit code 2);
 * - `ConnectionFailure`: the database server cannot be reached or refuses the login (exit code 3);
 * - `QueryFailure`: a query failed mid-run (connection killed, timeout) (exit code 4);
 * - `DecodeFailure`: a value that must decode did not (exit code 5);
 * - `WriteFailure` / `RenderFailure`: output could not be written or drawn (exit code 6).
 *
 * Messages never contain passwords: URLs are redacted before they reach a failure.
 *
 * @since 0.1.0
 * @module
 */

/** @category model @since 0.1.0 */
export interface ConfigFailure {
  readonly _tag: 'ConfigFailure';
  readonly message: string;
}
/** @category model @since 0.1.0 */
export interface ConnectionFailure {
  readonly _tag: 'ConnectionFailure';
  readonly message: string;
  readonly code?: string;
}
/** @category model @since 0.1.0 */
export interface QueryFailure {
  readonly _tag: 'QueryFailure';
  readonly source: string;
  readonly message: string;
  readonly code?: string;
}
/** @category model @since 0.1.0 */
export interface DecodeFailure {
  readonly _tag: 'DecodeFailure';
  readonly source: string;
  readonly message: string;
}
/** @category model @since 0.1.0 */
export interface WriteFailure {
  readonly _tag: 'WriteFailure';
  readonly path: string;
  readonly message: string;
}
/** @category model @since 0.1.0 */
export interface RenderFailure {
  readonly _tag: 'RenderFailure';
  readonly figure: string;
  readonly message: string;
}

/** @category model @since 0.1.0 */
export type Failure = ConfigFailure | ConnectionFailure | QueryFailure | DecodeFailure | WriteFailure | RenderFailure;

/**
 * The process exit code for a failure (documented in docs/operations.md).
 *
 * @since 0.1.0
 */
export const exitCode = (f: Failure): number => {
  switch (f._tag) {
    case 'ConfigFailure':
      return 2;
    case 'ConnectionFailure':
      return 3;
    case 'QueryFailure':
      return 4;
    case 'DecodeFailure':
      return 5;
    case 'WriteFailure':
    case 'RenderFailure':
      return 6;
  }
};

/**
 * A one-line human message.
 *
 * @since 0.1.0
 */
export const show = (f: Failure): string => {
  switch (f._tag) {
    case 'ConfigFailure':
      return `configuration error: ${f.message}`;
    case 'ConnectionFailure':
      return `cannot connect: ${f.message}`;
    case 'QueryFailure':
      return `query failed on ${f.source}: ${f.message}`;
    case 'DecodeFailure':
      return `cannot decode ${f.source}: ${f.message}`;
    case 'WriteFailure':
      return `cannot write ${f.path}: ${f.message}`;
    case 'RenderFailure':
      return `cannot draw ${f.figure}: ${f.message}`;
  }
};
