import { AutotraderError } from '@autotrader/core';

/** The environment variable holding the personal access token (Bearer). */
export const ENV_API_TOKEN = 'OANDA_API_TOKEN';
/** The environment variable that may name the account to trade (the `accountId` option wins over it). */
export const ENV_ACCOUNT_ID = 'OANDA_ACCOUNT_ID';

type Env = Readonly<Record<string, string | undefined>>;

const present = (v: string | undefined): v is string => v !== undefined && v.trim().length > 0;

/** True when the token is set. */
export const hasToken = (env: Env): boolean => present(env[ENV_API_TOKEN]);

/** The raw secret values that are set, for the redacting logger only. */
export const secretValues = (env: Env): string[] => (present(env[ENV_API_TOKEN]) ? [env[ENV_API_TOKEN]!.trim()] : []);

/**
 * The token, from the plugin context's environment and nowhere else. Missing: AUTH_MISSING naming the
 * variable (never a value). Every OANDA request needs it, market data included.
 */
export function readToken(env: Env): string {
  const token = env[ENV_API_TOKEN];
  if (!present(token)) {
    throw new AutotraderError('AUTH_MISSING', `${ENV_API_TOKEN} is not set: export your OANDA personal access token to use OANDA (every v20 request needs it)`, {
      details: { variable: ENV_API_TOKEN, variables: [ENV_API_TOKEN] },
    });
  }
  return token.trim();
}

/** The account id from the environment, if set. */
export const accountIdFromEnv = (env: Env): string | undefined => (present(env[ENV_ACCOUNT_ID]) ? env[ENV_ACCOUNT_ID]!.trim() : undefined);
