import type { CommandModule } from 'yargs';
import { VENUE_PLUGINS } from '../venues';

/** `plugins list`: the venue plugins this build knows, with their capabilities. */
export const pluginsCommand: CommandModule = {
  command: 'plugins [action]',
  describe: 'List venue plugins and their capabilities',
  handler: () => {
    for (const [name, plugin] of Object.entries(VENUE_PLUGINS)) {
      const c = plugin.capabilities;
      process.stdout.write(
        `${name.padEnd(10)} api v${plugin.apiVersion}  orders: ${c.orderTypes.join(',')}  tif: ${c.timeInForce.join(',')}  data: ${c.data.join(',')}  modify: ${c.nativeModify ? 'native' : 'cancel-replace'}\n`,
      );
    }
  },
};
