/** What strategies read, and how a backtest or a session delivers it (the venue's or file's data, or bars built by the engine). */
export * from './usage';
export * from './routes';
export * from './replay';
export * from './live-subscriptions';
