#!/usr/bin/env node
// The `weaver` command. Plain JavaScript so that on an older Node it still runs far enough to say why it
// cannot go on; `npx weaver` finds the project's pinned Node 24 first on PATH (node_modules/.bin/node).
await import('../runtime/cli/check-node.js');
// Node's compile cache under the Weaver home: every later command and actor worker loads faster.
const { enableCompileCache } = await import('node:module');
const { resolve } = await import('node:path');
process.env.NODE_COMPILE_CACHE ??= resolve(process.env.WEAVER_HOME ?? '.weaver', 'cache', 'compile');
enableCompileCache(process.env.NODE_COMPILE_CACHE);
await import('../runtime/cli/main.ts');
