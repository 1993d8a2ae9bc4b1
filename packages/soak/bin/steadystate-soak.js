#!/usr/bin/env node
// The command as npm links it. It lives outside build/ because npm links a bin only if its file
// exists: `npm ci` on a fresh clone runs before the first build, and `npx steadystate-soak` must
// work after that build without another install. It only loads the compiled CLI.
import('../build/src/cli.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('build/src/cli.js')) {
    console.error('steadystate-soak: not built yet; run `npx tsc -b` at the repository root first');
    process.exit(3);
  }
  throw error;
});
