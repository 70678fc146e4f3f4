import { backoffPolicyOf, type ReconnectConfig, type TimeoutsConfig } from '../config';
import type { HeartbeatPolicy, ReconnectingSocketOptions } from './reconnecting-socket';

/**
 * The socket options that come from a plugin's `reconnect` and `timeouts` config blocks: backoff,
 * connect timeout, idle limit, and the heartbeat (by default a WebSocket ping every
 * `timeouts.pingIntervalMs`; pass the venue's own policy otherwise, such as OKX's `ping` text).
 */
export function socketSettings(
  config: { readonly reconnect: ReconnectConfig; readonly timeouts: TimeoutsConfig },
  heartbeat: HeartbeatPolicy = { kind: 'client-ping', intervalMs: config.timeouts.pingIntervalMs },
): Pick<ReconnectingSocketOptions, 'backoff' | 'connectTimeoutMs' | 'heartbeat' | 'idleTimeoutMs'> {
  return {
    backoff: backoffPolicyOf(config.reconnect),
    connectTimeoutMs: config.timeouts.connectMs,
    heartbeat,
    idleTimeoutMs: config.timeouts.deadAfterMs,
  };
}
