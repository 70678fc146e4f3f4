export { riskConfigSchema, type RiskConfig } from './config';
export { preTradeChecks, killSwitchCheck } from './pre-trade';
export { watchDailyLoss } from './daily-loss';
export type { PreTradeCheck, RiskView } from './view';
export { marginCheck } from './margin';
