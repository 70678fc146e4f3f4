// Runs packages/cli/src/main.ts in a worker thread, whose process.argv holds the arguments to test:
// main.ts reads its argv and runs the command when it is imported. tsx is registered here because a
// worker does not inherit the loader of the process that started it.
import { register } from 'tsx/esm/api';

register();
await import('../../../packages/cli/src/main.ts');
