/** Time bars built by the engine from trades or quotes, the same way in every mode. */
export * from './interval';
export * from './aggregator';
export * from './bar-builder';
