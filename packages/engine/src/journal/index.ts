/**
 * @packageDocumentation
 * The order journal: an append-only, crash-safe log of every order command and venue report, written
 * before the OMS acts on it, and the replay that rebuilds orders and fills from it after a restart.
 */
export * from './codec';
export * from './journal';
export * from './recovery';
export { checkJournalIdentity } from './identity';
