// Fails fast, with a message that says what to do, when this is not Node 24+. Plain JavaScript on purpose:
// older Node cannot even load a .ts file (ERR_UNKNOWN_FILE_EXTENSION), which explains nothing.
// Run as a script (`node runtime/cli/check-node.js` in npm scripts) or imported by bin/weaver.js first.
const major = Number(process.versions.node.split('.')[0]);

if (major < 24) {
  process.stderr.write(
    `Weaver needs Node 24 or newer, but this is Node ${process.version} (${process.execPath}).\n` +
      'Run it with `npx weaver …` or `npm run …` (e.g. `npm start`): the project pins Node 24 through the npm\n' +
      'package `node` (a devDependency). If that still runs the old Node, its install script was skipped:\n' +
      'allow it ("allowScripts": {"node": true} in package.json) and run `npm ci` again.\n',
  );
  process.exit(1);
}
