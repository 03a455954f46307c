// A single-page app: the browser talks to the gateway's API itself (it holds the API key, the server
// never does), so nothing renders on a server and no page is prerendered.
export const ssr = false;
export const prerender = false;
