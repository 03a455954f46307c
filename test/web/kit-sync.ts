// Vitest globalSetup of the web project: web/tsconfig.json extends the tsconfig `svelte-kit sync`
// generates (which npm install removes), and Vite's TypeScript transform reads it.
import { ensureKitSync } from './web-build.ts';

export default async function setup(): Promise<void> {
  await ensureKitSync();
}
