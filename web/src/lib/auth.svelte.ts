// The API key, entered once and kept for this browser session only (sessionStorage: gone when the tab
// closes, never in the bundle). `auth.needed` turns true when the gateway answers 401, and the layout
// then asks for the key.
const KEY = 'weaver.apiKey';

export const auth = $state({ needed: false, key: readKey() });

function readKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
  auth.key = key;
  auth.needed = false;
}
