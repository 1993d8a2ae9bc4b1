import { fileURLToPath } from 'node:url';

/** The command as npm links it (bin/), which loads the compiled CLI. */
export const CLI = fileURLToPath(new URL('../../../bin/steadystate-soak.js', import.meta.url));
