#!/usr/bin/env node
// The `weaver` command. Plain JavaScript so that on an older Node it still runs far enough to say why it
// cannot go on; `npx weaver` finds the project's pinned Node 24 first on PATH (node_modules/.bin/node).
await import('../runtime/cli/check-node.js');
await import('../runtime/cli/main.ts');
